"""The rules of computing and publishing in plain words, in Vietnamese (default) and
English: the printed report's method section and the workbook's *Phương pháp* sheet
print the same sentences, written from the report itself (its criterion rule, its
leagues, its minimum sample, whether it has rank intervals)."""

from typing import Any

from app.core.config import get_settings
from app.reporting.doc_text import kind_label

RULES: dict[str, dict[str, str]] = {
    "rule_composites": {
        "vi": "Chỉ số của mỗi yếu tố là trung bình cộng các tiêu chí của yếu tố; chỉ số SIPAS "
        "là trung bình cộng năm yếu tố. Mỗi số liệu kèm khoảng tin cậy 95%.",
        "en": "A factor's index is the mean of its criteria; SIPAS is the mean of the five "
        "factors. Every figure comes with its 95% interval.",
    },
    "rule_leagues": {
        "vi": "Mỗi loại đơn vị được xếp hạng riêng ({kinds}); trung vị được tính trong từng nhóm.",
        "en": "Each kind of unit is ranked among its own kind ({kinds}); medians are taken "
        "within each league.",
    },
    "rule_mixed": {
        "vi": "Tất cả đơn vị được xếp hạng chung một bảng.",
        "en": "All units are ranked in one table.",
    },
    "rule_min": {
        "vi": "Đơn vị có tiêu chí dưới {n} câu trả lời hợp lệ, hoặc thiếu số liệu của một "
        "tiêu chí, yếu tố hay chỉ số SIPAS, vẫn được liệt kê nhưng không được xếp hạng và "
        "không tính vào trung vị.",
        "en": "A unit with a criterion under {n} valid answers, or missing a criterion, factor "
        "or SIPAS figure, is listed but neither ranked nor counted in the medians.",
    },
    "rule_ties": {
        "vi": "Xếp hạng theo chỉ số SIPAS làm tròn {p} chữ số thập phân như khi công bố: các "
        "đơn vị bằng điểm cùng hạng.",
        "en": "Ranks follow SIPAS rounded to {p} decimals as published: units with equal "
        "figures share a rank.",
    },
    "rule_intervals": {
        "vi": "Khoảng hạng (ví dụ 3 (2–6)) là các hạng mà đơn vị có thể đạt với độ tin cậy "
        "95%, do số liệu là từ mẫu.",
        "en": "A rank interval (e.g. 3 (2–6)) gives the ranks the unit could hold at 95% "
        "confidence, the figures being from a sample.",
    },
}

# The criterion rule in plain words, by the report's `scoring`.
SCORING: dict[str, dict[str, str]] = {
    "top2box": {
        "vi": "Chỉ số của mỗi tiêu chí là tỷ lệ câu trả lời hợp lệ ở mức 4 (hài lòng) "
        "hoặc 5 (rất hài lòng); câu trả lời “không áp dụng” và bỏ trống không được tính.",
        "en": "A criterion's index is the share of valid answers at 4 (satisfied) or 5 "
        "(very satisfied); “not applicable” and blank answers are left out.",
    },
    "mean20": {
        "vi": "Chỉ số của mỗi tiêu chí là điểm trung bình (1–5) nhân 20; câu trả lời "
        "“không áp dụng” và bỏ trống không được tính.",
        "en": "A criterion's index is its mean score (1–5) times 20; “not applicable” and "
        "blank answers are left out.",
    },
    "rescaled": {
        "vi": "Chỉ số của mỗi tiêu chí là điểm trung bình quy về thang 0–100 "
        "((trung bình − 1) / 4 × 100); câu trả lời “không áp dụng” và bỏ trống không "
        "được tính.",
        "en": "A criterion's index is its mean score rescaled to 0–100 ((mean − 1) / 4 × "
        "100); “not applicable” and blank answers are left out.",
    },
}


def _r(key: str, lang: str, **params: object) -> str:
    text = RULES[key].get(lang) or RULES[key]["vi"]
    return text.format(**params) if params else text


def rules(body: dict[str, Any], leagues: list[str], lang: str) -> list[str]:
    """The rules behind a report body in plain words, in order; `leagues` the names of
    its leagues as listed (a unit kind each, or `mixed`)."""
    out = []
    scoring = SCORING.get(str(body.get("scoring")))
    if scoring:
        out.append(scoring.get(lang) or scoring["vi"])
    out.append(_r("rule_composites", lang))
    if len(leagues) > 1 or (leagues and leagues[0] != "mixed"):
        kinds = ", ".join(kind_label(name, lang) for name in leagues)
        out.append(_r("rule_leagues", lang, kinds=kinds))
    else:
        out.append(_r("rule_mixed", lang))
    out.append(_r("rule_min", lang, n=body.get("min_sample")))
    out.append(_r("rule_ties", lang, p=get_settings().RANK_PRECISION))
    if any(e.get("rank_interval") for e in body["units"]):
        out.append(_r("rule_intervals", lang))
    return out
