"""The words of questionnaire authoring (XLSForm and YAML uploads), in vi and en.

`MESSAGES` holds the reading mistakes of app/questionnaires/xlsform.py by key. The
catalog's own checks (catalog.check_raw) speak English; `CATALOG` translates the
common ones by pattern, and any other is shown in English, marked as such.
"""

import re

from app.questionnaires.xlsform import Cell, Problem

MESSAGES: dict[str, dict[str, str]] = {
    "xls_not_workbook": {
        "vi": "không đọc được tệp như một bảng tính .xlsx ({reason})",
        "en": "cannot be read as an .xlsx workbook ({reason})",
    },
    "xls_no_sheet": {"vi": "thiếu trang tính này", "en": "this sheet is missing"},
    "xls_no_column": {"vi": "thiếu cột này", "en": "this column is missing"},
    "xls_no_languages": {
        "vi": "chưa có cột nhãn theo ngôn ngữ (ví dụ label::Vietnamese (vi), label::English (en))",
        "en": "no label column per language (for example label::Vietnamese (vi), "
        "label::English (en))",
    },
    "xls_settings_row": {
        "vi": "trang settings cần một dòng giá trị dưới dòng tiêu đề",
        "en": "the settings sheet needs one row of values under its header",
    },
    "xls_empty": {"vi": "ô này không được để trống", "en": "this cell must not be empty"},
    "xls_yes_no": {
        "vi": "{value!r}: ghi yes hoặc để trống",
        "en": "{value!r}: write yes, or leave it empty",
    },
    "xls_not_integer": {
        "vi": "{value!r} không phải số nguyên",
        "en": "{value!r} is not a whole number",
    },
    "xls_scale_mark": {
        "vi": "{value!r}: ghi main (thang đo hài lòng chính) hoặc yes (thang đo khác)",
        "en": "{value!r}: write main (the satisfaction scale) or yes (another scale)",
    },
    "xls_main_scale": {
        "vi": "cần đúng một danh sách lựa chọn có scale = main (thang đo hài lòng), hiện có {n}",
        "en": "exactly one choice list needs scale = main (the satisfaction scale); there are {n}",
    },
    "xls_scale_code": {
        "vi": "{value!r}: mã của một mức thang đo phải là số nguyên",
        "en": "{value!r}: a scale level's code must be a whole number",
    },
    "xls_two_na": {
        "vi": "thang đo này đã có một mức not_applicable",
        "en": "this scale already has a not_applicable level",
    },
    "xls_relevant": {
        "vi": "không đọc được {term!r}; viết selected(${{câu_hỏi}}, 'mã_lựa_chọn'), "
        "nối bằng or (cùng một câu) và and (các câu khác nhau)",
        "en": "cannot read {term!r}; write selected(${{question}}, 'option'), joined "
        "by or (one question) and and (different questions)",
    },
    "xls_relevant_mixed": {
        "vi": "các vế nối bằng or phải cùng một câu hỏi ({first} và {second}); "
        "dùng and giữa các câu khác nhau",
        "en": "terms joined by or must name one question ({first} and {second}); use "
        "and between different questions",
    },
    "xls_relevant_twice": {
        "vi": "câu {question} xuất hiện ở hai vế and; gộp các lựa chọn của nó bằng or",
        "en": "{question} appears in two and-terms; join its options with or",
    },
    "xls_nested_group": {
        "vi": "nhóm lồng trong nhóm {group!r}: mỗi phần là một nhóm, không lồng nhau",
        "en": "a group inside group {group!r}: each section is one group, not nested",
    },
    "xls_end_without_begin": {
        "vi": "end_group không có begin_group tương ứng",
        "en": "end_group without a begin_group",
    },
    "xls_outside_group": {
        "vi": "câu hỏi nằm ngoài mọi nhóm: đặt nó giữa begin_group và end_group",
        "en": "a question outside any group: put it between begin_group and end_group",
    },
    "xls_group_not_ended": {
        "vi": "nhóm {group!r} chưa có end_group",
        "en": "group {group!r} has no end_group",
    },
    "xls_scale_multiple": {
        "vi": "{list!r} là thang đo: dùng select_one",
        "en": "{list!r} is a rating scale: use select_one",
    },
    "xls_unknown_list": {
        "vi": "không có danh sách {list!r} trong trang choices",
        "en": "no list {list!r} in the choices sheet",
    },
    "xls_unknown_type": {
        "vi": "không dùng được kiểu {type!r}; các kiểu dùng được: select_one DANH_SÁCH, "
        "select_multiple DANH_SÁCH, text, begin_group, end_group",
        "en": "type {type!r} is not supported; use select_one LIST, select_multiple LIST, "
        "text, begin_group, end_group",
    },
    "xls_two_roots": {
        "vi": "đã có gốc {first!r}: cây chỉ số chỉ có một gốc",
        "en": "{first!r} is the root already: the index tree has one root",
    },
    "xls_no_root": {
        "vi": "chưa có nút nào được đánh dấu root = yes",
        "en": "no node is marked root = yes",
    },
    "yaml_unreadable": {"vi": "{reason}", "en": "{reason}"},
    "catalog": {"vi": "{message}", "en": "{message}"},
}

