"""`sipas comments`: list a campaign's citizens' comments, hide one as abusive or show it
again, choose one for the printed report or take it out again (the dashboard's
comments page, for scripts and for whoever runs the server)."""

import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import fail, out
from app.cli.publishing import CLI_ACTOR
from app.core.db import session_scope
from app.core.errors import AppError, Invalid

if TYPE_CHECKING:
    from app.access.service import Principal
    from app.campaigns.comments import Action

comments_cli = typer.Typer(
    help="Citizens' comments: list, hide/show (abusive), choose/unchoose (for the report).",
    no_args_is_help=True,
)

Campaign = Annotated[str, typer.Argument(help="Campaign code.")]
ResponseId = Annotated[str, typer.Argument(help="The response's id (as `comments list` shows).")]
Question = Annotated[str, typer.Option(help="The free-text question's code.")]


@comments_cli.command("list")
def comments_list(
    campaign: Campaign,
    unit: Annotated[str | None, typer.Option(help="Only under this unit (its code).")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Words it contains (marks ignored).")
    ] = None,
    question: Annotated[str | None, typer.Option(help="Only this free-text question.")] = None,
    state: Annotated[str, typer.Option(help="shown, hidden, chosen (for the report), all.")] = (
        "shown"
    ),
    page: Annotated[int, typer.Option(min=1, help="Page of 50, newest first.")] = 1,
) -> None:
    """List the campaign's comments, newest first: id, question, date, unit, channel,
    marks, text."""
    from app.campaigns import comments
    from app.campaigns.service import get_campaign
    from app.core.clock import VIETNAM

    query = comments.Query(unit, search, question, state)  # type: ignore[arg-type]  # checked
    try:
        with session_scope() as session:
            listing = comments.list_comments(
                session, _admin(), get_campaign(session, campaign), query, page
            )
    except AppError as exc:
        fail(exc)
    first = (page - 1) * comments.PAGE_SIZE
    shown = f"{first + 1}–{first + len(listing.rows)}" if listing.rows else "none"
    out.print(f"{listing.total} comment(s) ({state}); {shown} here", highlight=False)
    for c in listing.rows:
        marks = [m for m, on in (("hidden", c.hidden_at), ("chosen", c.chosen_at)) if on]
        when = c.submitted_at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")
        out.print(
            f"{c.id}  {c.question:<10} {when}  {c.unit:<12} {c.channel:<9}"
            f" {','.join(marks) or '-':<14} {c.text}",
            highlight=False,
            soft_wrap=True,
        )
        if c.hidden_reason:
            out.print(f"{'':38}hidden by {c.hidden_by}: {c.hidden_reason}", highlight=False)


def _admin() -> "Principal":
    from app.access.service import Principal

    # Whoever runs the command line has the server: an admin, audited as "cli".
    return Principal(CLI_ACTOR, "admin", None)


def _review(campaign: str, rid: str, question: str, action: "Action", reason: str = "") -> None:
    from app.campaigns import comments
    from app.campaigns.service import get_campaign

    try:
        try:
            sid = uuid.UUID(rid)
        except ValueError:
            raise Invalid.of("response_not_uuid", raw=rid) from None
        with session_scope() as session:
            c = get_campaign(session, campaign)
            comments.review_comment(session, _admin(), c, sid, question, action, reason)
    except AppError as exc:
        fail(exc)
    done = {
        "hide": "hidden (left out of every export)",
        "show": "shown again",
        "choose": "chosen for the report",
        "unchoose": "taken out of the report",
    }[action]
    out.print(f"comment {question} of {rid}: {done}", highlight=False)


@comments_cli.command("hide")
def comments_hide(
    campaign: Campaign,
    response_id: ResponseId,
    reason: Annotated[str, typer.Option(help="Why it is abusive (required, audited).")],
    question: Question = "comment",
) -> None:
    """Hide a comment as abusive: no export carries its text (the response still counts)."""
    _review(campaign, response_id, question, "hide", reason)


@comments_cli.command("show")
def comments_show(
    campaign: Campaign, response_id: ResponseId, question: Question = "comment"
) -> None:
    """Show a hidden comment again."""
    _review(campaign, response_id, question, "show")


@comments_cli.command("choose")
def comments_choose(
    campaign: Campaign, response_id: ResponseId, question: Question = "comment"
) -> None:
    """Choose a comment to print in the report (đưa vào báo cáo); never a hidden one."""
    _review(campaign, response_id, question, "choose")


@comments_cli.command("unchoose")
def comments_unchoose(
    campaign: Campaign, response_id: ResponseId, question: Question = "comment"
) -> None:
    """Take a comment out of the printed report again."""
    _review(campaign, response_id, question, "unchoose")
