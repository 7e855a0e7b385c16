"""The results as documents people open in Excel: a workbook (`.xlsx`) and the
ranking table as a table-shaped CSV.

Both are made from one indices report body (app/reporting/indices.py), so every
number in them is a number of the JSON report. Labels come from the questionnaire
(factor titles, criteria, options) and app/reporting/doc_text.py, in the reader's
language.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.core import labels as code_words
from app.core.clock import VIETNAM
from app.core.csvfile import SafeWriter, safe_workbook
from app.questionnaires.catalog import Questionnaire
from app.reporting import hierarchy, method_text
from app.reporting.comparison import headline, shown_change
from app.reporting.doc_text import (
    d,
    kind_label,
    notes,
    rank_interval_text,
    status_text,
    vs_median_label,
)
from app.reporting.figures import rate_key

# Blocks of per-option rates with the sheet each goes to.
RATE_SHEETS = (
    ("perception", "sheet_perception"),
    ("timeliness", "sheet_timeliness"),
    ("expectations", "sheet_expectations"),
    ("respondents", "sheet_respondents"),
)
TIMELINESS = {
    "early": {"vi": "Sớm hơn hẹn", "en": "Early"},
    "on_time": {"vi": "Đúng hẹn", "en": "On time"},
    "late": {"vi": "Muộn hơn hẹn", "en": "Late"},
    "on_time_or_early": {"vi": "Đúng hoặc sớm hơn hẹn", "en": "On time or early"},
}


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()))


def _node_titles(q: Questionnaire, lang: str) -> dict[str, str]:
    """Each inner node's column title: a factor's title as it is; in a deeper tree an
    aspect's says it is one ("Lĩnh vực: …") and a group's carries its code, so the
    columns read as aspects each followed by its groups."""
    kinds = hierarchy.kinds(q)
    if "aspect" not in kinds.values():
        return {f.code: _pick(f.title, lang) for f in q.groups}
    aspect = code_words.node_kind("aspect", lang)
    return {
        f.code: f"{aspect}: {_pick(f.title, lang)}"
        if kinds[f.code] == "aspect"
        else f"{f.code}. {_pick(f.title, lang)}"
        for f in q.groups
    }


def labels(q: Questionnaire, lang: str) -> dict[str, dict[str, str]]:
    """Column titles of every indicator, per block, in `lang`."""
    out: dict[str, dict[str, str]] = {
        "factors": _node_titles(q, lang),
        "items": {c: f"{c}. {_pick(q.questions[c].text, lang)}" for c in q.criteria},
        "timeliness": {k: _pick(v, lang) for k, v in TIMELINESS.items()},
    }
    for block in ("perception", "expectations", "respondents"):
        cols: dict[str, str] = {}
        for question in q.report_questions(block):
            for o in q.report_options(question):
                title = _pick(o.label, lang)
                if question.code != block:
                    title = f"{_pick(question.text, lang)} — {title}"
                cols[rate_key(block, question.code, o.code)] = title
        out[block] = cols
    return out


@dataclass(frozen=True)
class League:
    name: str
    units: list[dict[str, Any]]
    median: dict[str, Any]
    median_n: dict[str, Any]


def leagues(body: dict[str, Any]) -> Iterator[League]:
    """The report's leagues in order, each with its units best first (unranked last)."""
    by_league: dict[str, list[dict[str, Any]]] = {}
    for e in body["units"]:
        by_league.setdefault(e.get("league", "mixed"), []).append(e)
    for name, units in by_league.items():
        info = body.get("leagues", {}).get(name, {})
        ordered = sorted(units, key=lambda e: (e["rank"] is None, e["rank"] or 0, e["unit"]))
        yield League(
            name,
            ordered,
            info.get("median", body["median"]),
            info.get("median_n", body.get("median_n", {})),
        )


