"""The printed report (*Báo cáo kết quả đo lường sự hài lòng*): A4 PDF from a Jinja2
template, typeset by WeasyPrint with the fonts installed on the machine (DejaVu has
every Vietnamese letter), never fetching anything at render time.

The figures are those of one indices report body; the sentences about perception
and timeliness are written from them the way provinces write them: "Tỷ lệ … là
55,60% (giá trị trung vị là 62,60%)", with the decimal comma and dd/mm/yyyy dates.
"""

import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns import comments
from app.campaigns.models import Campaign
from app.collection.models import Submission
from app.core import labels
from app.core.clock import VIETNAM
from app.questionnaires.catalog import TOP, Option, Question, Questionnaire
from app.reporting import hierarchy, method_text
from app.reporting.doc_text import flag_labels, kind_label, previous_flagged, status_text
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
    "rules": {"vi": "Quy tắc tính và công bố", "en": "How figures are computed and published"},
    "channels": {"vi": "Số phiếu theo kênh khảo sát", "en": "Responses by channel"},
    "excluded": {"vi": "Phiếu bị loại", "en": "Excluded responses"},
    "excluded_none": {
        "vi": "Không có phiếu nào bị loại.",
        "en": "No response was excluded.",
    },
    "excluded_intro": {
        "vi": "{n} phiếu bị cán bộ điều phối loại khỏi kết quả sau khi rà soát, theo lý do:",
        "en": "{n} responses were excluded by a coordinator after review, by reason:",
    },
    "change": {"vi": "Thay đổi", "en": "Change"},
    "change_since": {
        "vi": "{points} điểm phần trăm so với đợt {campaign}",
        "en": "{points} points since {campaign}",
    },
    "change_legend": {
        "vi": "Thay đổi: chỉ số SIPAS tăng, giảm bao nhiêu điểm phần trăm so với đợt "
        "{campaign} (trong ngoặc: số bậc xếp hạng tăng, giảm).",
        "en": "Change: SIPAS points gained or lost since {campaign} (in brackets: rank places "
        "gained or lost).",
    },
    "rank_change": {"vi": "{places} bậc", "en": "{places} places"},
    "vs_median": {"vi": "So với trung vị", "en": "Against the median"},
    "vs_above": {"vi": "cao hơn trung vị", "en": "above the median"},
    "vs_indistinguishable": {
        "vi": "không khác biệt rõ so với trung vị",
        "en": "not distinguishable from the median",
    },
    "vs_below": {"vi": "thấp hơn trung vị", "en": "below the median"},
    "legend_vs": {
        "vi": "▲ cao hơn trung vị · ● không khác biệt rõ so với trung vị · ▼ thấp hơn trung vị "
        "(theo khoảng tin cậy 95%).",
        "en": "▲ above the median · ● not distinguishable from the median · ▼ below the median "
        "(at 95% confidence).",
    },
    "criteria": {"vi": "Các tiêu chí", "en": "Criteria"},
    "chart_legend": {
        "vi": "Thanh: chỉ số; vạch mảnh: khoảng tin cậy 95%; vạch đỏ: trung vị.",
        "en": "Bar: the index; thin line: its 95% interval; red tick: the median.",
    },
    "heat": {"vi": "Bảng nhiệt các tiêu chí", "en": "Criteria heat table"},
    "heat_legend": {
        "vi": "Chỉ số của từng tiêu chí (%); ô càng đậm, chỉ số càng cao: dưới 50 · 50–60 · "
        "60–70 · 70–80 · 80–90 · từ 90.",
        "en": "Each criterion's index (%); the darker the cell, the higher: under 50 · 50–60 "
        "· 60–70 · 70–80 · 80–90 · 90 and over.",
    },
    "late_cases": {"vi": "Xử lý hồ sơ trễ hẹn", "en": "Follow-up of late cases"},
    "late_text": {
        "vi": "Trong số hồ sơ trả muộn hơn hẹn, tỷ lệ người dân, tổ chức được thông báo về "
        "việc trễ hẹn là {notified} (giá trị trung vị là {m_notified}); tỷ lệ nhận được thư "
        "xin lỗi là {apology} (giá trị trung vị là {m_apology}).",
        "en": "Of the late cases, {notified} were told in advance of the delay (median "
        "{m_notified}); {apology} received a letter of apology (median {m_apology}).",
    },
    "comments": {"vi": "Ý kiến của người dân, tổ chức", "en": "Citizens' comments"},
    "comments_count": {
        "vi": "Đã nhận được {n} ý kiến góp ý bằng văn bản tự do.",
        "en": "{n} free-text comments were received.",
    },
    "comments_chosen": {
        "vi": "Một số ý kiến tiêu biểu do cán bộ điều phối chọn:",
        "en": "A sample chosen by the coordinator:",
    },
    "page": {"vi": "Trang", "en": "Page"},
    "headline": {"vi": "Chỉ số hài lòng chung (SIPAS)", "en": "Overall satisfaction (SIPAS)"},
    "interval": {"vi": "khoảng tin cậy 95%", "en": "95% interval"},
    "weighted_by_dossiers": {
        "vi": "Gia quyền theo số hồ sơ của các đơn vị (hiệu ứng thiết kế {deff}, cỡ mẫu "
        "hiệu dụng {neff})",
        "en": "Weighted by the dossiers of the units (design effect {deff}, effective sample {neff})",
    },
    "league": {"vi": "Bảng xếp hạng", "en": "League table"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "n": {"vi": "Số phiếu", "en": "n"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "median_of": {
        "vi": "Trung vị: của các đơn vị thuộc nhóm {kind}.",
        "en": "Medians: of the {kind} league.",
    },
    "top": {"vi": "Năm đơn vị cao nhất: {kind}", "en": "Top five: {kind}"},
    "bottom": {"vi": "Năm đơn vị thấp nhất: {kind}", "en": "Bottom five: {kind}"},
    "perception": {"vi": "Nhận định của người dân, tổ chức", "en": "What respondents reported"},
    "timeliness": {"vi": "Thời hạn trả kết quả", "en": "Timeliness"},
    "expectations": {"vi": "Mong đợi cải thiện", "en": "Expected improvements"},
    "unit_page": {"vi": "Phiếu kết quả", "en": "Result sheet"},
    "factors": {"vi": "Các yếu tố", "en": "Factors"},
    "factor_legend": {"vi": "Chỉ số các yếu tố (%):", "en": "Factor indices (%):"},
    "weakest": {"vi": "Các tiêu chí thấp nhất", "en": "Weakest criteria"},
    "not_ranked": {"vi": "không xếp hạng", "en": "not ranked"},
    "of": {"vi": "trên", "en": "of"},
    # A rating question's headline: the share at its satisfied (top two) levels,
    # named, so the sentence does not quote the question as its own answer.
    "rate_top": {
        "vi": "Tỷ lệ người dân, tổ chức trả lời ở hai mức cao nhất ({levels}) khi được hỏi "
        "“{question}” là {value} (giá trị trung vị là {median}).",
        "en": "{value} of respondents answered at the top two levels ({levels}) to "
        "“{question}” (median {median}).",
    },
    "expectations_top": {
        "vi": "Tỷ lệ người trả lời ở hai mức cao nhất của mỗi câu hỏi.",
        "en": "Share of respondents at each question's top two levels.",
    },
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


def points(value: float | None, lang: str) -> str:
    """A change in points with its sign: +1,23 / −0,50 (a true minus sign)."""
    v = published(value, 2)
    if v is None:
        return "–"
    text = f"{abs(v):.2f}"
    text = text.replace(".", ",") if lang == "vi" else text
    return ("+" if v > 0 else "−" if v < 0 else "±") + text


def places(value: int | None) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "±0"


def count(n: int, lang: str) -> str:
    """A count as the language writes it: 5.000 in Vietnamese, 5,000 in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "vi" else text


def number(value: float | None, lang: str) -> str:
    """A figure without the % sign (heat table cells)."""
    v = published(value, 2)
    if v is None:
        return "–"
    text = f"{v:.2f}"
    return text.replace(".", ",") if lang == "vi" else text


# Shades of the heat table, lightest first: under 50, 50–60, …, 90 and over.
BANDS = (50.0, 60.0, 70.0, 80.0, 90.0)


def band(value: float | None) -> int | None:
    if value is None:
        return None
    return sum(1 for edge in BANDS if value >= edge)


MARKS = {"above": "▲", "indistinguishable": "●", "below": "▼"}


@dataclass(frozen=True)
class Bar:
    """One row of a chart: the figure, its 95% interval (whisker) and the median (tick)."""

    label: str
    value: float | None
    median: float | None
    text: str
    ci: tuple[float, float] | None = None


@dataclass(frozen=True)
class Sample:
    """What the report says of its sample beyond the indices: responses per channel,
    exclusions by reason, and the citizens' comments (count and those chosen)."""

    channels: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    comments: int = 0
    chosen: list[tuple[str, str]] = field(default_factory=list)  # (unit name, text)

    def as_json(self) -> dict[str, Any]:
        return {
            "channels": self.channels,
            "excluded": self.excluded,
            "comments": self.comments,
            "chosen": [list(c) for c in self.chosen],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Sample":
        return cls(
            channels=dict(data["channels"]),
            excluded=dict(data["excluded"]),
            comments=int(data["comments"]),
            chosen=[(str(u), str(t)) for u, t in data["chosen"]],
        )


def sample_of(session: Session, campaign: Campaign) -> Sample:
    """The campaign's counted responses per channel, its exclusions grouped by the
    reason picked from the list (the note after " – " is the coordinator's own, left
    out), and its comments: only the text and the unit of a chosen one, nothing
    that could name a respondent."""
    counted = session.execute(
        select(Submission.channel, func.count())
        .where(Submission.campaign_id == campaign.id, Submission.excluded_at.is_(None))
        .group_by(Submission.channel)
        .order_by(Submission.channel)
    )
    reasons: dict[str, int] = {}
    for reason, n in session.execute(
        select(Submission.exclude_reason, func.count())
        .where(Submission.campaign_id == campaign.id, Submission.excluded_at.is_not(None))
        .group_by(Submission.exclude_reason)
    ):
        key = (reason or "").split(" – ")[0].strip() or "–"
        reasons[key] = reasons.get(key, 0) + n
    told = comments.for_report(session, campaign)
    return Sample(
        channels={ch: int(n) for ch, n in counted},
        excluded=dict(sorted(reasons.items(), key=lambda t: (-t[1], t[0]))),
        comments=told.received,
        chosen=[(c.unit_name, c.text) for c in told.chosen],
    )


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()))


# A chart label's line: the labels column (report.html, .chart td.labels, 96 mm at
# 6.8 pt) holds about 75 letters of Vietnamese; 70 leaves room for wide ones.
LABEL_CHARS = 70


def wrap_label(text: str, width: int = LABEL_CHARS) -> list[str]:
    """A chart label on as many lines as it needs, never cut: words are kept whole and
    a line longer than `width` only when one word is (TC2, TC3 and TC4 differ only in
    their last words, so cutting them made three alike labels)."""
    # Composed (NFC): a questionnaire may store "ế" as e + two combining marks, three
    # code points that print as one letter.
    text = unicodedata.normalize("NFC", text)
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def chart(bars: list[Bar], lang: str) -> Markup:
    """A bar chart: per row the label (wrapped, never cut), the figure, the bar with its
    95% interval as a thin whisker and a red tick at the median, and the median in words.

    The words are three HTML columns of fixed-height lines and the graphics one inline
    SVG beside them, with no text in it: WeasyPrint lays out an SVG as one replaced
    element but sets SVG text glyph by glyph (about 12 ms a label), and the words as
    <br>-separated lines are a handful of boxes. That keeps a 100-unit report (a
    page per unit, 27 rows each) within its 30 s. A label wrapped on k lines makes its
    row k lines high; the bar sits on its first line, beside its figure."""
    line, bar_w = ROW_MM, 50.0
    wrapped = [wrap_label(b.label) for b in bars]
    height = line * sum(len(w_) for w_ in wrapped)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{bar_w}mm" height="{height:.2f}mm" '
        f'viewBox="0 0 {bar_w} {height:.2f}">'
    ]
    y = 0.0
    for b, label_lines in zip(bars, wrapped, strict=True):
        mid = y + line / 2
        parts.append(
            f'<rect x="0" y="{y + 0.9:.2f}" width="{bar_w}" height="{line - 1.8:.2f}" fill="#eef"/>'
        )
        if b.value is not None:
            parts.append(
                f'<rect x="0" y="{y + 0.9:.2f}" width="{bar_w * b.value / 100:.2f}" '
                f'height="{line - 1.8:.2f}" fill="#7d9fc2"/>'
            )
        if b.ci is not None:
            lo, hi = (bar_w * v / 100 for v in b.ci)
            parts.append(
                f'<path d="M{lo:.2f} {mid:.2f}H{hi:.2f}M{lo:.2f} {mid - 0.7:.2f}V{mid + 0.7:.2f}'
                f'M{hi:.2f} {mid - 0.7:.2f}V{mid + 0.7:.2f}" stroke="#111" stroke-width="0.25" '
                'fill="none"/>'
            )
        if b.median is not None:
            x = bar_w * b.median / 100
            parts.append(
                f'<rect x="{x - 0.3:.2f}" y="{y + 0.2:.2f}" width="0.6" height="{line - 0.4:.2f}" '
                'fill="#c00"/>'
            )
        y += line * len(label_lines)
    parts.append("</svg>")
    median_word = w("median", lang)

    heights = [len(ls) for ls in wrapped]

    def lines(texts: list[str]) -> Markup:
        # A row's first line holds its words; the lines its label wraps onto stay empty
        # (a zero-width space keeps each a line).
        blank = Markup("<br>&#8203;")
        return Markup("<br>").join(
            escape(t) + blank * (k - 1) for t, k in zip(texts, heights, strict=True)
        )

    labels_html = Markup("<br>").join(
        Markup("<br>").join(
            [escape(ls[0]), *(Markup('<span class="cont">{}</span>').format(t) for t in ls[1:])]
        )
        for ls in wrapped
    )
    meds = [f"{median_word} {percent(b.median, lang)}" for b in bars]
    return Markup(
        '<table class="chart"><tr>'
        f'<td class="labels">{labels_html}</td>'
        f'<td class="num">{lines([b.text for b in bars])}</td>'
        f'<td class="bars">{"".join(parts)}</td>'
        f'<td class="meds">{lines(meds)}</td>'
        "</tr></table>"
    )


