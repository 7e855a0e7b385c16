"""Published (unfiltered) reports, served from stored snapshots and rebuilt when due.

A snapshot (`app.counts.snapshot_models.ReportSnapshot`) may be served when either

- it was computed from the campaign's current tallies and no response is waiting
  to be folded in: it is exact; or
- it was computed less than `REPORT_MAX_STALE_SECONDS` ago: every response
  acknowledged before that moment is in it.

Otherwise the first request to come rebuilds it (fold, compute, store) while
requests for the same view wait for that one build: in this process on a lock, in
other processes (`sipas serve --workers N`, or several machines on one PostgreSQL)
by polling for the snapshot the builder stores, since the builder holds a
transaction-scoped advisory lock per view until its snapshot is committed. Under
steady traffic a report is therefore rebuilt at most once per window across every
process, and no acknowledged response is missing from a report for longer than the
window (plus one build).

Changes that are not new responses (an exclusion or a restore, a campaign's
settings or scope, the unit tree, a paper import) `forget` the campaign's snapshots
in the same transaction, so they show at once, window or not.

Each process also keeps the latest snapshot of each view it served in memory (its
compressed bytes only), so a repeated report is two index look-ups.
"""

import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.core import metrics
from app.core.config import get_settings
from app.core.replica import on_replica, use_primary
from app.counts.report_forms import Origin, Report, gc_paused
from app.counts.snapshot_models import ReportSnapshot
from app.counts.tally import has_untallied

# Compressed bytes kept in memory per process, across views (a 1,000-unit report is
# ~3 MB); least recently served views go first.
MEMORY_BYTES = 256 * 1024 * 1024


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Meta:
    version: str
    tally_token: str
    built_at: datetime


def token_of(campaigns: Sequence[Campaign]) -> str:
    """The tally tokens a view depends on (its campaign, and the one it compares with)."""
    return "+".join(c.tally_token for c in campaigns)


_memory: OrderedDict[tuple[int, str], tuple[Meta, Report]] = OrderedDict()
_memory_lock = threading.Lock()
_build_locks: dict[tuple[int, str], threading.Lock] = {}
# Builds completed in this process per view: a request that waited for another's
# build serves that build if one completed after it arrived.
_builds: dict[tuple[int, str], int] = {}


def _remember(key: tuple[int, str], meta: Meta, report: Report) -> None:
    with _memory_lock:
        _memory[key] = (meta, report)
        _memory.move_to_end(key)
        total = sum(len(r.gz()) for _, r in _memory.values())
        while total > MEMORY_BYTES and len(_memory) > 1:
            _, (_, old) = _memory.popitem(last=False)
            total -= len(old.gz())


def _recalled(key: tuple[int, str]) -> tuple[Meta, Report] | None:
    with _memory_lock:
        hit = _memory.get(key)
        if hit is not None:
            _memory.move_to_end(key)
        return hit


def clear_memory() -> None:
    """Forget this process's copies (the benchmark uses it to act as a new process)."""
    with _memory_lock:
        _memory.clear()
        _builds.clear()


def _build_lock(key: tuple[int, str]) -> threading.Lock:
    with _memory_lock:
        return _build_locks.setdefault(key, threading.Lock())


def _meta(session: Session, campaign_id: int, view: str) -> Meta | None:
    row = session.execute(
        select(ReportSnapshot.version, ReportSnapshot.tally_token, ReportSnapshot.built_at).where(
            ReportSnapshot.campaign_id == campaign_id, ReportSnapshot.view == view
        )
    ).first()
    return Meta(*row) if row else None


def _servable(session: Session, meta: Meta, campaigns: Sequence[Campaign]) -> bool:
    window = timedelta(seconds=get_settings().REPORT_MAX_STALE_SECONDS)
    if now() - meta.built_at < window:
        return True
    return meta.tally_token == token_of(campaigns) and not any(
        has_untallied(session, c.id) for c in campaigns
    )


