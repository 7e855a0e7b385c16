"""`sipas demo`: a demo tree, campaign and responses."""

from typing import Annotated

import typer
from rich.progress import Progress

from app.cli.common import _public_url, err, fail, out
from app.core.db import session_scope
from app.core.errors import AppError
from app.questionnaires.catalog import QuestionnaireError, get_catalog


def demo(
    submissions: Annotated[int, typer.Option(min=0, help="Synthetic submissions to add.")] = 5000,
    seed: Annotated[int, typer.Option(help="Same seed, same rows: a rerun adds nothing.")] = 1,
) -> None:
    """Load a demo province, counters, an open campaign with targets over its units,
    last year's closed campaign to compare with (published: the public results page),
    synthetic submissions (a few flagged for review, some with citizens' comments) and
    an account per role; prints where to sign in and with what."""
    from app.demo import (
        build_household,
        build_previous,
        build_tree,
        demo_accounts,
        load_submissions,
        publish_previous,
        review_demo,
    )

    earlier = submissions // 2  # last year's campaign: half as many, to stay quick
    try:
        catalog = get_catalog()
        with session_scope() as session:
            campaign, pairs = build_tree(session, catalog)
            previous = build_previous(session, catalog, pairs)
            household, homes = build_household(session, catalog, pairs)
        homes_n = submissions // 2  # the household survey: fewer, longer interviews
        with session_scope() as session, Progress(console=err, transient=True) as bar:
            task = bar.add_task("submissions", total=submissions + earlier + homes_n)
            campaign = session.merge(campaign)
            previous = session.merge(previous)
            pairs = [(session.merge(u), session.merge(c)) for u, c in pairs]
            inserted = load_submissions(
                session,
                catalog,
                campaign,
                pairs,
                submissions,
                seed,
                progress=lambda k: bar.advance(task, k),
                extras=True,
            )
            before = load_submissions(
                session,
                catalog,
                previous,
                pairs,
                earlier,
                seed,
                progress=lambda k: bar.advance(task, k),
                extras=True,
            )
            household = session.merge(household)
            homes = [(session.merge(u), session.merge(c)) for u, c in homes]
            interviewed = load_submissions(
                session,
                catalog,
                household,
                homes,
                homes_n,
                seed,
                progress=lambda k: bar.advance(task, k),
                extras=True,
            )
        with session_scope() as session:
            people = demo_accounts(session)
            edition = publish_previous(session, catalog, session.merge(previous))
            reviewed = review_demo(session, catalog, session.merge(campaign))
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    out.print(f"campaign: {campaign.code} (open)")
    out.print(f"{inserted} new submission(s); {submissions - inserted} already present")
    out.print(
        f"previous campaign to compare with: {previous.code} (closed), {before} new submission(s)"
    )
    base = _public_url(None)

    def say(line: str) -> None:
        out.print(line, highlight=False, soft_wrap=True)  # URLs stay whole for copying

    say("counters: " + ", ".join(c.code for _, c in pairs[:4]) + f" … ({len(pairs)} in all)")
    say("every counter's code and survey link: sipas counters list --unit DEMO")
    say("")
    say(f"start the server (sipas serve) and sign in at {base}/login")
    say("the passwords are new on every run of the demo:")
    width = max(len(p.login) for p in people)
    for p in people:
        area = f"{p.area} {p.area_name}" if p.area else "every unit"
        say(f"  {p.login:<{width}}  password {p.password}  {p.role:<11}  area: {area}")
    say("dashboard, results compared with last year, and citizens' comments:")
    say(f"  {base}/dash/campaigns/{campaign.code}/results?compare={previous.code}")
    say(f"  {base}/dash/campaigns/{campaign.code}/comments")
    if reviewed.chosen or reviewed.hidden or reviewed.excluded:
        say(
            f"reviewed as {people[0].login}: {reviewed.chosen} comment(s) chosen for the "
            f"report, {reviewed.hidden} hidden as abusive, {reviewed.excluded} response(s) "
            "sent twice excluded"
        )
    say(
        f"household survey on sipas-2023: {household.code} (open) over {len(homes)} communes, "
        f"{interviewed} new interview(s); groups, aspects and the SIPAS of the 2023 method:"
    )
    say(f"  {base}/dash/campaigns/{household.code}/results")
    if edition is not None:
        say(f"public results of {previous.code}, edition {edition} (no sign-in):")
        say(f"  {base}/results/{previous.code}")