# Height of a chart row; the chart's CSS (report.html, .chart) uses the same.
ROW_MM = 3.9


# Written apart from the other perception rates: timeliness in one sentence, the
# follow-up of late cases in another, as the provinces' reports do.
OWN_SENTENCE = ("timeliness", "late_notified", "late_apology")


def headline_options(question: Question) -> list[Option]:
    """The rates a printed report states for a question: each option of a choice
    question; for a rating question its top-two share, named by the question."""
    if question.kind == "scale":
        return [Option(code=TOP, label=question.text)]
    return list(question.options)


def _sentences(
    figures: dict[str, Any], median: dict[str, Any], q: Questionnaire, lang: str
) -> list[str]:
    """Perception rates of one unit as the provinces write them, the median beside."""
    out = []
    for question in q.report_questions("perception"):
        if question.code in OWN_SENTENCE:
            continue
        for o in headline_options(question):
            key = f"{question.code}.{o.code}"
            fig = (figures.get("perception") or {}).get(key)
            if fig is None or not fig["value"]:  # nobody chose it: no sentence to print
                continue
            if question.kind == "scale":
                options, _, satisfied = q.scale_of(question.code)
                levels = ", ".join(
                    f"“{_pick(x.label, lang)}”" for x in options if x.code in satisfied
                )
                out.append(
                    w(
                        "rate_top",
                        lang,
                        levels=levels,
                        question=_pick(question.text, lang).rstrip("?: "),
                        value=percent(fig["value"], lang),
                        median=percent(median.get("perception", {}).get(key), lang),
                    )
                )
                continue
            out.append(
                w(
                    "rate",
                    lang,
                    option=_pick(o.label, lang),
                    question=_pick(question.text, lang).rstrip("?: "),
                    value=percent(fig["value"], lang),
                    median=percent(median.get("perception", {}).get(key), lang),
                )
            )
    return out


