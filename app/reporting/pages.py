"""Results for coordinators: the units table with medians and ranks, and one unit's page."""

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.access import dash_format, dash_text
from app.access.dash_render import dash_page
from app.access.security import PagePrincipal
from app.campaigns import coordination
from app.campaigns import service as campaigns
from app.campaigns.pages import query_builder
from app.campaigns.service import questionnaire_of
from app.core import labels as code_words
from app.core.errors import Invalid, NotFound
from app.core.labels import PREVIOUS_MARK
from app.core.replica import ReadSessionDep
from app.questionnaires.catalog import Questionnaire, get_catalog
from app.reporting import comparison, editions, hierarchy, indices, page_query
from app.units import service as units
from app.web.render import language

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    ci: list[float] | None
    n: int
    median: float | None
    kind: str = ""  # an index node's kind where the tree is deeper: aspect or group


def fmt(value: float | None, lang: str = "vi") -> str:
    """An index at the published precision (the digits ranks are decided at), as the
    page's language writes it; the API keeps every digit."""
    return dash_format.index(value, lang)


def ci(interval: list[float] | None, lang: str = "vi") -> str:
    return f"[{fmt(interval[0], lang)}–{fmt(interval[1], lang)}]" if interval else ""


def _bars(figures: dict[str, Any], medians: dict[str, Any], labels: dict[str, str]) -> list[Bar]:
    return [
        Bar(labels.get(k, k), f.get("value"), f.get("ci"), f.get("n", 0), medians.get(k))
        for k, f in figures.items()
    ]


def _node_bars(
    q: Questionnaire, entry: dict[str, Any], median: dict[str, Any], titles: dict[str, str]
) -> list[Bar]:
    """The unit's inner nodes as bars, each marked with its kind in a deeper tree (an
    aspect's label is set in bold, its groups follow it)."""
    kinds = hierarchy.kinds(q)
    deep = "aspect" in kinds.values()
    return [
        Bar(b.label, b.value, b.ci, b.n, b.median, kinds.get(code, "") if deep else "")
        for code, b in zip(
            entry["factors"], _bars(entry["factors"], median["factors"], titles), strict=True
        )
    ]


def _labels(q: Questionnaire, lang: str) -> dict[str, dict[str, str]]:
    def pick(text: dict[str, str]) -> str:
        return text.get(lang) or next(iter(text.values()))

    items = {code: f"{code}. {pick(q.questions[code].text)}" for f in q.groups for code in f.items}
    if q.model.scoring.overall_item and q.model.scoring.overall_item in q.questions:
        code = q.model.scoring.overall_item
        items[code] = f"{code}. {pick(q.questions[code].text)}"
    return {
        "factors": {f.code: pick(f.title) for f in q.groups},
        "items": items,
        **{
            f"q:{question.code}": {
                f"{question.code}.{o.code}": pick(o.label) for o in q.report_options(question)
            }
            for question in q.report_questions("perception")
        },
        "questions": {
            question.code: pick(question.text) for question in q.report_questions("perception")
        },
    }


def _across(body: dict[str, Any], q: Questionnaire, lang: str) -> dict[str, Any] | None:
    """A comparison across questionnaire versions as the page says it: which indicator
    the change column shows, the statement, and each group of indicators that is not
    comparable with its reason, in the page's language (None: not such a comparison)."""
    block = body.get("comparison")
    if not block:
        return None
    key = comparison.headline(body)
    code = key.split(".", 1)[1] if key and "." in key else None
    return {
        "headline": _pick_text(q.node_title(code), lang) if code else "SIPAS",
        "statement": block["statement"][lang],
        "note": block["note"][lang],
        "not_comparable": [
            (", ".join(k.split(".", 1)[-1] for k in x["indicators"]), x["note"][lang])
            for x in block["not_comparable"]
        ],
    }


