"""The one table of words for the codes every page and document shows: unit kinds,
response channels, the reasons a unit is not ranked, the criterion rule and how a
higher level's figures are made, in Vietnamese (default) and English.

The dashboard (app/access/dash_text.py), the workbook and CSV (app/reporting/doc_text.py),
the printed report (app/reporting/printed.py), the microdata's value labels
(app/reporting/microdata.py) and the public pages all read these, so a commune is
"Xã, phường, đặc khu" in each of them and a channel has one name. A test
(tests/reporting/test_labels.py) checks that every code of the enums has its words
and that each document prints the same words.
"""

# Local government since July 2025: communes, wards and special zones (đặc khu).
UNIT_KIND: dict[str, dict[str, str]] = {
    "country": {"vi": "Cả nước", "en": "Country"},
    "ministry": {"vi": "Bộ, ngành", "en": "Ministry"},
    "province": {"vi": "Tỉnh, thành phố", "en": "Province"},
    "department": {"vi": "Sở, ban, ngành", "en": "Department"},
    "district": {"vi": "Quận, huyện", "en": "District"},
    "commune": {"vi": "Xã, phường, đặc khu", "en": "Commune"},
    "service_centre": {
        "vi": "Trung tâm Phục vụ hành chính công",
        "en": "Public administrative service centre",
    },
    "agency": {"vi": "Cơ quan", "en": "Agency"},
    "village": {"vi": "Thôn, tổ dân phố", "en": "Village or residential group"},
}
# The league of a report that ranks every unit together (`league: mixed`).
LEAGUE_MIXED: dict[str, str] = {"vi": "Tất cả đơn vị", "en": "All units"}

CHANNEL: dict[str, dict[str, str]] = {
    "kiosk": {"vi": "Máy tính bảng tại quầy", "en": "Tablet at the counter"},
    "web": {"vi": "Điện thoại, máy tính (mã QR)", "en": "Phone or computer (QR code)"},
    "paper": {"vi": "Phiếu giấy", "en": "Paper form"},
    "interview": {"vi": "Phỏng vấn", "en": "Interview"},
}

# Why a unit is listed but not ranked (`flags` of a report's unit).
RANK_FLAG: dict[str, dict[str, str]] = {
    "small_sample": {"vi": "Mẫu nhỏ, không xếp hạng", "en": "Small sample, not ranked"},
    "incomplete": {"vi": "Thiếu thành phần, không xếp hạng", "en": "Incomplete, not ranked"},
}

# A change against a compared campaign whose figure for the unit was itself flagged:
# the change is shown with this note (and PREVIOUS_MARK beside it in a table).
PREVIOUS_FLAG: dict[str, str] = {
    "vi": "Thay đổi so với số liệu đợt trước dựa trên mẫu nhỏ hoặc thiếu thành phần "
    "(đợt trước không được xếp hạng)",
    "en": "Change against a previous figure resting on a small sample or incomplete "
    "(not ranked then)",
}
PREVIOUS_MARK = "*"

# The criterion rule, short (a heading, a cell); printed.SCORING says it in full.
SCORING: dict[str, dict[str, str]] = {
    "top2box": {"vi": "tỷ lệ hài lòng (mức 4–5)", "en": "share satisfied (levels 4–5)"},
    "mean20": {"vi": "điểm trung bình quy về 100", "en": "mean score scaled to 100"},
    "rescaled": {"vi": "điểm quy đổi 0–100", "en": "score rescaled to 0–100"},
}

AGGREGATE: dict[str, dict[str, str]] = {
    "pooled": {
        "vi": "gộp mọi phiếu của các đơn vị cấp dưới",
        "en": "every response under the unit, pooled",
    },
    "mean_of_units": {
        "vi": "trung bình cộng của các đơn vị cấp dưới trực tiếp",
        "en": "unweighted mean of the direct sub-units",
    },
    "weighted": {
        "vi": "gia quyền theo số hồ sơ của từng đơn vị",
        "en": "weighted by each unit's share of the dossiers",
    },
}


def say(text: dict[str, str], lang: str) -> str:
    """One entry in `lang` (Vietnamese when the language has none)."""
    return text.get(lang) or text["vi"]


def word(table: dict[str, dict[str, str]], code: str, lang: str) -> str:
    """The words for `code` in `lang`; the code itself when the table has none for it."""
    entry = table.get(code)
    return code if entry is None else say(entry, lang)


def kind(code: str, lang: str) -> str:
    """A unit kind (or the `mixed` league) in words."""
    if code == "mixed":
        return say(LEAGUE_MIXED, lang)
    return word(UNIT_KIND, code, lang)


def channel(code: str, lang: str) -> str:
    return word(CHANNEL, code, lang)


def prefixed(prefix: str, table: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A table's entries under keys `prefix` + code, for a page's string table."""
    return {f"{prefix}{code}": text for code, text in table.items()}


# The kinds of inner nodes of an index tree, as a reader names them. Which kind a node
# is comes from the tree's shape, not from its code: in a tree of one level under the
# overall index (sipas-2017) every node is a factor; in a deeper one (sipas-2023) a
# node under the overall index is an aspect and a node under an aspect a group of
# criteria.
NODE_KIND: dict[str, dict[str, str]] = {
    "factor": {"vi": "Yếu tố", "en": "Factor"},
    "aspect": {"vi": "Lĩnh vực", "en": "Aspect"},
    "group": {"vi": "Nhóm tiêu chí", "en": "Group of criteria"},
}
# The heading over every inner node of a deeper tree (a factor list keeps "Yếu tố").
NODE_KINDS_DEEP: dict[str, str] = {
    "vi": "Lĩnh vực và nhóm tiêu chí",
    "en": "Aspects and groups of criteria",
}

NODE_KINDS_NOTE: dict[str, str] = {
    "vi": "In đậm: lĩnh vực; dưới mỗi lĩnh vực là các nhóm tiêu chí của nó.",
    "en": "In bold: an aspect; under each aspect, its groups of criteria.",
}


def node_kinds(parents: dict[str, str | None], root: str) -> dict[str, str]:
    """The kind (a NODE_KIND key) of each inner node of a tree, given each one's parent
    and the root: `factor` when every node hangs from the root, else `aspect` for the
    nodes under the root and `group` below them."""
    if all(p == root for p in parents.values()):
        return dict.fromkeys(parents, "factor")
    return {code: "aspect" if p == root else "group" for code, p in parents.items()}


def node_kind(kind: str, lang: str) -> str:
    """A kind of index node in words."""
    return NODE_KIND[kind].get(lang) or NODE_KIND[kind]["vi"]