def _on_time(figures: dict[str, Any], median: dict[str, Any], lang: str) -> str:
    t = figures.get("timeliness") or {}
    if not t.get("on_time_or_early"):
        return ""
    return w(
        "on_time",
        lang,
        ok=percent(t["on_time_or_early"]["value"], lang),
        early=percent(t["early"]["value"], lang),
        late=percent(t["late"]["value"], lang),
        median=percent(median.get("timeliness", {}).get("late"), lang),
    )


def _late(figures: dict[str, Any], median: dict[str, Any], lang: str) -> str:
    """The follow-up of late cases: told in advance, apologised to (of the late cases)."""
    rates = figures.get("perception") or {}
    told, sorry = rates.get("late_notified.yes"), rates.get("late_apology.yes")
    if not told or not sorry or not told.get("n"):
        return ""  # no late case: nothing to follow up
    m = median.get("perception", {})
    return w(
        "late_text",
        lang,
        notified=percent(told["value"], lang),
        m_notified=percent(m.get("late_notified.yes"), lang),
        apology=percent(sorry["value"], lang),
        m_apology=percent(m.get("late_apology.yes"), lang),
    )


def _ci(fig: dict[str, Any] | None) -> tuple[float, float] | None:
    ci = (fig or {}).get("ci")
    return (ci[0], ci[1]) if ci else None


