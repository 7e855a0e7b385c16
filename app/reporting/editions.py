"""Publishing (công bố): editions that freeze a campaign's reports for the public.

Results are internal until published. Publishing copies every report the public
may ask for (the campaign's top level, each unit kind, the units under each unit,
each unit's own report) as the report service builds them now, into an edition;
the public is served those copies, so responses or exclusions arriving later never
change what was announced. Publishing again makes edition N+1, with a note saying
why and the list of units whose SIPAS or rank moved. Unpublishing hides every
edition (nothing is deleted); publishing again shows them all with the new one.
"""

from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.service import Principal
from app.campaigns import coordination
from app.campaigns.models import Campaign, CampaignStatus, CampaignUnit
from app.collection.models import Submission
from app.core.config import get_settings
from app.core.errors import Conflict, FieldError, Invalid, NotFound
from app.counts.models import UnitAncestor
from app.counts.report_forms import Report, gzip_bytes
from app.questionnaires.catalog import Catalog
from app.reporting import indices
from app.reporting.models import Edition, EditionDocument
from app.units.models import Unit

TOP = "top"
MAX_TEXT = 1000
INTERIM_NOTICE = "kết quả sơ bộ / preliminary results"


def view_of(level: str | None, parent: str | None) -> str:
    """The document of an edition that answers a list request."""
    if parent is not None and level is not None:
        return f"parent:{parent}:level:{level}"
    if parent is not None:
        return f"parent:{parent}"
    if level is not None:
        return f"level:{level}"
    return TOP


def unit_view(unit: str) -> str:
    return f"unit:{unit}"


def units_covered(session: Session, campaign: Campaign) -> list[Unit]:
    """Every unit in the campaign's scope or under it, in code order."""
    scope = select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id)
    below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id.in_(scope))
    return list(session.scalars(select(Unit).where(Unit.id.in_(below)).order_by(Unit.code)))


def freeze(session: Session, catalog: Catalog, campaign: Campaign) -> dict[str, bytes]:
    """Every report view of the campaign as the report service builds it now (gzip JSON)."""
    covered = units_covered(session, campaign)
    parents = {u.parent_id for u in covered}
    docs: dict[str, bytes] = {}

    def put(view: str, report: Report) -> None:
        docs[view] = report.gz()

    put(TOP, indices.report(session, catalog, campaign.code))
    for kind in sorted({u.kind for u in covered}):
        put(view_of(kind, None), indices.report(session, catalog, campaign.code, level=kind))
    for u in covered:
        if u.id in parents:
            put(
                view_of(None, u.code),
                indices.report(session, catalog, campaign.code, parent=u.code),
            )
        put(unit_view(u.code), indices.unit_report(session, catalog, campaign.code, u.code))
    return docs


# What the printed report says of its sample beyond the indices (responses per
# channel, exclusions by reason, the comments chosen), frozen with the edition so a
# correction or a comment chosen later never changes a published edition's PDF.
SAMPLE_VIEW = "sample:printed"


def _sample(session: Session, campaign: Campaign) -> dict[str, Any]:
    from app.reporting import printed  # typesetting code, loaded only when publishing

    return printed.sample_of(session, campaign).as_json()


def frozen_sample(session: Session, edition: Edition) -> dict[str, Any] | None:
    """The sample frozen with an edition (None for editions published before it was)."""
    gz = session.scalar(
        select(EditionDocument.json_gz).where(
            EditionDocument.edition_id == edition.id, EditionDocument.view == SAMPLE_VIEW
        )
    )
    return None if gz is None else dict(orjson.loads(Report(gz=bytes(gz)).json()))