def _num(ws: Any, row: int, col: int, value: float | None, fmt: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def change_headers(body: dict[str, Any], names: dict[str, Any], lang: str) -> list[str]:
    """The change columns' headers; across questionnaire versions they name the indicator
    they show (the highest one with a counterpart, app/reporting/comparison.py)."""
    heads = [d("change_points", lang), d("change_rank", lang)]
    key = headline(body)
    if key is None or key == "sipas":
        return heads
    block, code = key.split(".", 1)
    name = names.get(block, {}).get(code, code)
    return [f"{h}: {name}" for h in heads]


def workbook(body: dict[str, Any], q: Questionnaire, lang: str, *, as_of: datetime | None) -> bytes:
    """The report as an Excel workbook: the ranking per unit kind with medians, one
    sheet per block of indicators, and the method.

    Numbers are stored as numbers (full precision) with a two-decimal display, so
    Vietnamese Excel shows 71,80 and sums and charts work; text is always written
    as text (a unit named "=HYPERLINK(…)" stays a name).
    """
    out = io.BytesIO()
    wb = safe_workbook(out)
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4"})
    title = wb.add_format({"bold": True, "font_size": 13})
    pct = wb.add_format({"num_format": "0.00"})
    pct_bold = wb.add_format({"num_format": "0.00", "bold": True})
    whole = wb.add_format({"num_format": "0"})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    styles = {"head": head, "title": title, "pct": pct, "pct_bold": pct_bold, "whole": whole}
    styles["bold"] = bold
    names = labels(q, lang)
    compare = any("change" in e for e in body["units"]) or "comparison" in body

    # Ranking: one section per league (unit kind), then its median row.
    ws = wb.add_worksheet(d("sheet_ranking", lang))
    factor_codes = [f.code for f in q.groups]
    columns = [d("rank", lang), d("unit_code", lang), d("unit", lang), d("kind", lang)]
    columns += [d("n", lang), "SIPAS", d("ci_low", lang), d("ci_high", lang)]
    columns += [names["factors"][c] for c in factor_codes]
    if compare:
        columns += change_headers(body, names, lang)
    columns += [d("rank_best", lang), d("rank_worst", lang), d("vs_median", lang)]
    columns += [d("flags", lang)]
    row = 0
    overall = body.get("overall")
    if overall:
        row = _overall_block(ws, body, overall, columns, factor_codes, lang, styles)
    first_header: int | None = None
    for league in leagues(body):
        ws.write_string(row, 0, kind_label(league.name, lang), title)
        if row == 0:  # what these figures are, beside the first title
            ws.write_string(row, 3, status_text(body, lang), bold)
        row += 1
        for col, text in enumerate(columns):
            ws.write_string(row, col, text, head)
        header_row = row
        row += 1
        for e in league.units:
            if e["rank"] is None:
                ws.write_blank(row, 0, None)
            else:
                ws.write_number(row, 0, e["rank"], whole)
            ws.write_string(row, 1, e["unit"])
            ws.write_string(row, 2, e["name"])
            ws.write_string(row, 3, kind_label(e["kind"], lang))
            ws.write_number(row, 4, e["n"], whole)
            ci = e["sipas"]["ci"] or [None, None]
            _num(ws, row, 5, e["sipas"]["value"], pct_bold)
            _num(ws, row, 6, ci[0], pct)
            _num(ws, row, 7, ci[1], pct)
            col = 8
            for code in factor_codes:
                _num(ws, row, col, e["factors"][code]["value"], pct)
                col += 1
            if compare:
                change = shown_change(body, e)
                _num(ws, row, col, change.get("points"), pct)
                if change.get("rank") is None:
                    ws.write_blank(row, col + 1, None)
                else:
                    ws.write_number(row, col + 1, change["rank"], whole)
                col += 2
            # The 95 % rank interval as two numbers (best, worst) a reader can sort on.
            best, worst = e.get("rank_interval") or (None, None)
            _num(ws, row, col, best, whole)
            _num(ws, row, col + 1, worst, whole)
            ws.write_string(row, col + 2, vs_median_label(e, lang))
            ws.write_string(row, col + 3, notes(e, lang))
            row += 1
        ws.write_string(row, 2, d("median", lang), bold)
        _num(ws, row, 5, league.median.get("sipas"), pct_bold)
        for i, code in enumerate(factor_codes):
            _num(ws, row, 8 + i, league.median.get("factors", {}).get(code), pct)
        row += 2
        if first_header is None:
            first_header = header_row
            ws.freeze_panes(header_row + 1, 3)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 3, 18)
    ws.set_column(4, 4, 9)
    ws.set_column(5, len(columns) - 3, 12)
    ws.set_column(len(columns) - 2, len(columns) - 2, 24)
    ws.set_column(len(columns) - 1, len(columns) - 1, 28)

    _block_sheet(wb, "sheet_items", "items", body, names["items"], lang, head, pct, whole, bold)
    for block, sheet in RATE_SHEETS:
        if names.get(block) and any(block in e for e in body["units"]):
            _block_sheet(wb, sheet, block, body, names[block], lang, head, pct, whole, bold)
    _method_sheet(wb, body, q, lang, as_of, head, wrap, bold, whole)
    wb.close()
    return out.getvalue()