def rank_text(e: dict[str, Any], lang: str) -> str:
    """A rank as printed: 3, or 3 (2–6) with its 95% interval when the report has one."""
    if e.get("rank") is None:
        return "–"
    interval = e.get("rank_interval")
    if interval:
        return f"{e['rank']} ({interval[0]}–{interval[1]})"
    return str(e["rank"])


def campaign_report(
    session: Session,
    campaign: Campaign,
    q: Questionnaire,
    get: Callable[[str | None, str | None], dict[str, Any]],
    level: str | None,
    parent: str | None,
    lang: str,
    sample: Sample | None = None,
) -> bytes:
    """The printed report of a campaign, as the API and the CLI make it: the headline of
    the campaign's single scope unit (if it has one) and the league tables of the units
    asked for (by default that unit's sub-units). `get(level, parent)` gives a report
    body (live, or of an edition; with the comparison asked for, if any); `sample` the
    edition's frozen sample (default: the campaign's as it is now)."""
    top = get(None, None)
    # One scope unit (a province): its own figures; several: the campaign as a whole.
    head = top["units"][0] if len(top["units"]) == 1 else top.get("overall")
    if level is None and parent is None:
        body = (
            get(None, head["unit"]) if head is not None and head is not top.get("overall") else top
        )
    else:
        body = get(level, parent)
    return render(body, head, campaign, q, lang, sample or sample_of(session, campaign))