def _pick_text(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or next(iter(text.values()))


@router.get("/dash/campaigns/{code}/results", response_class=HTMLResponse)
def results_page(
    code: str,
    request: Request,
    session: ReadSessionDep,
    who: PagePrincipal,
    parent: str | None = None,
    sort: str = "rank",
    desc: bool = False,
) -> HTMLResponse:
    """SIPAS and factor indices of the units, one league table per unit kind with its
    median row, for a level, a comparison and filters; the documents to download."""
    c = coordination.visible_campaign(session, who, code)
    q = questionnaire_of(get_catalog(), c)
    lang = language(request)
    other = "en" if lang == "vi" else "vi"
    kinds = page_query.levels(session, c)
    others = page_query.comparable(session, who, c, get_catalog())
    parent = parent or None
    problems: Invalid | None = None
    try:
        asked = page_query.parse(dict(request.query_params), q, kinds, [o.code for o in others])
    except Invalid as exc:
        problems, asked = exc, page_query.Asked(None, None, indices.Filters())
    body: dict[str, Any] = {}
    alone = False
    if problems is None:
        try:
            body = indices.report(
                session,
                get_catalog(),
                c.code,
                level=asked.level,
                parent=parent,
                filters=asked.filters,
                compare=asked.compare,
                aggregate=cast(indices.Aggregate | None, asked.aggregate),
            ).body
        except Invalid as exc:  # weighted without every unit's dossier count: say which
            problems = exc
    if problems is None:
        if parent and not body["units"]:
            # A unit with nothing below it: show the unit itself, not "0 responses".
            body, alone = _unit_alone(session, c, parent, asked), True
    factor_codes = [f.code for f in q.groups]
    labels = _labels(q, lang)
    names = labels["factors"]
    keys: dict[str, Any] = {
        "unit": lambda u: u["unit"],
        "n": lambda u: u["n"],
        "rank": lambda u: (u["rank"] is None, u["rank"] or 0),
        "sipas": lambda u: u["sipas"]["value"] if u["sipas"]["value"] is not None else -1,
        **{
            f: (
                lambda u, f=f: (
                    u["factors"][f]["value"] if u["factors"][f]["value"] is not None else -1
                )
            )
            for f in factor_codes
        },
    }
    rows = sorted(body.get("units", []), key=keys.get(sort, keys["rank"]), reverse=desc)
    # Rank and unit first: on a phone they stay at the left while the rest scrolls.
    columns = [("rank", "rank"), ("unit", "unit"), ("n", "n"), ("sipas", "SIPAS")]
    columns += [(f, names[f]) for f in factor_codes]
    leagues = [
        {"kind": kind, "units": members, "median": info["median"], "ranked": info["ranked"]}
        for kind, info in body.get("leagues", {}).items()
        if (members := [u for u in rows if u["league"] == kind])
    ]
    api = f"/api/v1/campaigns/{c.code}"
    query = page_query.api_query(asked, body.get("parent") if not alone else None)
    # Once published, the live figures here are no longer "not published": say which
    # edition the public sees, so a coordinator does not take one for the other.
    shown = editions.shown_editions(session, c)
    return dash_page(
        request,
        "results.html",
        who,
        status_code=422 if problems else 200,
        campaign=c,
        tab="results",
        body=body,
        leagues=leagues,
        columns=columns,
        factor_codes=factor_codes,
        change_of=lambda u: comparison.shown_change(body, u),
        across=_across(body, q, lang),
        factor_legend=" · ".join(f"{f}: {names[f]}" for f in factor_codes),
        # A deeper tree: aspect headings over their groups, and a legend line each.
        headings=hierarchy.headings(q, lang),
        tree_legend=hierarchy.legend(q, lang),
        node_kind=hierarchy.kinds(q),
        alone=alone,
        public_edition=shown[-1] if shown else None,
        sort=sort,
        desc=desc,
        parent=parent,
        asked=asked,
        problems=problems,
        kinds=kinds,
        others=others,
        aggregates=page_query.AGGREGATES,
        default_aggregate=c.aggregate,
        choices=page_query.options(q, lang),
        notes=lambda u: flag_notes(u, labels["items"], lang),
        previous_mark=PREVIOUS_MARK,
        downloads=_downloads(api, query, lang),
        # The published edition's documents first (what a conference hands out), then
        # the live internal ones, labelled as such.
        edition_downloads=(
            _edition_downloads(api, shown[-1].number, asked.level, parent, lang) if shown else []
        ),
        microdata=[
            (fmt_, f"{api}/microdata?format={fmt_}&lang={lang}") for fmt_ in MICRODATA_FORMATS
        ],
        # The labelled documents in the other language too (a report for a ministry
        # in English, the Vietnamese workbook for a provincial office).
        other_lang=[
            (key, href)
            for key, href in _downloads(api, query, other)
            if key in ("dl_xlsx", "dl_wide", "dl_pdf")
        ]
        + [(f"dl_micro_{f}", f"{api}/microdata?format={f}&lang={other}") for f in ("sav", "dta")],
        fmt=lambda v: fmt(v, lang),
        ci=lambda v: ci(v, lang),
        query=query_builder(request),
    )


MICRODATA_FORMATS = ("sav", "dta", "csv", "xlsx")


def _downloads(api: str, query: str, lang: str) -> list[tuple[str, str]]:
    """(text key, link) of every document of the indices for what the page shows, in
    the page's language."""
    base = f"{api}/indices?{query}&" if query else f"{api}/indices?"
    sep = ";" if lang == "vi" else ","
    wide = urlencode({"format": "csv", "shape": "wide", "sep": sep, "lang": lang})
    return [
        ("dl_xlsx", f"{base}format=xlsx&lang={lang}"),
        ("dl_wide", f"{base}{wide}"),
        ("dl_long", f"{base}format=csv"),
        ("dl_pdf", f"{base}format=pdf&lang={lang}"),
    ]


def _edition_downloads(
    api: str, number: int, level: str | None, parent: str | None, lang: str
) -> list[tuple[str, str]]:
    """(text key, link) of the PDF, workbook and CSV of published edition `number`, for
    the level or the unit the page lists when the edition keeps that document (it keeps
    one per unit kind and one per unit with sub-units), else the campaign's own."""
    view = {"level": level} if level and not parent else {"parent": parent} if parent else {}
    base = f"{api}/indices?" + urlencode({**view, "edition": number})
    return [
        ("dl_pdf", f"{base}&format=pdf&lang={lang}"),
        ("dl_xlsx", f"{base}&format=xlsx&lang={lang}"),
        ("dl_long", f"{base}&format=csv"),
    ]


def flag_notes(unit: dict[str, Any], items: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """Each flag of a unit in words, with what caused it: the criterion short of the
    minimum sample, or the components that could not be computed."""
    detail = unit.get("flag_detail") or {}
    out = []
    for flag in unit.get("flags", []):
        d = detail.get(flag) or {}
        if flag == "small_sample" and d:
            text = dash_text.t(
                "ufx_small_sample",
                lang,
                item=items.get(d["item"], d["item"]),
                n=d["n"],
                min=d["min_sample"],
            )
        elif flag == "incomplete" and d.get("missing"):
            text = dash_text.t("ufx_incomplete", lang, missing=", ".join(d["missing"]))
        elif flag == "incomplete":
            text = dash_text.t("ufx_incomplete_empty", lang)
        else:
            text = ""
        out.append((flag, text))
    return out


def _siblings_report(
    session: ReadSessionDep, c: Any, found: Any, asked: page_query.Asked | None = None
) -> dict[str, Any]:
    """The report in which a unit is compared with its siblings: the campaign's scope
    units, or the units under its parent (filtered and compared as asked)."""
    extra: dict[str, Any] = (
        {
            "filters": asked.filters,
            "compare": asked.compare,
            "aggregate": cast(indices.Aggregate | None, asked.aggregate),
        }
        if asked is not None
        else {}
    )
    scope = {s.unit.id for s in campaigns.scope(session, c)}
    if found.id in scope or found.parent_id is None:
        return indices.report(session, get_catalog(), c.code, **extra).body
    parent = session.get(type(found), found.parent_id)
    return indices.report(
        session, get_catalog(), c.code, parent=parent.code if parent else None, **extra
    ).body


def _unit_alone(
    session: ReadSessionDep, c: Any, code: str, asked: page_query.Asked | None = None
) -> dict[str, Any]:
    """The results table of one unit that has no units below it (with its siblings'
    median), or the empty table when the unit is unknown or outside the campaign."""
    found = units.find_unit(session, code)
    if found is None:
        raise NotFound.of("unit_unknown", code=code)
    around = _siblings_report(session, c, found, asked)
    mine = [u for u in around["units"] if u["unit"] == code]
    return {**around, "parent": code, "units": mine, "n": sum(u["n"] for u in mine)}


@router.get("/dash/campaigns/{code}/units/{unit}", response_class=HTMLResponse)
def unit_page(
    code: str, unit: str, request: Request, session: ReadSessionDep, who: PagePrincipal
) -> HTMLResponse:
    """One unit: factors, the 22 criteria, timeliness and perception beside the median of
    its sibling units, as bar charts with the numbers in a table below each."""
    c = coordination.visible_campaign(session, who, code)
    found = units.find_unit(session, unit)
    if found is None:
        raise NotFound.of("unit_unknown", code=unit)
    body = _siblings_report(session, c, found)
    entry = next((u for u in body["units"] if u["unit"] == unit), None)
    if entry is None:
        raise NotFound.of("unit_not_in_campaign", unit=unit, code=c.code)
    q = questionnaire_of(get_catalog(), c)
    lang = language(request)
    labels = _labels(q, lang)
    # Beside the median of the units it is ranked among (its own kind).
    league = body.get("leagues", {}).get(entry.get("league"))
    median = league["median"] if league else body["median"]
    time_labels = {k: dash_text.t(f"t_{k}", lang) for k in entry.get("timeliness", {})}
    return dash_page(
        request,
        "unit.html",
        who,
        campaign=c,
        tab="results",
        entry=entry,
        notes=flag_notes(entry, labels["items"], lang),
        median=median,
        factor_rows=_node_bars(q, entry, median, labels["factors"]),
        nodes_heading=(
            code_words.say(code_words.NODE_KINDS_DEEP, lang) if hierarchy.headings(q, lang) else ""
        ),
        nodes_note=(
            code_words.say(code_words.NODE_KINDS_NOTE, lang) if hierarchy.headings(q, lang) else ""
        ),
        item_rows=_bars(entry["items"], median["items"], labels["items"]),
        time_rows=_bars(entry.get("timeliness", {}), median.get("timeliness", {}), time_labels),
        perception=[
            (
                title,
                _bars(
                    {
                        k: v
                        for k, v in entry.get("perception", {}).items()
                        if k.startswith(f"{code}.")
                    },
                    median.get("perception", {}),
                    labels[f"q:{code}"],
                ),
            )
            for code, title in labels["questions"].items()
        ],
        fmt=lambda v: fmt(v, lang),
        ci=lambda v: ci(v, lang),
    )
