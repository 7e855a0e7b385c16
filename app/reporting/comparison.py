"""`compare=` across questionnaire versions: change where a mapping file says the
indicators correspond, a plain statement where they do not.

Two campaigns on the same questionnaire compare as they always have (the SIPAS of each
unit, its points and places). Between two versions the overall indices may not be the
same construct (sipas-2023's SIPAS includes public policy, sipas-2017's does not), so
each indicator of the current report is compared with its counterpart named in
`questionnaires/mappings/` (app/questionnaires/mappings.py), and every other one is
listed in the body's `comparison` block with the mapping's reason.
"""

from typing import Any

from analysis.ranking import change as change_of
from analysis.ranking import competition_ranks
from app.core.config import get_settings
from app.core.errors import FieldError, Invalid
from app.questionnaires.catalog import Questionnaire
from app.questionnaires.mappings import Comparison, indicator_key
from app.reporting.compare_text import OTHER_BLOCKS, STATEMENT

# Blocks of rates whose questions differ between the methods: never compared.
RATE_BLOCKS = ("perception", "timeliness", "expectations", "respondents")


def refuse(current: Questionnaire, previous: Questionnaire, compare: str) -> Invalid:
    """The 422 of a comparison between two versions that no mapping file relates."""
    mine = f"{current.slug} v{current.version}"
    theirs = f"{previous.slug} v{previous.version}"
    return Invalid.of(
        "compare_no_mapping",
        [
            FieldError.of(
                "compare", "compare_no_mapping_field", "value", value=compare, previous=theirs
            )
        ],
        campaign=compare,
        questionnaire=mine,
        previous=theirs,
    )


def figure_at(entry: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The figure of a report unit at `sipas` or `block.code`."""
    if key == "sipas":
        found: dict[str, Any] | None = entry.get("sipas")
        return found
    block, code = key.split(".", 1)
    got: dict[str, Any] | None = entry.get(block, {}).get(code)
    return got


def _value(entry: dict[str, Any] | None, key: str) -> float | None:
    if entry is None:
        return None
    fig = figure_at(entry, key)
    return fig["value"] if fig else None


def _ranks(entries: list[dict[str, Any]], key: str) -> dict[tuple[str, str], int]:
    """Each unflagged unit's rank on one indicator within its league: (league, unit)."""
    precision = get_settings().RANK_PRECISION
    out: dict[tuple[str, str], int] = {}
    for league in dict.fromkeys(e["league"] for e in entries):
        values = {
            e["unit"]: _value(e, key) for e in entries if e["league"] == league and not e["flags"]
        }
        for unit, rank in competition_ranks(values, precision=precision).items():
            out[(league, unit)] = rank
    return out


def apply(
    body: dict[str, Any],
    entries: list[dict[str, Any]],
    overall: dict[str, Any] | None,
    previous: dict[str, Any],
    mapping: Comparison,
    current: Questionnaire,
    previous_q: Questionnaire,
    compare: str,
) -> None:
    """Set each unit's `changes` (and `change`, the headline's, where the overall index
    has a counterpart) and the body's `comparison` block."""
    pairs = [
        (indicator_key(current, p.code), indicator_key(previous_q, p.counterpart), p)
        for p in mapping.pairs
    ]
    before = {e["unit"]: e for e in previous["units"]}
    ranks_now = {key: _ranks(entries, key) for key, _, _ in pairs}
    ranks_then = {key: _ranks(previous["units"], key) for _, key, _ in pairs}
    for e in entries:
        p = before.get(e["unit"])
        same_league = p is not None and p.get("league") == e["league"]
        indicators: dict[str, Any] = {}
        for key, theirs, pair in pairs:
            rank = ranks_now[key].get((e["league"], e["unit"]))
            was = ranks_then[theirs].get((e["league"], e["unit"])) if same_league else None
            ch = change_of(_value(e, key), _value(p, theirs), rank, was)
            indicators[key] = {
                "counterpart": theirs,
                "match": pair.match,
                "previous": _value(p, theirs),
                "points": ch.points,
                "rank": ch.rank,
            }
        e["changes"] = {
            "campaign": compare,
            "previous_flags": list(p["flags"]) if p else [],
            "indicators": indicators,
        }
        if "sipas" in indicators:
            head = indicators["sipas"]
            e["change"] = {
                "campaign": compare,
                "points": head["points"],
                "rank": head["rank"],
                "previous_flags": e["changes"]["previous_flags"],
            }
    was_overall = previous.get("overall")
    if (
        overall is not None
        and was_overall is not None
        and was_overall.get("aggregate") == overall.get("aggregate")
    ):
        indicators = {}
        for key, theirs, pair in pairs:
            ch = change_of(_value(overall, key), _value(was_overall, theirs), None, None)
            indicators[key] = {
                "counterpart": theirs,
                "match": pair.match,
                "previous": _value(was_overall, theirs),
                "points": ch.points,
                "rank": None,
            }
        overall["changes"] = {"campaign": compare, "previous_flags": [], "indicators": indicators}
        if "sipas" in indicators:
            overall["change"] = {
                "campaign": compare,
                "points": indicators["sipas"]["points"],
                "rank": None,
                "previous_flags": [],
            }
    not_comparable = [
        {"indicators": [indicator_key(current, c) for c in codes], "note": note}
        for codes, note in mapping.unmatched
    ]
    blocks = [b for b in RATE_BLOCKS if entries and entries[0].get(b)]
    if blocks:
        not_comparable.append({"indicators": blocks, "note": dict(OTHER_BLOCKS)})
    mine = f"{current.slug} v{current.version}"
    theirs = f"{previous_q.slug} v{previous_q.version}"
    body["comparison"] = {
        "campaign": compare,
        "questionnaire": previous_q.slug,
        "version": previous_q.version,
        "mapping": mapping.source.name,
        "statement": {
            lang: STATEMENT[lang].format(
                campaign=compare,
                questionnaire=mine,
                previous=theirs,
                n=len(pairs),
                exact=sum(p.match == "exact" for _, _, p in pairs),
            )
            for lang in ("vi", "en")
        },
        "note": mapping.note,
        "comparable": [
            {"indicator": key, "counterpart": theirs, "match": p.match, "note": p.note}
            for key, theirs, p in pairs
        ],
        "not_comparable": not_comparable,
    }


def headline(body: dict[str, Any]) -> str | None:
    """Across versions, the indicator a table's change column shows: the highest one with
    a counterpart (sipas-2023's service aspect against the 2017 SIPAS). None otherwise."""
    block = body.get("comparison")
    if not block or not block["comparable"]:
        return None
    key: str = block["comparable"][0]["indicator"]
    return key


def shown_change(body: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The change a table shows beside a unit: its SIPAS's, or across versions its
    headline indicator's (see `headline`), with the unit's previous flags."""
    if "change" in entry or "comparison" not in body:
        found: dict[str, Any] = entry.get("change") or {}
        return found
    key = headline(body)
    changes = entry.get("changes") or {}
    ch = changes.get("indicators", {}).get(key) if key else None
    if ch is None:
        return {}
    return {**ch, "campaign": changes["campaign"], "previous_flags": changes["previous_flags"]}
