"""The rules of computing and publishing in plain words, in Vietnamese (default) and
English: the printed report's method section and the workbook's *Phương pháp* sheet
print the same sentences, written from the report itself (its criterion rule, its
leagues, its minimum sample, whether it has rank intervals)."""

from typing import Any

from app.core import labels
from app.core.config import get_settings
from app.questionnaires.catalog import Questionnaire
from app.reporting.doc_text import kind_label

RULES: dict[str, dict[str, str]] = {
    "rule_composites": {
        "vi": "Chỉ số của mỗi yếu tố là trung bình cộng các tiêu chí của yếu tố; chỉ số SIPAS "
        "là trung bình cộng năm yếu tố. Mỗi số liệu kèm khoảng tin cậy 95%.",
        "en": "A factor's index is the mean of its criteria; SIPAS is the mean of the five "
        "factors. Every figure comes with its 95% interval.",
    },
    # A declared tree (sipas-2023): each level of it in words, from the report's `tree`.
    "rule_tree_group": {
        "vi": "Chỉ số của mỗi nhóm tiêu chí là trung bình cộng các tiêu chí của nhóm.",
        "en": "A group's index is the mean of its criteria.",
    },
    "rule_tree_item_weighted": {
        "vi": "Chỉ số {what} là trung bình {parts} có trọng số theo số tiêu chí của từng "
        "phần ({counts}), tức trung bình cộng {n} tiêu chí khi mọi tiêu chí đều có câu trả "
        "lời.",
        "en": "{What} is the mean of {parts} weighted by their numbers of criteria "
        "({counts}), which is the mean of its {n} criteria when every one is answered.",
    },
    "rule_tree_mean": {
        "vi": "Chỉ số {what} là trung bình cộng (không trọng số) {parts}.",
        "en": "{What} is the unweighted mean of {parts}.",
    },
    "rule_tree_dont_know": {
        "vi": "Câu trả lời “{na}” ({code}) không được tính vào tiêu chí nào, nên người chưa từng "
        "sử dụng dịch vụ không làm giảm chỉ số; mỗi số liệu kèm khoảng tin cậy 95%.",
        "en": "“{na}” ({code}) is left out of every criterion, so residents who never used a "
        "service do not lower an index; every figure comes with its 95% interval.",
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
    "rule_min_tree": {
        "vi": "Đơn vị có tiêu chí dưới {n} câu trả lời hợp lệ, hoặc thiếu số liệu của một "
        "tiêu chí, nhóm tiêu chí, lĩnh vực hay chỉ số SIPAS, vẫn được liệt kê nhưng không "
        "được xếp hạng và không tính vào trung vị.",
        "en": "A unit with a criterion under {n} valid answers, or missing a criterion, "
        "group, aspect or SIPAS figure, is listed but neither ranked nor counted in the "
        "medians.",
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


def tree_rules(
    body: dict[str, Any], titles: dict[str, str], na: tuple[str, int], lang: str
) -> list[str]:
    """How a report's declared tree combines, one sentence per kind of node, read from
    its `tree` and `combine`: `titles` names the nodes, `na` the words and code of the
    scale's "don't know"."""
    tree = body["tree"]
    nodes = {n["code"]: n for n in tree["nodes"]}
    kinds = labels.node_kinds(
        {c: n["parent"] for c, n in nodes.items() if c != tree["root"]}, tree["root"]
    )
    combine = body.get("combine") or "default"

    def how(node: dict[str, Any]) -> str:
        offered = combine != "default" and combine in node["choices"]
        return combine if offered else str(node["aggregation"])

    def words(codes: list[str]) -> str:
        return ", ".join(f"“{titles.get(c, c)}”" for c in codes)

    out = []
    if "group" in kinds.values() or "factor" in kinds.values():
        out.append(_r("rule_tree_group", lang))
    for code in [c for c in nodes if kinds.get(c) == "aspect"] + [tree["root"]]:
        node = nodes[code]
        if code == tree["root"]:
            what = "SIPAS"
        else:
            kind = labels.node_kind("aspect", lang)
            what = f"{kind.lower()} “{titles.get(code, code)}”"
        parts = words(node["children"])
        key = "rule_tree_item_weighted" if how(node) == "item_weighted" else "rule_tree_mean"
        counts = ", ".join(str(nodes[c]["items"]) if c in nodes else "1" for c in node["children"])
        out.append(
            _r(
                key,
                lang,
                what=what,
                What=what[:1].upper() + what[1:],
                parts=parts,
                counts=counts,
                n=node["items"],
            )
        )
    out.append(_r("rule_tree_dont_know", lang, na=na[0], code=na[1]))
    return out


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()))


def rules(
    body: dict[str, Any], leagues: list[str], lang: str, q: Questionnaire | None = None
) -> list[str]:
    """The rules behind a report body in plain words, in order; `leagues` the names of
    its leagues as listed (a unit kind each, or `mixed`); `q` its questionnaire, whose
    words name a declared tree's nodes."""
    out = []
    scoring = SCORING.get(str(body.get("scoring")))
    if scoring:
        out.append(scoring.get(lang) or scoring["vi"])
    if body.get("tree") and q is not None:
        titles = {g.code: _pick(g.title, lang) for g in q.groups}
        na = q.model.scale.not_applicable
        out += tree_rules(body, titles, (_pick(na.label, lang), na.code), lang)
    else:
        out.append(_r("rule_composites", lang))
    if len(leagues) > 1 or (leagues and leagues[0] != "mixed"):
        kinds = ", ".join(kind_label(name, lang) for name in leagues)
        out.append(_r("rule_leagues", lang, kinds=kinds))
    else:
        out.append(_r("rule_mixed", lang))
    rule_min = "rule_min_tree" if body.get("tree") else "rule_min"
    out.append(_r(rule_min, lang, n=body.get("min_sample")))
    out.append(_r("rule_ties", lang, p=get_settings().RANK_PRECISION))
    if any(e.get("rank_interval") for e in body["units"]):
        out.append(_r("rule_intervals", lang))
    return out