# The catalog's English sentences most often met, in Vietnamese.
CATALOG: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), vi)
    for p, vi in [
        (
            r"^points at '(.+)', which is not a question asked before it$",
            "trỏ tới '{0}', nhưng không có câu hỏi nào mang mã này đứng trước",
        ),
        (r"^'(.+)' has no option (.+)$", "câu '{0}' không có lựa chọn {1}"),
        (r"^'(.+)' is not a choice question$", "'{0}' không phải câu hỏi lựa chọn"),
        (r"^missing translation (.+)$", "thiếu bản dịch {0}"),
        (r"^empty text$", "nội dung trống"),
        (
            r"^language (.+) is not in `languages`$",
            "ngôn ngữ {0} không có trong danh sách ngôn ngữ",
        ),
        (r"^duplicate code '(.+)', already used at (.+)$", "mã '{0}' bị trùng, đã dùng ở {1}"),
        (r"^duplicate option code (.+)$", "mã lựa chọn {0} bị trùng"),
        (r"^duplicate node '(.+)', already at (.+)$", "nút '{0}' bị trùng, đã có ở {1}"),
        (r"^'(.+)' is neither a node nor an item$", "'{0}' không phải nút cũng không phải câu hỏi"),
        (r"^has no children$", "chưa có thành phần nào"),
        (r"^cycle: (.+)$", "vòng lặp: {0}"),
        (
            r"^(item|node) '(.+)' is already under '(.+)'; (.+)$",
            "'{1}' đã thuộc '{2}' (mỗi thành phần chỉ thuộc một nhóm)",
        ),
        (r"^root '(.+)' is not a node of the tree$", "gốc '{0}' không phải một nút của cây"),
        (r"^node '(.+)' is not under the root '(.+)'$", "nút '{0}' không nằm dưới gốc '{1}'"),
        (r"^'(.+)' is not a scale in `scales`$", "'{0}' không phải một thang đo"),
        (r"^no option (.+)$", "không có lựa chọn {0}"),
        (
            r"^the question must be required and always asked$",
            "câu hỏi này phải bắt buộc và luôn được hỏi",
        ),
        (r"^larger than the number of options$", "lớn hơn số lựa chọn"),
        (r"^unknown key$", "khóa không hợp lệ"),
        (r"^Field required$", "thiếu giá trị bắt buộc"),
        (
            r"^none, but item '(.+)' is scored on it \(scoring.tree\)$",
            "chưa có mức hài lòng, nhưng câu '{0}' được tính điểm theo thang đo này",
        ),
        (
            r"^(.+) is a (\w+) question; only scale questions are items of the tree$",
            "{0} là câu hỏi kiểu {1}; chỉ câu hỏi thang đo mới là thành phần của cây chỉ số",
        ),
        (r"^has no questions$", "chưa có câu hỏi nào"),
        (
            r"^a factor's items must be of kind scale$",
            "các câu của một nhóm tính điểm phải là thang đo",
        ),
    ]
]

WHERE = {
    "sheet": {"vi": "trang {sheet}", "en": "{sheet}"},
    "row": {"vi": "dòng {row}", "en": "row {row}"},
    "column": {"vi": "cột {column}", "en": "column {column}"},
    "in_english": {"vi": "(bằng tiếng Anh) {message}", "en": "{message}"},
}


def _catalog_message(message: str, lang: str) -> str:
    if lang == "en":
        return message
    for pattern, vi in CATALOG:
        m = pattern.match(message)
        if m:
            return vi.format(*m.groups())
    return WHERE["in_english"]["vi"].format(message=message)


def where(cell: Cell, lang: str) -> str:
    """`survey, row 14, column relevant` (vi: `trang survey, dòng 14, cột relevant`)."""
    lang = "en" if lang == "en" else "vi"
    parts = [WHERE["sheet"][lang].format(sheet=cell.sheet)]
    if cell.row is not None:
        parts.append(WHERE["row"][lang].format(row=cell.row))
    if cell.column is not None:
        parts.append(WHERE["column"][lang].format(column=cell.column))
    return ", ".join(parts)


def message(problem: Problem, lang: str) -> str:
    """What is wrong, without the place."""
    lang = "en" if lang == "en" else "vi"
    if problem.key == "catalog":
        return _catalog_message(str(problem.params["message"]), lang)
    return MESSAGES[problem.key][lang].format(**problem.params)


def place(problem: Problem, lang: str) -> str:
    """Sheet, row and column; for YAML the place in the file (`sections[2]…`)."""
    if problem.cell is not None:
        return where(problem.cell, lang)
    return str(problem.params.get("place", ""))


def describe(problem: Problem, lang: str) -> str:
    """One problem as a sentence: its place, then what is wrong."""
    at = place(problem, lang)
    return f"{at}: {message(problem, lang)}" if at else message(problem, lang)
