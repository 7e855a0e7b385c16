"""The printed report (*Báo cáo kết quả đo lường sự hài lòng*): A4 PDF from a Jinja2
template, typeset by WeasyPrint with the fonts installed on the machine (DejaVu has
every Vietnamese letter), never fetching anything at render time.

The figures are those of one indices report body; the sentences about perception
and timeliness are written from them the way provinces write them: "Tỷ lệ … là
55,60% (giá trị trung vị là 62,60%)", with the decimal comma and dd/mm/yyyy dates.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.campaigns.models import Campaign
from app.core.clock import VIETNAM
from app.questionnaires.catalog import Questionnaire
from app.reporting.doc_text import flag_labels, kind_label, status_text
from app.reporting.workbook import TIMELINESS, League, leagues, published
from app.web.render import templates

WORDS: dict[str, dict[str, str]] = {
    "title": {"vi": "Báo cáo kết quả đo lường sự hài lòng", "en": "Satisfaction survey report"},
    "subtitle": {
        "vi": "của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước",
        "en": "of citizens and organisations with the service of state administrative agencies",
    },
    "live": {
        "vi": "KẾT QUẢ NỘI BỘ — CHƯA CÔNG BỐ",
        "en": "INTERNAL RESULTS — NOT PUBLISHED",
    },
    "period": {"vi": "Thời gian khảo sát", "en": "Survey period"},
    "made": {"vi": "Ngày lập báo cáo", "en": "Report date"},
    "method": {"vi": "Phương pháp và mẫu khảo sát", "en": "Method and sample"},
    "responses": {"vi": "Tổng số phiếu hợp lệ", "en": "Valid responses"},
    "by_kind": {"vi": "Số phiếu theo loại đơn vị", "en": "Responses by unit kind"},
    "min_sample": {
        "vi": "Đơn vị có dưới {n} câu trả lời hợp lệ cho một tiêu chí không được xếp hạng.",
        "en": "Units with fewer than {n} valid answers to a criterion are not ranked.",
    },
    "questionnaire": {"vi": "Bộ câu hỏi", "en": "Questionnaire"},
    "rules": {"vi": "Quy tắc tính", "en": "Rules"},
    "headline": {"vi": "Chỉ số hài lòng chung (SIPAS)", "en": "Overall satisfaction (SIPAS)"},
    "interval": {"vi": "khoảng tin cậy 95%", "en": "95% interval"},
    "league": {"vi": "Bảng xếp hạng", "en": "League table"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "n": {"vi": "Số phiếu", "en": "n"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "top": {"vi": "Năm đơn vị cao nhất", "en": "Top five"},
    "bottom": {"vi": "Năm đơn vị thấp nhất", "en": "Bottom five"},
    "perception": {"vi": "Nhận định của người dân, tổ chức", "en": "What respondents reported"},
    "timeliness": {"vi": "Thời hạn trả kết quả", "en": "Timeliness"},
    "expectations": {"vi": "Mong đợi cải thiện", "en": "Expected improvements"},
    "unit_page": {"vi": "Phiếu kết quả", "en": "Result sheet"},
    "factors": {"vi": "Các yếu tố", "en": "Factors"},
    "weakest": {"vi": "Các tiêu chí thấp nhất", "en": "Weakest criteria"},
    "not_ranked": {"vi": "không xếp hạng", "en": "not ranked"},
    "of": {"vi": "trên", "en": "of"},
    "rate": {
        "vi": "Tỷ lệ người dân, tổ chức trả lời “{option}” khi được hỏi “{question}” là "
        "{value} (giá trị trung vị là {median}).",
        "en": "{value} of respondents answered “{option}” to “{question}” (median {median}).",
    },
    "on_time": {
        "vi": "Tỷ lệ hồ sơ được trả kết quả đúng hẹn hoặc sớm hơn hẹn là {ok}, trong đó sớm "
        "hơn hẹn {early}; tỷ lệ trả muộn hơn hẹn là {late} (giá trị trung vị là {median}).",
        "en": "{ok} of results were on time or early, {early} early; {late} were late "
        "(median {median}).",
    },
}


def w(key: str, lang: str, **params: object) -> str:
    text = WORDS[key].get(lang) or WORDS[key]["vi"]
    return text.format(**params) if params else text


def percent(value: float | None, lang: str) -> str:
    """55,60% in Vietnamese, 55.60% in English; a dash when there is no figure."""
    v = published(value, 2)
    if v is None:
        return "–"
    text = f"{v:.2f}"
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def day(value: date | datetime, lang: str) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM).date()
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    median: float | None
    text: str


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()))


def _sentences(body: dict[str, Any], league: League, q: Questionnaire, lang: str) -> list[str]:
    """Perception rates of the league's headline unit as the provinces write them."""
    if not league.units:
        return []
    overall = body.get("overall") or {}
    out = []
    for question in q.report_questions("perception"):
        for o in question.options:
            key = f"{question.code}.{o.code}"
            fig = (overall.get("perception") or {}).get(key)
            if fig is None or not fig["value"]:  # nobody chose it: no sentence to print
                continue
            out.append(
                w(
                    "rate",
                    lang,
                    option=_pick(o.label, lang),
                    question=_pick(question.text, lang).rstrip("?: "),
                    value=percent(fig["value"], lang),
                    median=percent(league.median.get("perception", {}).get(key), lang),
                )
            )
    return out