def _read_row(session: Session, key: tuple[int, str]) -> Any:
    """(version, tally_token, built_at, json_gz, csv_gz) of a snapshot, or None."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Binary results: the text protocol would send bytea as hex, twice the bytes
        # to move and decode (a 3 MB snapshot: 23 ms in text, 4 ms in binary).
        raw = conn.connection.driver_connection
        with raw.cursor(binary=True) as cur:  # type: ignore[union-attr]
            cur.execute(
                "SELECT version, tally_token, built_at, json_gz, csv_gz FROM report_snapshot "
                "WHERE campaign_id = %s AND view = %s",
                key,
            )
            return cur.fetchone()
    return conn.execute(
        select(
            ReportSnapshot.version,
            ReportSnapshot.tally_token,
            ReportSnapshot.built_at,
            ReportSnapshot.json_gz,
            ReportSnapshot.csv_gz,
        ).where(ReportSnapshot.campaign_id == key[0], ReportSnapshot.view == key[1])
    ).first()


def _stored(session: Session, key: tuple[int, str], campaigns: Sequence[Campaign]) -> Report | None:
    """The stored report of `key` if it may be served, from memory when this process
    holds the stored version (one small look-up), else read whole in one query."""
    held = _recalled(key)
    if held is not None:
        meta = _meta(session, *key)
        if meta is None or not _servable(session, meta, campaigns):
            return None
        if meta.version == held[0].version:
            return held[1]
    return _load(session, key, lambda meta: _servable(session, meta, campaigns))


def _load(session: Session, key: tuple[int, str], accept: Callable[[Meta], bool]) -> Report | None:
    """The stored snapshot of `key`, read whole and kept in memory, if `accept`s it."""
    row = _read_row(session, key)  # not held, or another process stored a newer one
    if row is None:
        return None
    version, token, built_at, json_gz, csv_gz = row
    meta = Meta(version, token, built_at)
    if not accept(meta):
        return None
    report = Report(gz=bytes(json_gz), origin=Origin(key[0], key[1], version, built_at))
    if csv_gz is not None:
        report.with_csv(bytes(csv_gz))
    _remember(key, meta, report)
    return report


def _store(
    session: Session, key: tuple[int, str], token: str, built_at: datetime, gz: bytes
) -> Meta:
    meta = Meta(uuid.uuid4().hex, token, built_at)
    values: dict[str, Any] = {
        "campaign_id": key[0],
        "view": key[1],
        "version": meta.version,
        "tally_token": token,
        "built_at": built_at,
        "json_gz": gz,
        "csv_gz": None,
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(ReportSnapshot).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["campaign_id", "view"],
            set_={k: stmt.excluded[k] for k in values if k not in ("campaign_id", "view")},
        )
    )
    return meta


# The first key of the advisory locks of report builds (the second is the view's);
# an arbitrary constant that keeps them apart from any other use of advisory locks.
_LOCK_CLASS = 0x51A5
# How long a request waits for another process's build of the same view before it
# builds the report itself (a builder that died or hangs must not stall readers).
SHARED_BUILD_WAIT_SECONDS = 60.0


def _lock_ids(key: tuple[int, str]) -> dict[str, int]:
    """The view's advisory lock: campaign id and a signed 32-bit hash of the view."""
    view = zlib.crc32(f"{key[0]}:{key[1]}".encode())
    return {"c": _LOCK_CLASS, "v": view - (1 << 32) if view >= 1 << 31 else view}


