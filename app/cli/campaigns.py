"""`sipas campaign`: create, open, close and list campaigns."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out
from app.core.db import session_scope
from app.core.errors import AppError
from app.questionnaires.catalog import QuestionnaireError, get_catalog

campaign_cli = typer.Typer(help="Survey campaigns.", no_args_is_help=True)


@campaign_cli.command("create")
def campaign_create(
    code: Annotated[str, typer.Argument(help="Short code, e.g. SIPAS-2026.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    starts: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    ends: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.")],
    unit: Annotated[
        list[str], typer.Option(help="A unit in scope (repeat); its sub-units are included.")
    ],
    questionnaire: Annotated[str, typer.Option(help="Questionnaire slug.")] = "sipas-2017",
    version: Annotated[int, typer.Option(help="Questionnaire version.")] = 1,
    min_sample: Annotated[
        int, typer.Option(help="Minimum valid answers before a unit is ranked.")
    ] = 30,
    private: Annotated[bool, typer.Option("--private", help="Do not publish indices.")] = False,
    aggregate: Annotated[
        str,
        typer.Option(
            help="A higher level's figures: pooled (every response under it) or "
            "mean_of_units (unweighted mean of its sub-units) or weighted (the campaign's "
            "overall figure weighted by its scope units' dossier counts)."
        ),
    ] = "pooled",
    kind: Annotated[
        str,
        typer.Option(
            help="counter (respondents at counters) or household (interviewers in "
            "villages; responses need no counter)."
        ),
    ] = "counter",
    open_now: Annotated[
        bool, typer.Option("--open", help="Open it for submissions at once.")
    ] = False,
    complaint_phone: Annotated[
        str | None, typer.Option(help="Complaint hotline shown on the thank-you screen.")
    ] = None,
    complaint_url: Annotated[
        str | None, typer.Option(help="Complaint web page (https://…) shown there too.")
    ] = None,
) -> None:
    """Create a campaign (draft unless --open)."""
    from app.campaigns.models import CampaignStatus
    from app.campaigns.service import CampaignIn, create_campaign, set_status

    try:
        starts_on, ends_on = _date(starts, "--starts"), _date(ends, "--ends")
        with session_scope() as session:
            c = create_campaign(
                session,
                get_catalog(),
                CampaignIn(
                    code=code,
                    name=name,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    questionnaire=questionnaire,
                    version=version,
                    units=unit,
                    min_sample=min_sample,
                    is_private=private,
                    aggregate=aggregate,
                    kind=kind,
                    complaint_phone=complaint_phone,
                    complaint_url=complaint_url,
                ),
            )
            if open_now:
                set_status(session, c, CampaignStatus.open)
            status = c.status
    except (AppError, QuestionnaireError, ValueError) as exc:
        fail(exc)
    out.print(f"campaign {code} created ({status})")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _set_status(code: str, status: str) -> None:
    from app.campaigns.models import CampaignStatus
    from app.campaigns.service import get_campaign, set_status

    try:
        with session_scope() as session:
            set_status(session, get_campaign(session, code), CampaignStatus(status))
    except AppError as exc:
        fail(exc)
    out.print(f"campaign {code} is {status}")


@campaign_cli.command("open")
def campaign_open(
    code: str,
    feeds: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            help="COUNTER=CAMPAIGN, for each counter that already collects for another "
            "open campaign (repeat the option).",
        ),
    ] = None,
) -> None:
    """Open a campaign for submissions (refused over counters of another open campaign
    unless --feed says which campaign each feeds)."""
    from app.campaigns.counters import open_campaign
    from app.campaigns.service import get_campaign

    choices = dict(f.partition("=")[::2] for f in feeds) if feeds is not None else None
    try:
        with session_scope() as session:
            open_campaign(session, get_campaign(session, code), choices)
    except AppError as exc:
        fail(exc)
    out.print(f"campaign {code} is open")


@campaign_cli.command("close")
def campaign_close(code: str) -> None:
    """Close a campaign: no more submissions are accepted."""
    _set_status(code, "closed")


@campaign_cli.command("complaint")
def campaign_complaint(
    code: str,
    phone: Annotated[str, typer.Option(help="Hotline number; empty clears it.")] = "",
    url: Annotated[str, typer.Option(help="Complaint web page (https://…); empty clears it.")] = "",
) -> None:
    """Set where citizens can complain (shown on the thank-you screen); no option clears it."""
    from app.campaigns.service import get_campaign, set_complaint_contact

    try:
        with session_scope() as session:
            c = set_complaint_contact(session, get_campaign(session, code), phone, url)
            shown = " · ".join(v for v in (c.complaint_phone, c.complaint_url) if v)
    except AppError as exc:
        fail(exc)
    out.print(f"campaign {code}: complaints to {shown or '(none: the generic text only)'}")


@campaign_cli.command("template")
def campaign_template(
    code: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    kind: Annotated[
        str, typer.Option(help="targets (dossier counts per unit) or paper (paper forms).")
    ] = "paper",
    fmt: Annotated[str, typer.Option("--format", help="xlsx, or csv for Vietnamese Excel.")] = "",
    lang: Annotated[str, typer.Option(help="Column headers: vi or en.")] = "vi",
) -> None:
    """Write a template pre-filled with the campaign's units, to fill in and import
    (`sipas submissions import`, or the dashboard)."""
    from app.campaigns.fill_in import Format, targets_template
    from app.campaigns.service import get_campaign
    from app.collection.paper_template import paper_template

    chosen = fmt or output.suffix.lstrip(".").lower() or "xlsx"
    if (
        chosen not in ("xlsx", "csv")
        or kind not in ("targets", "paper")
        or lang not in ("vi", "en")
    ):
        fail(ValueError("--kind targets|paper, --format xlsx|csv and --lang vi|en"))
    form: Format = "csv" if chosen == "csv" else "xlsx"
    try:
        with session_scope() as session:
            c = get_campaign(session, code)
            if kind == "targets":
                body = targets_template(session, c, form, lang)
            else:
                body = paper_template(session, get_catalog(), c, form, lang)
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    output.write_bytes(body)
    out.print(f"{output}: {kind} template of {code} ({form})")


@campaign_cli.command("list")
def campaign_list() -> None:
    """List campaigns with their status and submission counts."""
    from sqlalchemy import func, select

    from app.campaigns.models import Campaign
    from app.collection.models import Submission

    with session_scope() as session:
        rows = session.execute(
            select(
                Campaign.code,
                Campaign.name,
                Campaign.status,
                Campaign.starts_on,
                Campaign.ends_on,
                func.count(Submission.id),
            )
            .outerjoin(Submission, Submission.campaign_id == Campaign.id)
            .group_by(Campaign.id)
            .order_by(Campaign.code)
        ).all()
    for code, name, status, s, e, n in rows:
        out.print(f"{code:<20} {status:<7} {s} – {e}  {n:>9} submissions  {name}", highlight=False)
