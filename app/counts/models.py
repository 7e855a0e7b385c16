"""Rollups that make reports cheap: counts per campaign, unit and key."""

import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class Tally(Base):
    """How many answers of a kind a unit received in a campaign.

    Keys: `n` (submissions), `<item>=<value>` (answers per scale value or option,
    0 = not applicable), `<question>#` (respondents who answered a multiple-choice
    or text question), `channel=<channel>`, `day=<YYYY-MM-DD>` (Vietnam calendar day),
    `flag=<name>` per quality flag or `over_quota` and `flag=*` per flagged response,
    and the moments of Cronbach's alpha per
    factor, `a:<factor>:n`, `a:<factor>:s:<item>`, `a:<factor>:x:<item>:<item>`.
    Counts grow by folding submissions in (app/counts/tally.py) and shrink only when
    a coordinator excludes a counted response (app/campaigns/review.py), so a unit's
    figures are the sum over its counted rows, and a subtree's over its units.

    Deliberately without foreign keys: tallies are derived data that can be rebuilt
    from `submission`, and a fold writes hundreds of thousands of rows at once, where
    per-row foreign-key checks cost more than the rest of the fold together.
    """

    __tablename__ = "tally"

    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class UnitAncestor(Base):
    """Closure of the unit tree: one row per (ancestor, descendant), itself included.

    "Everything under this province" becomes a join on an indexed column instead of
    a LIKE on paths, which databases cannot hash-join.
    """

    __tablename__ = "unit_ancestor"

    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    distance: Mapped[int] = mapped_column(Integer)


class FoldQueue(Base):
    """Responses stored but not yet counted into `tally`: one narrow row each,
    deleted by the fold that counts it.

    Why a queue and not a flag on `submission`: flipping a flag rewrote every
    1.2 KB response row and its index entries once more after it was stored (the
    flag sat in a partial index's predicate, so PostgreSQL could not update it in
    place), which doubled the table during a bulk load. Now a response is written
    once, and the fold deletes ~40-byte queue rows instead.

    Filled by a trigger on `submission` (migration 0011), so every way a response
    is stored (API, batch, form, paper import, COPY of the demo loader) queues it
    without the writer knowing; a statement-level trigger on PostgreSQL, which adds
    one INSERT … SELECT per statement, not one per row. A coordinator's restore of
    an excluded response queues it again; an exclusion takes it off the queue, or
    subtracts it if it was counted already. No foreign key, like `tally`: the fold
    deletes these by the hundred thousand, and responses are never deleted.
    """

    __tablename__ = "fold_queue"

    submission_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)


class TallyMoments(Base):
    """The composite-interval moments of one unit in a campaign: one row, one vector.

    `data` is a little-endian int64 vector whose positions are fixed by the
    questionnaire (`app.counts.tally.MomentLayout` documents them); `layout` names
    that arrangement, so a vector written under another one is recomputed from the
    responses, never read with the wrong positions. ~1,600 sums per unit stored as
    tally rows made the fold 4× and the report rebuild 10× slower (docs/benchmarks.md);
    as one row they cost one upsert per unit and one read per report. Like `tally`,
    derived data without foreign keys, grown by the fold and shrunk by exclusions.
    """

    __tablename__ = "tally_moments"

    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    layout: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AnswerBlock(Base):
    """A columnar copy of some counted responses of a campaign, for filtered reports.

    One row per fold chunk (app/counts/columns.py documents `data`): each response's
    unit, Vietnam day, channel, sign and its answers as one small integer per
    question, so a filtered report reads ~70 bytes a response in one query and
    counts with numpy instead of parsing every JSON answer. `sign` -1 rows are
    exclusions of responses counted before (the same subtraction the tallies make);
    `total` is the block's sum of signs, so the blocks of a campaign are known
    complete when their totals add up to its tallied `n`. `layout` names the column
    arrangement; blocks of another arrangement are rebuilt from the responses.
    Derived data without foreign keys, like `tally`.
    """

    __tablename__ = "answer_block"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    layout: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