def _claim_build(session: Session, key: tuple[int, str]) -> bool:
    """Take the right to build `key` across processes; False if another has it.

    PostgreSQL: a transaction-scoped advisory lock, so it is released exactly when
    the builder's snapshot is committed (or its transaction fails), never left
    behind by a process that died. Waiters do not queue on the lock (that would
    hold them past `lock_timeout`); they poll for the stored snapshot instead.
    SQLite serves one machine and writes one transaction at a time: no claim.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    got = session.execute(text("SELECT pg_try_advisory_xact_lock(:c, :v)"), _lock_ids(key)).scalar()
    return bool(got)


def _await_build(
    session: Session, key: tuple[int, str], campaigns: Sequence[Campaign], before: Meta | None
) -> Report | None:
    """The snapshot another process is building, once it is stored; None when the
    build is ours to do (the other failed, or is taking too long).

    Whatever that build stores is served, as a request that waited for a build in
    this process serves it: it began after the stale snapshot this request found.
    `before` is the snapshot's state read before the claim failed, so a build
    committed between the two is recognised as new. The claim can also fail on a
    request that has just found a servable snapshot and not yet committed: that
    snapshot is served too.
    """
    deadline = time.monotonic() + SHARED_BUILD_WAIT_SECONDS
    pause = 0.02
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.25)
        claimed = _claim_build(session, key)  # the holder is done (or gone) when True
        meta = _meta(session, *key)
        if meta is not None:

            def usable(m: Meta) -> bool:
                return (before is None or m.version != before.version) or _servable(
                    session, m, campaigns
                )

            if usable(meta):
                stored = _load(session, key, usable)
                if stored is not None:
                    metrics.REBUILD_WAITS.labels("served").inc()
                    return stored
        if claimed:
            break
    metrics.REBUILD_WAITS.labels("built").inc()
    return None


def serve(
    session: Session,
    campaigns: Sequence[Campaign],
    view: str,
    fold: Callable[[], None],
    build: Callable[[], dict[str, Any]],
) -> Report:
    """The report `view` of `campaigns[0]` (which may depend on the others' tallies too).

    `fold` brings the tallies up to date; `build` computes the report's body from them.
    """
    key = (campaigns[0].id, view)
    stored = _stored(session, key, campaigns)
    if stored is not None:
        return stored
    # A rebuild folds and stores: on the primary, from its rows (the replica's view
    # of the campaigns reloads from there).
    use_primary(session)
    seen = _builds.get(key, 0)
    with _build_lock(key):
        held = _recalled(key)
        if held is not None and _builds.get(key, 0) > seen:
            return held[1]  # built by another request while this one waited
        before = _meta(session, *key)  # read before the claim: see _await_build
        if not _claim_build(session, key):
            shared = _await_build(session, key, campaigns, before)
            if shared is not None:
                return shared
        else:
            # A request of this or another process may have committed its build since
            # this one looked (the in-process lock is released before that commit).
            stored = _stored(session, key, campaigns)
            if stored is not None:
                return stored
        built_at = now()
        started = time.perf_counter()
        fold()
        for c in campaigns:
            session.refresh(c, ["tally_token"])
        with gc_paused():
            body = build()
        metrics.REBUILDS.inc()
        metrics.REBUILD_SECONDS.observe(time.perf_counter() - started)
        report = Report(body)
        meta = _store(session, key, token_of(campaigns), built_at, report.gz())
        report.origin = Origin(key[0], key[1], meta.version, built_at)
        _remember(key, meta, Report(gz=report.gz(), origin=report.origin))
        _builds[key] = _builds.get(key, 0) + 1
        return report


def csv_gz(session: Session, report: Report) -> bytes:
    """The report's CSV, compressed; made once per snapshot and kept with it."""
    if report.has_csv() or report.origin is None:
        return report.csv_gz()
    origin = report.origin
    data = report.csv_gz()
    if on_replica(session):
        return data  # kept by the next request served from the primary
    session.execute(
        update(ReportSnapshot)
        .where(
            ReportSnapshot.campaign_id == origin.campaign_id,
            ReportSnapshot.view == origin.view,
            ReportSnapshot.version == origin.version,
        )
        .values(csv_gz=data)
    )
    held = _recalled((origin.campaign_id, origin.view))
    if held is not None and held[0].version == origin.version:
        held[1].with_csv(data)
    return data


def campaign_changed(session: Session, campaign: Campaign) -> None:
    """Something a campaign's reports rest on changed outside the fold (an exclusion,
    dossier counts): a new tally token, so no copy (stored, or kept by a process) is
    served again, and no stored report."""
    token = uuid.uuid4().hex
    session.execute(update(Campaign).where(Campaign.id == campaign.id).values(tally_token=token))
    campaign.tally_token = token
    forget(session, campaign.id)


def forget(session: Session, campaign_id: int | None = None) -> None:
    """Drop the snapshots of one campaign (or all): the next report of each is rebuilt."""
    stmt = delete(ReportSnapshot)
    if campaign_id is not None:
        stmt = stmt.where(ReportSnapshot.campaign_id == campaign_id)
    session.execute(stmt)