def render(
    body: dict[str, Any],
    overall: dict[str, Any] | None,
    campaign: Campaign,
    q: Questionnaire,
    lang: str,
    sample: Sample | None = None,
) -> bytes:
    """The report as PDF bytes. `overall` is the campaign's top-level unit entry (the
    headline), `body` the report of the units ranked, `sample` what the indices do not
    hold (channels, exclusions, comments)."""
    return bytes(_pdf(html(body, overall, campaign, q, lang, sample)))


def _pdf(text: str) -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=text, url_fetcher=_refuse).write_pdf())


def html(
    body: dict[str, Any],
    overall: dict[str, Any] | None,
    campaign: Campaign,
    q: Questionnaire,
    lang: str,
    sample: Sample | None = None,
) -> str:
    """The report's HTML, before typesetting."""
    factor_titles = {f.code: _pick(f.title, lang) for f in q.groups}
    # A deeper tree: an aspect's bar says it is one, its groups' bars stand indented
    # under it with their codes (the league tables' column names), and the charts are
    # headed "aspects and groups"; a flat tree keeps its factors as they were.
    kinds = hierarchy.kinds(q)
    deep = "aspect" in kinds.values()
    bar_titles = (
        {
            c: f"{labels.node_kind('aspect', lang)} {c}: {t}"
            if kinds[c] == "aspect"
            else f"\u2003{c}: {t}"
            for c, t in factor_titles.items()
        }
        if deep
        else factor_titles
    )
    nodes_heading = labels.say(labels.NODE_KINDS_DEEP, lang) if deep else w("factors", lang)
    criteria = {c: f"{c}. {_pick(q.questions[c].text, lang)}" for c in q.criteria}
    groups = list(leagues(body))
    by_kind: dict[str, int] = {}
    for e in body["units"]:
        by_kind[e["kind"]] = by_kind.get(e["kind"], 0) + e["n"]
    head = overall or {}
    # The headline is compared with the medians of the report's main league (the one
    # its top and bottom lists describe), and says which league that is.
    main = next((g for g in groups if g.name == body.get("league")), groups[0] if groups else None)
    main_median = main.median if main else {}
    expectations = []
    for question in q.report_questions("expectations"):
        for o in headline_options(question):
            key = o.code if question.code == "expectations" else f"{question.code}.{o.code}"
            fig = (head.get("expectations") or {}).get(key)
            if fig is not None:
                expectations.append((_pick(o.label, lang), fig["value"]))
    expectations.sort(key=lambda t: -(t[1] or 0))

    def factor_bars(e: dict[str, Any], med: dict[str, Any]) -> list[Bar]:
        return [
            Bar(
                bar_titles[c],
                e["factors"][c]["value"],
                med.get("factors", {}).get(c),
                percent(e["factors"][c]["value"], lang),
                _ci(e["factors"][c]),
            )
            for c in factor_titles
        ]

    def item_bars(e: dict[str, Any], med: dict[str, Any], codes: list[str]) -> list[Bar]:
        return [
            Bar(
                criteria[c],
                e["items"][c]["value"],
                med.get("items", {}).get(c),
                percent(e["items"][c]["value"], lang),
                _ci(e["items"][c]),
            )
            for c in codes
        ]

    def unit_sheet(e: dict[str, Any], league: League) -> dict[str, Any]:
        med = league.median
        items = [
            (c, e["items"][c]["value"]) for c in criteria if e["items"][c]["value"] is not None
        ]
        # A sheet charts its factors and its three weakest criteria; every criterion of
        # every unit is in the heat table. Charting all 22 on each of 100 sheets took
        # the report past its 30 s (WeasyPrint lays out each line of words).
        weakest = [c for c, _ in sorted(items, key=lambda t: t[1])[:3]]
        return {
            "entry": e,
            "bars": factor_bars(e, med),
            "weakest": item_bars(e, med, weakest),
            "ranked_of": sum(1 for u in league.units if u["rank"] is not None),
            "sentences": [s for s in (_on_time(e, med, lang), _late(e, med, lang)) if s],
        }

    status = status_text(body, lang) if body.get("edition") else w("live", lang)
    changes = [e["change"] for e in body["units"] if e.get("change")]
    has_change = bool(changes)
    has_vs = any(e.get("vs_median") for e in body["units"])
    sample = sample or Sample()
    by_code = {e["unit"]: e for e in body["units"]}

    def listed(codes: list[str] | None) -> list[dict[str, Any]]:
        return [by_code[c] for c in codes or [] if c in by_code]

    # Every league's own top and bottom five (a mixed report has only the top level's),
    # each titled with its kind: a commune list alone would read as the province's best.
    tops = {
        name: (listed(info.get("top")), listed(info.get("bottom")))
        for name, info in (body.get("leagues") or {}).items()
        if info.get("ranked", 0) > 1
    }
    if body.get("league") and body.get("league") not in tops and body.get("top"):
        tops[body["league"]] = (listed(body.get("top")), listed(body.get("bottom")))
    return templates.get_template("report/report.html").render(
        w=lambda key, **p: w(key, lang, **p),
        lang=lang,
        campaign=campaign,
        body=body,
        head=head,
        q=q,
        groups=groups,
        by_kind=by_kind,
        factor_titles=factor_titles,
        nodes_heading=nodes_heading,
        headings=hierarchy.headings(q, lang),
        tree_legend=hierarchy.legend(q, lang),
        criteria=list(criteria),
        criteria_titles=criteria,
        rules=method_text.rules(body, [g.name for g in groups], lang, q),
        sentences=_sentences(head, main_median, q, lang) if head else [],
        on_time=_on_time(head, main_median, lang) if head else "",
        late=_late(head, main_median, lang) if head else "",
        timeliness_words={k: _pick(v, lang) for k, v in TIMELINESS.items()},
        expectations=[(label, percent(v, lang)) for label, v in expectations],
        expectations_top=any(x.kind == "scale" for x in q.report_questions("expectations")),
        sheets=[unit_sheet(e, g) for g in groups for e in g.units if e["rank"] is not None],
        head_charts=(
            [
                (nodes_heading, factor_bars(head, main_median)),
                (w("criteria", lang), item_bars(head, main_median, list(criteria))),
            ]
            if head
            else []
        ),
        tops=tops,
        median_league=main.name if main else None,
        count=lambda n: count(n, lang),
        sample=sample,
        channel=lambda ch: labels.channel(ch, lang),
        has_change=has_change,
        compared=changes[0].get("campaign") if changes else None,
        has_vs=has_vs,
        marks=MARKS,
        vs_word=lambda v: w(f"vs_{v}", lang) if f"vs_{v}" in WORDS else v,
        rank_text=lambda e: rank_text(e, lang),
        chart=lambda bars: chart(bars, lang),
        percent=lambda v: percent(v, lang),
        points=lambda v: points(v, lang),
        places=places,
        number=lambda v: number(v, lang),
        band=band,
        day=lambda v: day(v, lang),
        kind_label=lambda k: kind_label(k, lang),
        flag_labels=lambda f: flag_labels(f, lang),
        previous_flagged=previous_flagged,
        any_previous=lambda units: any(previous_flagged(e) for e in units),
        previous_mark=labels.PREVIOUS_MARK,
        previous_note=labels.say(labels.PREVIOUS_FLAG, lang),
        made=datetime.now(VIETNAM),
        status=status,
        footer=f"{campaign.name} ({campaign.code}) — {status}",
        css_string=_css_string,
        Decimal=Decimal,
    )


def _css_string(text: str) -> Markup:
    """Text as a CSS string for the running header and footer (`content:` of the @page
    margin boxes), safe inside <style>: no HTML escaping there, so quotes, backslashes
    and "<" are escaped the CSS way."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return Markup('"' + " ".join(body.split()) + '"')


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report embeds nothing from outside: any fetch is a bug, never a request."""
    raise ValueError(f"the printed report does not fetch {url!r}")
