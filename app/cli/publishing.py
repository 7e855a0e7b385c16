"""`sipas publish`, `sipas unpublish`, `sipas editions`: announce a campaign's results."""

from typing import Annotated

import typer

from app.cli.common import fail, out
from app.core.db import session_scope
from app.core.errors import AppError

# Whoever runs the command line has the server: it acts as an admin, audited as "cli".
CLI_ACTOR = "cli"


def publish(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    note: Annotated[
        str | None,
        typer.Option(help="What changed since the previous edition (required for edition 2 on)."),
    ] = None,
    interim: Annotated[
        bool,
        typer.Option(
            "--interim",
            help="Publish preliminary results (kết quả sơ bộ) of a campaign still open; "
            "marked as such on every page, file and JSON document.",
        ),
    ] = False,
) -> None:
    """Publish the campaign's results as its next edition (closed campaigns only, unless
    --interim): the public then sees this edition, frozen as it is now."""
    from app.access.service import Principal
    from app.campaigns.service import get_campaign
    from app.questionnaires.catalog import get_catalog
    from app.reporting import editions

    with out.status("freezing every report of the campaign…"):
        try:
            with session_scope() as session:
                e = editions.publish(
                    session,
                    get_catalog(),
                    Principal(CLI_ACTOR, "admin", None),
                    get_campaign(session, campaign),
                    note=note,
                    interim=interim,
                )
                number, moved = e.number, e.moved
        except AppError as exc:
            fail(exc)
    kind = "interim edition" if interim else "edition"
    out.print(f"campaign {campaign}: {kind} {number} published", highlight=False)
    for m in moved:
        before, after = m["sipas"]
        out.print(
            f"  moved {m['unit']:<14} SIPAS {_pct(before)} → {_pct(after)}"
            f"  rank {m['rank'][0] or '–'} → {m['rank'][1] or '–'}",
            highlight=False,
        )


def unpublish(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    reason: Annotated[str, typer.Option(help="Why the results are withdrawn (required).")],
) -> None:
    """Withdraw the campaign's results from the public: every edition is hidden (nothing
    is deleted; publishing again shows them all with the new one)."""
    from app.access.service import Principal
    from app.campaigns.service import get_campaign
    from app.reporting import editions

    try:
        with session_scope() as session:
            n = editions.unpublish(
                session,
                Principal(CLI_ACTOR, "admin", None),
                get_campaign(session, campaign),
                reason,
            )
    except AppError as exc:
        fail(exc)
    out.print(f"campaign {campaign}: {n} edition(s) withdrawn", highlight=False)


def list_editions(campaign: Annotated[str, typer.Argument(help="Campaign code.")]) -> None:
    """List the campaign's editions: number, date, who, interim, shown or withdrawn, note."""
    from app.campaigns.service import get_campaign
    from app.core.clock import VIETNAM
    from app.reporting import editions

    try:
        with session_scope() as session:
            rows = [
                (
                    e.number,
                    e.published_at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M"),
                    e.published_by,
                    e.interim,
                    e.hidden_reason if e.hidden_at else None,
                    e.note,
                    len(e.moved),
                )
                for e in editions.all_editions(session, get_campaign(session, campaign))
            ]
    except AppError as exc:
        fail(exc)
    if not rows:
        out.print(f"campaign {campaign} has never been published", highlight=False)
    for number, when, who, interim, withdrawn, note, moved in rows:
        state = f"withdrawn: {withdrawn}" if withdrawn else "shown"
        out.print(
            f"{number:>3}  {when}  {who:<16} {'interim' if interim else 'final':<8} {state}"
            f"  {moved} moved  {note or ''}",
            highlight=False,
        )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
