"""A report's body and its encodings: JSON, gzip-compressed JSON, CSV.

A report of a thousand units is about 10 MB of JSON. Each form is made once, from
whichever form is at hand, and a report read back from a snapshot keeps only its
compressed bytes: gzip-accepting clients get those bytes as they are.
"""

import gc
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from app.core.csvfile import SafeWriter

# zlib level 1: a fifth of level 6's time on report JSON for about 20 % more bytes
# (3.1 vs 2.6 MB for 1,190 units); every rebuild pays it, the network only once per
# client.
GZIP_LEVEL = 1


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while hundreds of thousands of small dicts
    are made or parsed: it would rescan the growing heap again and again (it doubled
    the time of a report build, and made parsing one ten times slower). The dicts hold
    no cycles, so nothing is left for it to find afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def gzip_bytes(data: bytes) -> bytes:
    z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    return z.compress(data) + z.flush()


def gunzip_bytes(data: bytes) -> bytes:
    return zlib.decompress(data, 47)  # wbits 47: gzip or zlib header, detected


@dataclass(frozen=True)
class Origin:
    """Where a published report is stored, and as of when its responses were folded in."""

    campaign_id: int
    view: str
    version: str
    built_at: datetime


class Report:
    """One report. Built ones hold their body; ones read back from a snapshot hold only
    the compressed JSON (kept small in memory) and decode it when asked.

    `origin` is set on published reports: their ETag and Last-Modified, and where
    their CSV is kept once made.
    """

    def __init__(
        self,
        body: dict[str, Any] | None = None,
        *,
        gz: bytes | None = None,
        origin: Origin | None = None,
    ):
        if body is None and gz is None:
            raise ValueError("a report needs its body or its compressed JSON")
        self._body = body
        self._json: bytes | None = None
        self._gz = gz
        self._csv_gz: bytes | None = None
        self.origin = origin

    @property
    def body(self) -> dict[str, Any]:
        if self._body is not None:
            return self._body
        with gc_paused():
            body: dict[str, Any] = orjson.loads(self.json())
        return body  # not kept: a decoded report of 1,000 units weighs ~100 MB

    def json(self) -> bytes:
        if self._json is not None:
            return self._json
        if self._body is None:
            assert self._gz is not None
            return gunzip_bytes(self._gz)
        # Same bytes as json.dumps(ensure_ascii=False, separators=(",", ":")), 4x faster.
        self._json = orjson.dumps(self._body, option=orjson.OPT_SERIALIZE_NUMPY)
        return self._json

    def gz(self) -> bytes:
        if self._gz is None:
            self._gz = gzip_bytes(self.json())
        return self._gz

    def csv_gz(self) -> bytes:
        if self._csv_gz is None:
            self._csv_gz = gzip_bytes(to_csv(self.body).encode())
        return self._csv_gz

    def with_csv(self, csv_gz: bytes) -> "Report":
        self._csv_gz = csv_gz
        return self

    def has_csv(self) -> bool:
        return self._csv_gz is not None

    def csv(self) -> str:
        return gunzip_bytes(self.csv_gz()).decode()


BLOCKS = (
    "factors",
    "items",
    "overall_items",
    "perception",
    "timeliness",
    "expectations",
    "respondents",
)


def document_marks(body: dict[str, Any]) -> list[str]:
    """What the document is, for the last columns of every row of a CSV: its edition
    (empty: live results), status (internal, published or interim), when published,
    and the questionnaire (the method) and its version."""
    edition = body.get("edition") or {}
    return [
        str(edition.get("number", "")),
        str(body.get("results", "internal")),
        str(edition.get("published_at") or ""),
        str(body.get("questionnaire", "")),
        str(body.get("version", "")),
    ]


CHANGE_COLUMNS = ["counterpart", "match", "change_points", "change_rank"]
MARK_COLUMNS = ["edition", "status", "published_at", "questionnaire", "questionnaire_version"]


def to_csv(body: dict[str, Any]) -> str:
    """The report in long ("tidy") form: one row per unit and indicator, with the median;
    each row ends with what the document is (edition, status, date, questionnaire)."""
    out = io.StringIO()
    w = SafeWriter(out, lineterminator="\n")
    w.writerow(
        [
            "campaign",
            "unit",
            "name",
            "kind",
            "unit_n",
            "rank",
            "flags",
            "indicator",
            "value",
            "ci_low",
            "ci_high",
            "n",
            "median",
            # A comparison across questionnaire versions: each indicator's counterpart,
            # how closely it matches (none: not comparable) and its change.
            *(CHANGE_COLUMNS if "comparison" in body else []),
            *MARK_COLUMNS,
        ]
    )
    marks = document_marks(body)
    across = "comparison" in body
    units = ([body["unit"]] if "unit" in body else []) + body["units"]
    leagues = body.get("leagues", {})
    for e in units:
        # Each unit beside the median of the units it is ranked among.
        med = leagues[e["league"]]["median"] if e.get("league") in leagues else body["median"]
        head = [
            body["campaign"],
            e["unit"],
            e["name"],
            e["kind"],
            e["n"],
            e.get("rank") or "",
            ";".join(e["flags"]),
        ]
        rows = [("sipas", e["sipas"], med["sipas"])]
        for block in BLOCKS:
            for k, est in e.get(block, {}).items():
                rows.append((f"{block}.{k}", est, med.get(block, {}).get(k)))
        changes = (e.get("changes") or {}).get("indicators", {})
        for name, est, m in rows:
            ci = est["ci"] or ["", ""]
            ch = changes.get(name)
            w.writerow(
                [
                    *head,
                    name,
                    _num(est["value"]),
                    _num(ci[0]),
                    _num(ci[1]),
                    est["n"],
                    _num(m),
                    *(
                        (
                            [
                                ch["counterpart"],
                                ch["match"],
                                _num(ch["points"]),
                                "" if ch["rank"] is None else ch["rank"],
                            ]
                            if ch
                            else ["", "none", "", ""]
                        )
                        if across
                        else []
                    ),
                    *marks,
                ]
            )
    return out.getvalue()


def _num(x: Any) -> str:
    return "" if x is None or x == "" else repr(float(x))