def render(
    body: dict[str, Any],
    overall: dict[str, Any] | None,
    campaign: Campaign,
    q: Questionnaire,
    lang: str,
) -> bytes:
    """The report as PDF bytes. `overall` is the campaign's top-level unit entry (the
    headline), `body` the report of the units ranked."""
    import weasyprint

    factor_titles = {f.code: _pick(f.title, lang) for f in q.factors}
    criteria = {c: f"{c}. {_pick(q.questions[c].text, lang)}" for c in q.criteria}
    groups = list(leagues(body))
    by_kind: dict[str, int] = {}
    for e in body["units"]:
        by_kind[e["kind"]] = by_kind.get(e["kind"], 0) + e["n"]
    head = overall or {}
    sentences = _sentences({"overall": head}, groups[0], q, lang) if groups and head else []
    timeliness = head.get("timeliness") or {}
    main_median = groups[0].median if groups else {}
    on_time = (
        w(
            "on_time",
            lang,
            ok=percent(timeliness["on_time_or_early"]["value"], lang),
            early=percent(timeliness["early"]["value"], lang),
            late=percent(timeliness["late"]["value"], lang),
            median=percent(main_median.get("timeliness", {}).get("late"), lang),
        )
        if timeliness.get("on_time_or_early")
        else ""
    )
    expectations = []
    for question in q.report_questions("expectations"):
        for o in question.options:
            key = o.code if question.code == "expectations" else f"{question.code}.{o.code}"
            fig = (head.get("expectations") or {}).get(key)
            if fig is not None:
                expectations.append((_pick(o.label, lang), fig["value"]))
    expectations.sort(key=lambda t: -(t[1] or 0))

    def unit_sheet(e: dict[str, Any], league: League) -> dict[str, Any]:
        bars = [
            Bar(
                factor_titles[c],
                e["factors"][c]["value"],
                league.median.get("factors", {}).get(c),
                percent(e["factors"][c]["value"], lang),
            )
            for c in factor_titles
        ]
        items = [
            (c, e["items"][c]["value"]) for c in criteria if e["items"][c]["value"] is not None
        ]
        weakest = sorted(items, key=lambda t: t[1])[:3]
        return {
            "entry": e,
            "bars": bars,
            "weakest": [(criteria[c], percent(v, lang)) for c, v in weakest],
            "ranked_of": sum(1 for u in league.units if u["rank"] is not None),
        }

    html = templates.get_template("report/report.html").render(
        w=lambda key, **p: w(key, lang, **p),
        lang=lang,
        campaign=campaign,
        body=body,
        head=head,
        q=q,
        groups=groups,
        by_kind=by_kind,
        factor_titles=factor_titles,
        sentences=sentences,
        on_time=on_time,
        timeliness_words={k: _pick(v, lang) for k, v in TIMELINESS.items()},
        expectations=[(label, percent(v, lang)) for label, v in expectations],
        sheets=[unit_sheet(e, g) for g in groups for e in g.units if e["rank"] is not None],
        percent=lambda v: percent(v, lang),
        day=lambda v: day(v, lang),
        kind_label=lambda k: kind_label(k, lang),
        flag_labels=lambda f: flag_labels(f, lang),
        made=datetime.now(VIETNAM),
        status=status_text(body, lang) if body.get("edition") else w("live", lang),
        Decimal=Decimal,
    )
    return bytes(weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf())


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report embeds nothing from outside: any fetch is a bug, never a request."""
    raise ValueError(f"the printed report does not fetch {url!r}")