def _overall_block(
    ws: Any,
    body: dict[str, Any],
    overall: dict[str, Any],
    columns: list[str],
    factor_codes: list[str],
    lang: str,
    styles: dict[str, Any],
) -> int:
    """The campaign as one figure above the leagues, in the ranking's columns (n, SIPAS,
    its interval, the factors), then how it was aggregated and, when weighted by
    dossiers, the design effect and effective sample size. Returns the next free row."""
    pct, whole = styles["pct"], styles["whole"]
    ws.write_string(0, 0, d("overall", lang), styles["title"])
    ws.write_string(0, 3, status_text(body, lang), styles["bold"])
    how = str(overall.get("aggregate", "pooled"))
    weighting = overall.get("weighting") or {}
    extra = [d("overall_how", lang)]
    if how == "weighted":
        extra += [d("deff", lang), d("n_effective", lang)]
    header = columns[: 8 + len(factor_codes)] + extra
    for col, text in enumerate(header):  # rank and kind stay blank: not ranked
        ws.write_string(1, col, text, styles["head"])
    ws.write_string(2, 1, str(overall["unit"]))
    ws.write_string(2, 2, str(overall["name"]))
    ws.write_number(2, 4, overall["n"], whole)
    ci = overall["sipas"].get("ci") or [None, None]
    _num(ws, 2, 5, overall["sipas"]["value"], styles["pct_bold"])
    _num(ws, 2, 6, ci[0], pct)
    _num(ws, 2, 7, ci[1], pct)
    col = 8
    for code in factor_codes:
        _num(ws, 2, col, overall["factors"][code]["value"], pct)
        col += 1
    ws.write_string(2, col, code_words.word(code_words.AGGREGATE, how, lang))
    if how == "weighted":
        _num(ws, 2, col + 1, weighting.get("deff"), pct)
        _num(ws, 2, col + 2, weighting.get("n_effective"), pct)
    return 4


def _block_sheet(
    wb: Any,
    sheet: str,
    block: str,
    body: dict[str, Any],
    titles: dict[str, str],
    lang: str,
    head: Any,
    pct: Any,
    whole: Any,
    bold: Any,
) -> None:
    """Units down, the block's indicators across, with each league's median row and
    how many units stand behind each median."""
    ws = wb.add_worksheet(d(sheet, lang))
    keys = list(titles)
    fixed = [d("unit_code", lang), d("unit", lang), d("kind", lang), d("n", lang)]
    for col, text in enumerate(fixed + [titles[k] for k in keys]):
        ws.write_string(0, col, text, head)
    row = 1
    for league in leagues(body):
        for e in league.units:
            ws.write_string(row, 0, e["unit"])
            ws.write_string(row, 1, e["name"])
            ws.write_string(row, 2, kind_label(e["kind"], lang))
            ws.write_number(row, 3, e["n"], whole)
            figures = e.get(block, {})
            for i, k in enumerate(keys):
                _num(ws, row, 4 + i, (figures.get(k) or {}).get("value"), pct)
            row += 1
        ws.write_string(row, 1, f"{d('median', lang)} — {kind_label(league.name, lang)}", bold)
        medians = league.median.get(block, {})
        behind = league.median_n.get(block, {})
        for i, k in enumerate(keys):
            _num(ws, row, 4 + i, medians.get(k), pct)
        row += 1
        ws.write_string(row, 1, d("median_units", lang))
        for i, k in enumerate(keys):
            if k in behind:
                ws.write_number(row, 4 + i, behind[k], whole)
        row += 2
    ws.freeze_panes(1, 2)
    ws.set_row(0, 90)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 2, 18)
    ws.set_column(3, 3, 9)
    ws.set_column(4, 3 + len(keys), 14)


