"""The words of the result documents (workbook, table-shaped CSV), in Vietnamese
(default) and English. Questionnaire wording (factor titles, criteria, options)
comes from the questionnaire file."""

from datetime import datetime
from typing import Any

from app.core import labels
from app.core.clock import VIETNAM

DOC: dict[str, dict[str, str]] = {
    "sheet_ranking": {"vi": "Xếp hạng", "en": "Ranking"},
    "sheet_items": {"vi": "Tiêu chí", "en": "Criteria"},
    "sheet_perception": {"vi": "Nhận định", "en": "Perception"},
    "sheet_timeliness": {"vi": "Đúng hẹn", "en": "Timeliness"},
    "sheet_expectations": {"vi": "Mong đợi", "en": "Expectations"},
    "sheet_respondents": {"vi": "Người trả lời", "en": "Respondents"},
    "sheet_method": {"vi": "Phương pháp", "en": "Method"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    "doc_campaign": {"vi": "Đợt khảo sát", "en": "Campaign"},
    "doc_edition": {"vi": "Lần công bố", "en": "Edition"},
    "doc_status": {"vi": "Tình trạng kết quả", "en": "Results"},
    "doc_published_at": {"vi": "Ngày công bố", "en": "Published on"},
    "doc_questionnaire": {"vi": "Bộ câu hỏi (phương pháp)", "en": "Questionnaire (method)"},
    "status_internal": {"vi": "Nội bộ, chưa công bố", "en": "Internal, not published"},
    "status_published": {"vi": "Đã công bố", "en": "Published"},
    "status_interim": {"vi": "Kết quả sơ bộ", "en": "Interim results"},
    "unit_code": {"vi": "Mã đơn vị", "en": "Unit code"},
    "unit": {"vi": "Đơn vị", "en": "Unit"},
    "kind": {"vi": "Loại đơn vị", "en": "Unit kind"},
    "n": {"vi": "Số phiếu", "en": "Responses"},
    "ci_low": {"vi": "Cận dưới (95%)", "en": "Lower bound (95%)"},
    "ci_high": {"vi": "Cận trên (95%)", "en": "Upper bound (95%)"},
    "change_points": {"vi": "Thay đổi (điểm %)", "en": "Change (points)"},
    "change_rank": {"vi": "Thay đổi (bậc)", "en": "Change (places)"},
    "flags": {"vi": "Ghi chú", "en": "Notes"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "overall": {"vi": "Toàn tỉnh (cả đợt khảo sát)", "en": "Whole campaign"},
    "overall_how": {"vi": "Cách tính", "en": "How aggregated"},
    "deff": {"vi": "Hệ số thiết kế (deff)", "en": "Design effect (deff)"},
    "n_effective": {"vi": "Cỡ mẫu hiệu dụng", "en": "Effective sample size"},
    "rank_interval": {"vi": "Khoảng xếp hạng (95%)", "en": "Rank interval (95%)"},
    "rank_best": {"vi": "Hạng cao nhất có thể (95%)", "en": "Best plausible rank (95%)"},
    "rank_worst": {"vi": "Hạng thấp nhất có thể (95%)", "en": "Worst plausible rank (95%)"},
    "vs_median": {"vi": "So với trung vị", "en": "Against the median"},
    "vs_above": {"vi": "Cao hơn trung vị", "en": "Above the median"},
    "vs_indistinguishable": {
        "vi": "Không phân biệt được với trung vị",
        "en": "Not distinguishable from the median",
    },
    "vs_below": {"vi": "Thấp hơn trung vị", "en": "Below the median"},
    "median_units": {"vi": "Số đơn vị tính trung vị", "en": "Units behind the median"},
    "league": {"vi": "Nhóm xếp hạng", "en": "League"},
    **labels.prefixed("flag_", labels.RANK_FLAG),
    "m_campaign": {"vi": "Đợt khảo sát", "en": "Campaign"},
    "m_status": {"vi": "Tình trạng số liệu", "en": "Status of the figures"},
    "m_live": {
        "vi": "Kết quả nội bộ, đang cập nhật, chưa công bố",
        "en": "Internal live results, not published",
    },
    "m_published": {
        "vi": "Kết quả công bố, bản số {number}, ngày {day}",
        "en": "Published results, edition {number}, {day}",
    },
    "m_interim": {
        "vi": "KẾT QUẢ SƠ BỘ, bản công bố số {number}, ngày {day}",
        "en": "PRELIMINARY RESULTS (interim), edition {number}, {day}",
    },
    "m_made": {"vi": "Thời điểm lập", "en": "Made at"},
    "m_as_of": {"vi": "Số liệu tính đến", "en": "Figures as of"},
    "m_questionnaire": {"vi": "Bộ câu hỏi", "en": "Questionnaire"},
    "m_scoring": {"vi": "Cách tính tiêu chí", "en": "Criterion rule"},
    "m_aggregate": {"vi": "Cách tính cấp trên", "en": "Higher levels"},
    "m_responses": {"vi": "Tổng số phiếu", "en": "Responses counted"},
    "m_min_sample": {"vi": "Cỡ mẫu tối thiểu", "en": "Minimum sample"},
    "m_filters": {"vi": "Lọc", "en": "Filters"},
    "m_rule": {"vi": "Quy tắc tính và công bố", "en": "How figures are computed and published"},
    "m_channel": {"vi": "Kênh thu thập", "en": "Channel"},
    "m_date_from": {"vi": "Từ ngày", "en": "From"},
    "m_date_to": {"vi": "Đến ngày", "en": "To"},
    "m_details": {
        "vi": "Định nghĩa chi tiết (mục methods của báo cáo JSON)",
        "en": "Definitions in detail (methods of the JSON report)",
    },
    "m_text": {"vi": "Nội dung", "en": "Text"},
    "m_percent": {
        "vi": "Các chỉ số là tỷ lệ phần trăm (0–100), hiển thị 2 chữ số thập phân; "
        "ô lưu đủ chữ số.",
        "en": "Figures are percentages (0–100) shown with 2 decimals; cells keep every digit.",
    },
}


def d(key: str, lang: str, **params: object) -> str:
    """A document string in `lang` (Vietnamese when the language has none)."""
    entry = DOC[key]
    text = entry.get(lang) or entry["vi"]
    return text.format(**params) if params else text


def kind_label(kind: str, lang: str) -> str:
    """A unit kind (or the `mixed` league) in words: app/core/labels.py."""
    return labels.kind(kind, lang)


def rank_interval_text(entry: dict[str, Any]) -> str:
    """A ranked unit's 95 % rank interval as written in documents: "2–6" ("1" when
    certain); empty when the unit is not ranked."""
    interval = entry.get("rank_interval")
    if not interval:
        return ""
    best, worst = interval
    return f"{best}–{worst}"


def vs_median_label(entry: dict[str, Any], lang: str) -> str:
    """Above / not distinguishable from / below the median, in `lang`; empty when none."""
    label = entry.get("vs_median")
    return d(f"vs_{label}", lang) if label else ""


def flag_labels(flags: list[str], lang: str) -> str:
    return "; ".join(d(f"flag_{f}", lang) if f"flag_{f}" in DOC else f for f in flags)


def previous_flagged(entry: dict[str, Any]) -> bool:
    """Whether the unit's change is set against a previous figure too small or
    incomplete to rank (`change.previous_flags`)."""
    return bool((entry.get("change") or {}).get("previous_flags"))


def notes(entry: dict[str, Any], lang: str) -> str:
    """A unit's notes column: why it is not ranked, and whether its change rests on a
    previous figure that was not ranked."""
    out = [flag_labels(entry["flags"], lang)] if entry["flags"] else []
    if previous_flagged(entry):
        out.append(labels.say(labels.PREVIOUS_FLAG, lang))
    return "; ".join(out)


def status_text(body: dict[str, Any], lang: str) -> str:
    """What a document says about its figures: internal, published (edition and date)
    or preliminary (kết quả sơ bộ)."""
    edition = body.get("edition")
    if not edition:
        return d("m_live", lang)
    when = datetime.fromisoformat(edition["published_at"]).astimezone(VIETNAM)
    day = when.strftime("%d/%m/%Y") if lang == "vi" else when.strftime("%Y-%m-%d")
    key = "m_interim" if edition.get("interim") else "m_published"
    return d(key, lang, number=edition["number"], day=day)