def _standing(docs: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Each unit's SIPAS (from its own report) and rank (in the first list it is in)."""
    out: dict[str, dict[str, Any]] = {}
    lists = sorted(v for v in docs if not v.startswith(("unit:", "sample:")))
    lists.sort(key=lambda v: v != TOP)  # the top level's ranks first
    for view in lists:
        body = Report(gz=docs[view]).body
        for e in body["units"]:
            out.setdefault(e["unit"], {"name": e["name"], "rank": e.get("rank")})
    for view, gz in docs.items():
        if view.startswith("unit:"):
            u = Report(gz=gz).body["unit"]
            out.setdefault(u["unit"], {"name": u["name"], "rank": None})
            out[u["unit"]]["sipas"] = u["sipas"]["value"]
    return out


def moved_between(before: dict[str, bytes], after: dict[str, bytes]) -> list[dict[str, Any]]:
    """Units whose SIPAS (at the published precision) or rank differ between two editions."""
    digits = get_settings().RANK_PRECISION
    old, new = _standing(before), _standing(after)

    def shown(x: float | None) -> float | None:
        return None if x is None else round(x, digits)

    moved = []
    for code in sorted(set(old) | set(new)):
        a, b = old.get(code, {}), new.get(code, {})
        if shown(a.get("sipas")) != shown(b.get("sipas")) or a.get("rank") != b.get("rank"):
            moved.append(
                {
                    "unit": code,
                    "name": b.get("name") or a.get("name"),
                    "sipas": [a.get("sipas"), b.get("sipas")],
                    "rank": [a.get("rank"), b.get("rank")],
                }
            )
    return moved


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if 0 < len(value) <= MAX_TEXT else None


def all_editions(session: Session, campaign: Campaign) -> list[Edition]:
    return list(
        session.scalars(
            select(Edition).where(Edition.campaign_id == campaign.id).order_by(Edition.number)
        )
    )


def shown_editions(session: Session, campaign: Campaign) -> list[Edition]:
    """The editions the public sees (none while unpublished, or for a private campaign)."""
    if campaign.is_private:
        return []
    return [e for e in all_editions(session, campaign) if e.hidden_at is None]


def is_published(session: Session, campaign: Campaign) -> bool:
    return bool(shown_editions(session, campaign))


def check_publishable(session: Session, campaign: Campaign, interim: bool) -> None:
    """Why the campaign cannot be published now, as an error (nothing if it can)."""
    if campaign.is_private:
        raise Conflict.of("publish_private", code=campaign.code)
    if campaign.status == CampaignStatus.draft:
        raise Conflict.of("publish_draft", code=campaign.code)
    if campaign.status != CampaignStatus.closed and not interim:
        raise Conflict.of("publish_not_closed", code=campaign.code, status=campaign.status)


def _counts(session: Session, campaign: Campaign) -> tuple[int, int]:
    total, excluded = session.execute(
        select(func.count(), func.count(Submission.excluded_at)).where(
            Submission.campaign_id == campaign.id
        )
    ).one()
    return int(total) - int(excluded), int(excluded)


def publish(
    session: Session,
    catalog: Catalog,
    who: Principal,
    campaign: Campaign,
    *,
    note: str | None = None,
    interim: bool = False,
) -> Edition:
    """Freeze the campaign's reports as its next edition and show every edition."""
    coordination.check_may_change(session, who, campaign)
    check_publishable(session, campaign, interim)
    previous = all_editions(session, campaign)
    text = _text(note)
    if previous and text is None:
        raise Invalid.of(
            "publish_note_required",
            [FieldError.of("note", "chars_1_1000", "required")],
            number=previous[-1].number,
        )
    if note and note.strip() and text is None:  # too long
        raise Invalid.of("form_has_problems", [FieldError.of("note", "chars_1_1000")])
    docs = freeze(session, catalog, campaign)
    moved = moved_between(documents(session, previous[-1]), docs) if previous else []
    docs[SAMPLE_VIEW] = gzip_bytes(orjson.dumps(_sample(session, campaign)))
    responses, excluded = _counts(session, campaign)
    now = datetime.now(UTC)
    edition = Edition(
        campaign_id=campaign.id,
        number=(previous[-1].number + 1) if previous else 1,
        published_at=now,
        published_by=who.actor,
        account_id=who.account_id,
        interim=interim,
        note=text,
        moved=moved,
        responses=responses,
        excluded=excluded,
    )
    session.add(edition)
    session.flush()
    session.add_all(
        EditionDocument(edition_id=edition.id, view=view, json_gz=gz) for view, gz in docs.items()
    )
    for e in previous:
        e.hidden_at = None
        e.hidden_reason = None
    session.flush()
    accounts.audit(
        session,
        who.actor,
        "campaign.publish",
        campaign.code,
        {
            "edition": edition.number,
            "interim": interim,
            "note": text,
            "moved": [m["unit"] for m in moved],
        },
    )
    return edition


def unpublish(session: Session, who: Principal, campaign: Campaign, reason: str | None) -> int:
    """Hide every edition of the campaign from the public; returns how many."""
    coordination.check_may_change(session, who, campaign)
    text = _text(reason)
    if text is None:
        raise Invalid.of(
            "unpublish_reason_required", [FieldError.of("reason", "chars_1_1000", "required")]
        )
    shown = [e for e in all_editions(session, campaign) if e.hidden_at is None]
    if not shown:
        raise Conflict.of("unpublish_nothing", code=campaign.code)
    now = datetime.now(UTC)
    for e in shown:
        e.hidden_at = now
        e.hidden_reason = text
    session.flush()
    accounts.audit(
        session,
        who.actor,
        "campaign.unpublish",
        campaign.code,
        {"reason": text, "editions": [e.number for e in shown]},
    )
    return len(shown)


def documents(session: Session, edition: Edition) -> dict[str, bytes]:
    rows = session.execute(
        select(EditionDocument.view, EditionDocument.json_gz).where(
            EditionDocument.edition_id == edition.id
        )
    ).all()
    return {view: bytes(gz) for view, gz in rows}


def pick(
    session: Session, campaign: Campaign, number: int | None, *, internal: bool = False
) -> Edition:
    """The edition asked for (the latest shown one by default). The public sees only
    shown editions; a signed-in reader (`internal`) may read hidden ones too."""
    eds = all_editions(session, campaign) if internal else shown_editions(session, campaign)
    if not eds:
        raise NotFound.of("not_published", code=campaign.code)
    if number is None:
        shown = [e for e in eds if e.hidden_at is None]
        return (shown or eds)[-1]
    for e in eds:
        if e.number == number:
            return e
    raise NotFound.of("edition_unknown", code=campaign.code, number=number)


def meta(edition: Edition) -> dict[str, Any]:
    """What every document of an edition says about it."""
    return {
        "number": edition.number,
        "published_at": edition.published_at.isoformat(),
        "interim": edition.interim,
        "note": edition.note,
        "moved": edition.moved,
        "responses": edition.responses,
        "excluded": edition.excluded,
    }


def mark(data: bytes, extra: dict[str, Any]) -> bytes:
    """A report's JSON with `extra` keys put first (no decode of a 10 MB body)."""
    head = orjson.dumps(extra)
    return head[:-1] + b"," + data[1:] if len(data) > 2 else head


def published_marks(edition: Edition) -> dict[str, Any]:
    out: dict[str, Any] = {"results": "interim" if edition.interim else "published"}
    out["edition"] = meta(edition)
    if edition.interim:
        out["notice"] = INTERIM_NOTICE
    return out


INTERNAL_MARKS = {"results": "internal", "notice": "internal results, not published"}


def served(session: Session, edition: Edition, view: str, campaign: Campaign) -> Report:
    """One document of an edition, with the edition's marks in it."""
    gz = session.scalar(
        select(EditionDocument.json_gz).where(
            EditionDocument.edition_id == edition.id, EditionDocument.view == view
        )
    )
    if gz is None:
        raise NotFound.of(
            "edition_view_missing", code=campaign.code, number=edition.number, view=view
        )
    data = mark(Report(gz=bytes(gz)).json(), published_marks(edition))
    return Report(gz=gzip_bytes(data))
