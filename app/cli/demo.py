"""`sipas demo`: a demo tree, campaign and responses."""

from typing import Annotated

import typer
from rich.progress import Progress

from app.cli.common import err, fail, out
from app.core.db import session_scope
from app.core.errors import AppError
from app.questionnaires.catalog import QuestionnaireError, get_catalog


def demo(
    submissions: Annotated[int, typer.Option(min=0, help="Synthetic submissions to add.")] = 5000,
    seed: Annotated[int, typer.Option(help="Same seed, same rows: a rerun adds nothing.")] = 1,
) -> None:
    """Load a demo province, counters, an open campaign and synthetic submissions."""
    from app.demo import build_tree, load_submissions

    try:
        catalog = get_catalog()
        with session_scope() as session:
            campaign, pairs = build_tree(session, catalog)
        with session_scope() as session, Progress(console=err, transient=True) as bar:
            task = bar.add_task("submissions", total=submissions)
            campaign = session.merge(campaign)
            inserted = load_submissions(
                session,
                catalog,
                campaign,
                pairs,
                submissions,
                seed,
                progress=lambda k: bar.advance(task, k),
            )
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    out.print(f"campaign: {campaign.code} (open)")
    out.print(f"{inserted} new submission(s); {submissions - inserted} already present")
    out.print("counters: " + ", ".join(c.code for _, c in pairs[:4]) + f" … ({len(pairs)} in all)")
    out.print(
        "every counter's code and survey link: sipas counters list --unit DEMO",
        highlight=False,
    )