def _filter_words(body: dict[str, Any], q: Questionnaire, lang: str) -> str:
    """The report's filters as a reader says them: "Giới tính: Nữ; Kênh thu thập: …"."""
    out = []
    for name, value in body.get("filters", {}).items():
        question = q.questions.get(name)
        if name == "channel":
            out.append(f"{d('m_channel', lang)}: {code_words.channel(str(value), lang)}")
        elif question is not None:
            option = next((o for o in question.options if o.code == value), None)
            words = _pick(option.label, lang) if option is not None else str(value)
            out.append(f"{_pick(question.text, lang).rstrip('?: ')}: {words}")
        else:  # date_from, date_to
            out.append(f"{d('m_' + name, lang)}: {_day(str(value), lang)}")
    return "; ".join(out)


def _day(iso: str, lang: str) -> str:
    if lang != "vi":
        return iso
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _method_sheet(
    wb: Any,
    body: dict[str, Any],
    q: Questionnaire,
    lang: str,
    as_of: datetime | None,
    head: Any,
    wrap: Any,
    bold: Any,
    whole: Any,
) -> None:
    """What the figures are and the rules behind them, in the workbook's language: the
    same sentences as the printed report's method section (app/reporting/method_text.py)."""
    ws = wb.add_worksheet(d("sheet_method", lang))
    aggregate = str(body.get("aggregate", "pooled"))
    facts: list[tuple[str, str | int]] = [
        ("m_campaign", body["campaign"]),
        ("m_status", status_text(body, lang)),
        ("m_made", _vn_time(datetime.now(VIETNAM), lang)),
        ("m_as_of", _vn_time(as_of, lang) if as_of else ""),
        ("m_questionnaire", f"{q.slug} v{q.version}"),
        ("m_scoring", code_words.word(code_words.SCORING, str(body["scoring"]), lang)),
        ("m_aggregate", code_words.word(code_words.AGGREGATE, aggregate, lang)),
        ("m_responses", int(body["n"])),
        ("m_min_sample", int(body["min_sample"])),
        ("m_filters", _filter_words(body, q, lang)),
    ]
    row = 0
    for key, value in facts:
        ws.write_string(row, 0, d(key, lang), bold)
        if isinstance(value, int):
            ws.write_number(row, 1, value, whole)
        else:
            ws.write_string(row, 1, value, wrap)
        row += 1
    ws.write_string(row, 1, d("m_percent", lang), wrap)
    row += 2
    ws.write_string(row, 0, d("m_rule", lang), head)
    ws.write_string(row, 1, "", head)
    row += 1
    for i, text in enumerate(method_text.rules(body, [g.name for g in leagues(body)], lang, q), 1):
        ws.write_number(row, 0, i, whole)
        ws.write_string(row, 1, text, wrap)
        row += 1
    # Then the full definitions behind the figures, in the workbook's language, each
    # under its name in the JSON report's `methods` (an analyst's cross-reference).
    row += 1
    ws.write_string(row, 0, d("m_details", lang), head)
    ws.write_string(row, 1, d("m_text", lang), head)
    row += 1
    methods = body.get("methods_vi", body["methods"]) if lang == "vi" else body["methods"]
    for key, text in methods.items():
        ws.write_string(row, 0, key, bold)
        ws.write_string(row, 1, text, wrap)
        row += 1
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 110)


def _vn_time(when: datetime, lang: str) -> str:
    local = when.astimezone(VIETNAM)
    return local.strftime("%d/%m/%Y %H:%M") if lang == "vi" else local.strftime("%Y-%m-%d %H:%M")


def published(value: float | None, precision: int) -> Decimal | None:
    """A figure as it is published: rounded half-up to `precision` decimals."""
    if value is None:
        return None
    return Decimal(repr(round(value, 9))).quantize(
        Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP
    )


def wide_csv(
    body: dict[str, Any], q: Questionnaire, lang: str, *, sep: str, precision: int
) -> bytes:
    """The ranking table as on the screen: one row per unit, league by league, each
    followed by its median row; figures rounded as published.

    UTF-8 with a byte-order mark, without which Excel on Windows reads Vietnamese as
    mojibake. With `sep=";"` (Excel in a Vietnamese locale, whose list separator is
    the semicolon) numbers use the decimal comma that locale reads as a number.
    """
    names = labels(q, lang)
    factor_codes = [f.code for f in q.groups]
    comma = sep == ";"

    def num(value: float | None) -> str:
        v = published(value, precision)
        if v is None:
            return ""
        return str(v).replace(".", ",") if comma else str(v)

    out = io.StringIO()
    out.write("\ufeff")
    w = SafeWriter(out, delimiter=sep, lineterminator="\r\n")
    compare = any("change" in e for e in body["units"]) or "comparison" in body
    header = [d("league", lang), d("rank", lang), d("unit_code", lang), d("unit", lang)]
    header += [d("kind", lang), d("n", lang), "SIPAS", d("ci_low", lang), d("ci_high", lang)]
    header += [names["factors"][c] for c in factor_codes]
    if compare:
        header += change_headers(body, names, lang)
    header += [d("rank_interval", lang), d("rank_best", lang), d("rank_worst", lang)]
    header += [d("vs_median", lang), d("flags", lang)]
    # What the document is, at the end of every row (a row copied alone still says it).
    edition = body.get("edition") or {}
    status = str(body.get("results", "internal"))
    at = edition.get("published_at")
    published_at = datetime.fromisoformat(at).astimezone(VIETNAM).date().isoformat() if at else ""
    marks = [
        body["campaign"],
        str(edition.get("number", "")),
        d(f"status_{status}", lang),
        published_at,
        f"{body.get('questionnaire', '')} {body.get('version', '')}".strip(),
    ]
    header += [
        d(k, lang) for k in ("doc_campaign", "doc_edition", "doc_status", "doc_published_at")
    ]
    header += [d("doc_questionnaire", lang)]
    w.writerow(header)
    for league in leagues(body):
        group = kind_label(league.name, lang)
        for e in league.units:
            ci = e["sipas"]["ci"] or [None, None]
            row = [group, e["rank"] or "", e["unit"], e["name"], kind_label(e["kind"], lang)]
            row += [e["n"], num(e["sipas"]["value"]), num(ci[0]), num(ci[1])]
            row += [num(e["factors"][c]["value"]) for c in factor_codes]
            if compare:
                change = shown_change(body, e)
                places = change.get("rank")
                row += [num(change.get("points")), "" if places is None else places]
            best, worst = e.get("rank_interval") or ("", "")
            row += [rank_interval_text(e), best, worst]
            row += [vs_median_label(e, lang), notes(e, lang)]
            w.writerow(row + marks)
        median = [group, "", "", d("median", lang), "", "", num(league.median.get("sipas")), "", ""]
        median += [num(league.median.get("factors", {}).get(c)) for c in factor_codes]
        w.writerow(median + ([""] * 2 if compare else []) + [""] * 5 + marks)
    return out.getvalue().encode("utf-8")
