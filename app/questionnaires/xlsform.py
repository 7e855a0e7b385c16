"""Questionnaires as XLSForm spreadsheets, both ways, with nothing lost.

The XLSForm convention (xlsform.org; what Kobo, ODK and SurveyCTO users write) has a
`survey` sheet (one row per question, `begin_group`/`end_group` around each section),
a `choices` sheet (one row per option, grouped by `list_name`) and a `settings` sheet
(one row: `form_id`, `version`, `form_title`, `default_language`). Texts are in
`label::Vietnamese (vi)`, `label::English (en)` columns; `select_one LIST` and
`select_multiple LIST` name their choice list; `relevant` holds the show-if rule as
`selected(${question}, 'option')` terms joined by `or` (options of one question) and
`and` (several questions).

What XLSForm has no word for lives in extra columns, which ODK tools ignore:
- survey, on a `begin_group` row: `factor` (yes), `report` (perception, expectations,
  respondents), `overall_item`;
- survey, on a question row: `break` (yes: the question begins a new screen),
  `comment` (yes: a citizen's comment), `max_length`, `min_choices`, `max_choices`,
  `ends_form` (the option codes that end the form) and `ends_form_text::<language>`;
- choices, on a rating scale's rows: `scale` (`main` for the satisfaction scale, `yes`
  for another scale, whose list name is the scale's name), `satisfied` (yes) and
  `not_applicable` (yes);
- settings: `basis`, `survey_title::<language>`, `intro::<language>`, and the scoring
  rules as `scoring.criterion`, `scoring.factor`, `scoring.sipas`,
  `scoring.overall_item`, `scoring.min_sample`, `scoring.timeliness.question` (…
  `.early`, `.on_time`, `.late`);
- a `scoring` sheet: the index tree, one row per node (`name`, `label::<language>`,
  `aggregate`, `of`, `item`, `choices`, `root`).

`from_xlsform` gives the questionnaire as data (the shape of our YAML) and where each
thing was read (`Origins`), so the catalog's own checks (app/questionnaires/catalog.py)
can be reported at the sheet, row and column that defined the thing.

pyxform (the reference XLSForm-to-XForm converter) is not used: it checks the ODK
side of a form (XPath, question types we do not have), its messages are English only
and name rows but not our extras, and it would not read the scoring sheet; openpyxl
reads and writes the workbook.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.questionnaires.catalog import QuestionnaireModel, Text

LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English", "fr": "French", "km": "Khmer"}
SHEETS = ("survey", "choices", "settings", "scoring")
YES = {"yes", "true", "1", "true()", "y", "có"}
NO = {"no", "false", "0", "false()", "n", "không", ""}
SETTINGS_SCORING = ("criterion", "factor", "sipas", "overall_item", "min_sample")
TIMELINESS = ("question", "early", "on_time", "late")
_LANG_COLUMN = re.compile(
    r"^(?P<base>[a-z_]+)::(?:[^()]*\((?P<code>[a-z]{2})\)|(?P<bare>[a-z]{2}))$"
)
_TERM = re.compile(
    r"^\s*(?:selected\(\s*\$\{(?P<q1>[A-Za-z0-9_]+)\}\s*,\s*'(?P<v1>[^']*)'\s*\)"
    r"|\$\{(?P<q2>[A-Za-z0-9_]+)\}\s*=\s*'(?P<v2>[^']*)')\s*$"
)


@dataclass(frozen=True)
class Cell:
    """A place in the workbook: sheet, 1-based row (None: the whole sheet), column."""

    sheet: str
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is and its message (a key of xlsform_text.MESSAGES)."""

    cell: Cell | None
    key: str
    params: dict[str, Any] = field(default_factory=dict)


class XLSFormError(ValueError):
    """The workbook cannot be read as a questionnaire; `problems` says where."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.key for p in problems))
        self.problems = problems


@dataclass
class Origins:
    """Where each part of the questionnaire data was read: `sections[2].questions[0]
    .show_if` → survey, row 14, column relevant."""

    cells: dict[str, Cell] = field(default_factory=dict)

    def put(self, path: str, cell: Cell) -> None:
        self.cells.setdefault(path, cell)

    def find(self, place: str) -> Cell | None:
        """The cell of `place` as the catalog writes it (`sections[2].questions[0]
        (Q1).show_if`), or of the nearest enclosing thing that has one."""
        path = re.sub(r" \([^)]*\)", "", place).strip()
        while path:
            if path in self.cells:
                return self.cells[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return self.cells.get(path)


# --- writing -------------------------------------------------------------------------


def _lang_header(base: str, lang: str) -> str:
    return f"{base}::{LANGUAGE_NAMES.get(lang, lang)} ({lang})"


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def _relevant(show_if: dict[str, list[str]] | None) -> str:
    if not show_if:
        return ""
    parts = []
    for ref, allowed in show_if.items():
        terms = [f"selected(${{{ref}}}, '{code}')" for code in allowed]
        joined = " or ".join(terms)
        parts.append(f"({joined})" if len(terms) > 1 and len(show_if) > 1 else joined)
    return " and ".join(parts)


def to_xlsform(model: QuestionnaireModel) -> bytes:
    """The questionnaire as an XLSForm workbook (.xlsx)."""
    langs = model.languages
    labels = [_lang_header("label", lang) for lang in langs]
    scale_list = "scale"
    while scale_list in model.scales:
        scale_list += "_main"
    taken = {scale_list, *model.scales}
    list_of: dict[str, str] = {}
    for s in model.sections:
        for q in s.questions:
            if q.options:
                name = q.code
                while name in taken:
                    name += "_options"
                taken.add(name)
                list_of[q.code] = name

    wb = Workbook()
    survey = wb.active
    assert survey is not None  # a new workbook has its first sheet
    survey.title = "survey"
    ends_text = [_lang_header("ends_form_text", lang) for lang in langs]
    survey.append(
        ["type", "name", *labels, "required", "relevant", "factor", "report", "overall_item"]
        + ["break", "comment", "max_length", "min_choices", "max_choices", "ends_form"]
        + ends_text
    )
    for s in model.sections:
        survey.append(
            ["begin_group", s.code, *(s.title[lang] for lang in langs), "", ""]
            + [_yes(s.factor), s.report, s.overall_item or ""]
        )
        for q in s.questions:
            if q.kind == "scale":
                kind = f"select_one {q.scale or scale_list}"
            elif q.kind == "text":
                kind = "text"
            else:
                verb = "select_one" if q.kind == "single" else "select_multiple"
                kind = f"{verb} {list_of[q.code]}"
            ends = q.ends_form
            survey.append(
                [kind, q.code, *(q.text.get(lang, "") for lang in langs)]
                + [_yes(q.required), _relevant(q.show_if), "", "", ""]
                + [_yes(q.code in s.breaks), _yes(q.comment)]
                + [q.max_length, q.min_choices, q.max_choices]
                + [" ".join(ends.when) if ends else ""]
                + [ends.text.get(lang, "") if ends else "" for lang in langs]
            )
        survey.append(["end_group"])

    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *labels, "scale", "satisfied", "not_applicable"])
    sc = model.scale
    for o in sc.options:
        satisfied = o.code in model.scoring.satisfied
        choices.append(
            [scale_list, o.code, *(o.label[lang] for lang in langs), "main"] + [_yes(satisfied)]
        )
    choices.append(
        [scale_list, sc.not_applicable.code, *(sc.not_applicable.label[lang] for lang in langs)]
        + ["main", "", "yes"]
    )
    for name, named in model.scales.items():
        for o in named.options:
            row = [name, o.code, *(o.label[lang] for lang in langs), "yes"]
            choices.append(row + [_yes(o.code in named.satisfied)])
        if named.not_applicable is not None:
            na = named.not_applicable
            choices.append([name, na.code, *(na.label[lang] for lang in langs), "yes", "", "yes"])
    for s in model.sections:
        for q in s.questions:
            for opt in q.options:
                choices.append([list_of[q.code], opt.code, *(opt.label[lang] for lang in langs)])

    settings = wb.create_sheet("settings")
    scoring = model.scoring
    timeliness = scoring.timeliness
    head = ["form_id", "version", "form_title", "default_language", "basis"]
    # `survey_title::…`, not `form_title::…` (nor `title::…`, its alias): pyxform takes a
    # translated form_title for a mapping and fails; ODK tools read the plain one.
    head += [_lang_header("survey_title", lang) for lang in langs]
    head += [_lang_header("intro", lang) for lang in langs]
    head += [f"scoring.{k}" for k in SETTINGS_SCORING]
    head += [f"scoring.timeliness.{k}" for k in TIMELINESS]
    values: list[Any] = [model.slug, model.version, model.title[langs[0]]]
    values += [f"{LANGUAGE_NAMES.get(langs[0], langs[0])} ({langs[0]})", model.basis or ""]
    values += [model.title[lang] for lang in langs] + [model.intro[lang] for lang in langs]
    values += [getattr(scoring, k) or "" for k in SETTINGS_SCORING]
    values += [getattr(timeliness, k) if timeliness else "" for k in TIMELINESS]
    settings.append(head)
    settings.append(values)

    if scoring.tree is not None:
        tree = wb.create_sheet("scoring")
        tree.append(["name", *labels, "aggregate", "of", "item", "choices", "root"])
        for n in scoring.tree.nodes:
            tree.append(
                [n.code, *(n.title.get(lang, "") for lang in langs), n.aggregate]
                + [" ".join(n.of), n.item or "", " ".join(n.choices)]
                + [_yes(n.code == scoring.tree.root)]
            )
    for sheet in wb.worksheets:
        sheet.freeze_panes = "A2"
        # A text that begins with "=" stays text: never a formula for the spreadsheet.
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class _Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    langs: dict[str, dict[str, str]]  # base column → language → header

    def column(self, name: str) -> bool:
        return name in self.header


def _read_sheet(ws: Any, name: str) -> _Sheet:
    grid = [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    header = [h.strip() for h in grid[0]] if grid else []
    langs: dict[str, dict[str, str]] = {}
    for h in header:
        m = _LANG_COLUMN.match(h)
        if m:
            langs.setdefault(m["base"], {})[m["code"] or m["bare"]] = h
    rows = []
    for i, values in enumerate(grid[1:], start=2):
        if not any(values):
            continue
        rows.append((i, {h: v for h, v in zip(header, values, strict=False) if h}))
    return _Sheet(name, header, rows, langs)


class _Reader:
    """Reads the sheets into questionnaire data, collecting problems with their cells."""

    def __init__(self, sheets: dict[str, _Sheet]):
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.origins = Origins()
        self.languages: list[str] = []

    def fail(self, cell: Cell | None, key: str, **params: Any) -> None:
        self.problems.append(Problem(cell, key, params))

    def flag(self, sheet: _Sheet, row: int, values: dict[str, str], column: str) -> bool:
        raw = values.get(column, "").lower()
        if raw in YES:
            return True
        if raw not in NO:
            self.fail(Cell(sheet.name, row, column), "xls_yes_no", value=values[column])
        return False

    def number(self, sheet: _Sheet, row: int, values: dict[str, str], column: str) -> int | None:
        raw = values.get(column, "")
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            self.fail(Cell(sheet.name, row, column), "xls_not_integer", value=raw)
            return None

    def words(self, values: dict[str, str], column: str) -> list[str]:
        return values.get(column, "").replace(",", " ").split()

    def texts(self, sheet: _Sheet, row: int, values: dict[str, str], base: str, path: str) -> Text:
        """The `base::<language>` cells of a row; an empty one is left out (the catalog
        reports the missing translation, at that language's column)."""
        out: Text = {}
        headers = sheet.langs.get(base, {})
        missing = None
        for lang in self.languages:
            header = headers.get(lang)
            value = values.get(header, "") if header else ""
            if value:
                out[lang] = value
            elif missing is None:
                missing = header or base
        first = headers.get(self.languages[0], base) if self.languages else base
        self.origins.put(path, Cell(sheet.name, row, missing or first))
        return out

    def read(self) -> dict[str, Any]:
        survey = self.sheets.get("survey")
        choices = self.sheets.get("choices")
        for name, sheet in (("survey", survey), ("choices", choices)):
            if sheet is None:
                self.fail(Cell(name), "xls_no_sheet")
        if survey is None or choices is None:
            return {}
        for sheet, needed in ((survey, ("type", "name")), (choices, ("list_name", "name"))):
            for col in needed:
                if not sheet.column(col):
                    self.fail(Cell(sheet.name, 1, col), "xls_no_column")
        self.languages = list(survey.langs.get("label", {}))
        if not self.languages:
            self.fail(Cell("survey", 1, "label"), "xls_no_languages")
        if self.problems:
            return {}
        raw: dict[str, Any] = {"languages": self.languages}
        self.origins.put("languages", Cell("survey", 1, "label"))
        lists, scales = self._choices(choices, raw)
        settings = self._settings()
        raw["scoring"].update(settings.pop("scoring", {}))
        raw.update(settings)
        raw["sections"] = self._survey(survey, lists, scales)
        tree = self._tree()
        if tree is not None:
            raw["scoring"]["tree"] = tree
        return raw

    def _choices(
        self, sheet: _Sheet, raw: dict[str, Any]
    ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
        """Option lists by name, and the scales among them (list name → `main`/`yes`)."""
        lists: dict[str, list[dict[str, Any]]] = {}
        rows_of: dict[str, list[tuple[int, dict[str, str]]]] = {}
        kinds: dict[str, str] = {}
        for row, values in sheet.rows:
            name = values.get("list_name", "")
            if not name:
                self.fail(Cell(sheet.name, row, "list_name"), "xls_empty")
                continue
            rows_of.setdefault(name, []).append((row, values))
            mark = values.get("scale", "").lower()
            if mark and mark not in ("main", *YES):
                self.fail(Cell(sheet.name, row, "scale"), "xls_scale_mark", value=values["scale"])
            elif mark:
                kinds.setdefault(name, "main" if mark == "main" else "yes")
        mains = [n for n, k in kinds.items() if k == "main"]
        if len(mains) != 1:
            self.fail(Cell(sheet.name, None, "scale"), "xls_main_scale", n=len(mains))
        raw["scales"] = {}
        scoring: dict[str, Any] = {}
        raw["scoring"] = scoring
        for name, rows in rows_of.items():
            first = rows[0][0]
            if name not in kinds:
                lists[name] = [
                    {"row": row, "code": values.get("name", ""), "values": values}
                    for row, values in rows
                ]
                continue
            options: list[dict[str, Any]] = []
            satisfied: list[int] = []
            na: dict[str, Any] | None = None
            path = "scale" if kinds[name] == "main" else f"scales.{name}"
            self.origins.put(path, Cell(sheet.name, first, "list_name"))
            self.origins.put(f"{path}.satisfied", Cell(sheet.name, first, "satisfied"))
            if kinds[name] == "main":
                self.origins.put("scoring.satisfied", Cell(sheet.name, first, "satisfied"))
            for row, values in rows:
                code_raw = values.get("name", "")
                try:
                    code = int(code_raw)
                except ValueError:
                    self.fail(Cell(sheet.name, row, "name"), "xls_scale_code", value=code_raw)
                    continue
                is_na = self.flag(sheet, row, values, "not_applicable")
                where = f"{path}.not_applicable" if is_na else f"{path}.options[{len(options)}]"
                self.origins.put(where, Cell(sheet.name, row, "name"))
                option = {
                    "code": code,
                    "label": self.texts(sheet, row, values, "label", f"{where}.label"),
                }
                if is_na:
                    if na is not None:
                        self.fail(Cell(sheet.name, row, "not_applicable"), "xls_two_na")
                    na = option
                    continue
                options.append(option)
                if self.flag(sheet, row, values, "satisfied"):
                    satisfied.append(code)
            if kinds[name] == "main":
                raw["scale"] = {"options": options}
                if na is not None:
                    raw["scale"]["not_applicable"] = na
                scoring["satisfied"] = satisfied
            else:
                spec: dict[str, Any] = {"options": options}
                if na is not None:
                    spec["not_applicable"] = na
                if satisfied:
                    spec["satisfied"] = satisfied
                raw["scales"][name] = spec
        return lists, kinds

    def _settings(self) -> dict[str, Any]:
        sheet = self.sheets.get("settings")
        out: dict[str, Any] = {}
        if sheet is None:
            self.fail(Cell("settings"), "xls_no_sheet")
            return out
        if not sheet.rows:
            self.fail(Cell("settings", 2), "xls_settings_row")
            return out
        row, values = sheet.rows[0]
        for key, column in (("slug", "form_id"), ("basis", "basis")):
            self.origins.put(key, Cell("settings", row, column))
            if values.get(column):
                out[key] = values[column]
        self.origins.put("version", Cell("settings", row, "version"))
        version = self.number(sheet, row, values, "version")
        if version is not None:
            out["version"] = version
        titled = next((b for b in ("survey_title", "form_title") if sheet.langs.get(b)), None)
        if titled is not None:
            out["title"] = self.texts(sheet, row, values, titled, "title")
        elif values.get("form_title") and self.languages:
            out["title"] = {self.languages[0]: values["form_title"]}
            self.origins.put("title", Cell("settings", row, "form_title"))
        out["intro"] = self.texts(sheet, row, values, "intro", "intro")
        scoring: dict[str, Any] = {}
        out["scoring"] = scoring
        for key in SETTINGS_SCORING:
            column = f"scoring.{key}"
            self.origins.put(f"scoring.{key}", Cell("settings", row, column))
            if not values.get(column):
                continue
            if key == "min_sample":
                scoring[key] = self.number(sheet, row, values, column)
            else:
                scoring[key] = values[column]
        timeliness = {k: values.get(f"scoring.timeliness.{k}", "") for k in TIMELINESS}
        for k in TIMELINESS:
            self.origins.put(
                f"scoring.timeliness.{k}", Cell("settings", row, f"scoring.timeliness.{k}")
            )
        self.origins.put("scoring.timeliness", Cell("settings", row, "scoring.timeliness.question"))
        if any(timeliness.values()):
            scoring["timeliness"] = timeliness
        return out

    def _relevant(self, row: int, text: str, path: str) -> dict[str, list[str]] | None:
        """`relevant` back to show_if: `and` of questions, each an `or` of its options."""
        cell = Cell("survey", row, "relevant")
        self.origins.put(path, cell)
        if not text:
            return None
        out: dict[str, list[str]] = {}
        for conjunct in _split_top(text, "and"):
            ref = None
            values: list[str] = []
            for term in _split_top(_unwrap(conjunct), "or"):
                m = _TERM.match(_unwrap(term))
                if m is None:
                    self.fail(cell, "xls_relevant", term=term.strip())
                    return None
                q, v = (m["q1"], m["v1"]) if m["q1"] else (m["q2"], m["v2"])
                if ref is not None and q != ref:
                    self.fail(cell, "xls_relevant_mixed", first=ref, second=q)
                    return None
                ref = q
                if v not in values:
                    values.append(v)
            if ref is None:
                self.fail(cell, "xls_relevant", term=conjunct.strip())
                return None
            if ref in out:
                self.fail(cell, "xls_relevant_twice", question=ref)
                return None
            out[ref] = values
        return out

    def _survey(
        self, sheet: _Sheet, lists: dict[str, list[dict[str, Any]]], scales: dict[str, str]
    ) -> list[dict[str, Any]]:
        sections: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        main = next((n for n, k in scales.items() if k == "main"), None)
        for row, values in sheet.rows:
            kind_raw = values.get("type", "")
            words = kind_raw.split()
            verb = words[0].lower() if words else ""
            code = values.get("name", "")
            if verb in ("begin_group", "begin group"):
                if current is not None:
                    self.fail(
                        Cell("survey", row, "type"), "xls_nested_group", group=current["code"]
                    )
                    continue
                si = len(sections)
                path = f"sections[{si}]"
                self.origins.put(path, Cell("survey", row, "name"))
                self.origins.put(f"{path}.breaks", Cell("survey", row, "name"))
                current = {
                    "code": code,
                    "title": self.texts(sheet, row, values, "label", f"{path}.title"),
                }
                if self.flag(sheet, row, values, "factor"):
                    current["factor"] = True
                self.origins.put(f"{path}.factor", Cell("survey", row, "factor"))
                if values.get("report"):
                    current["report"] = values["report"]
                self.origins.put(f"{path}.report", Cell("survey", row, "report"))
                if values.get("overall_item"):
                    current["overall_item"] = values["overall_item"]
                self.origins.put(f"{path}.overall_item", Cell("survey", row, "overall_item"))
                current["questions"] = []
                current["breaks"] = []
                sections.append(current)
                continue
            if verb in ("end_group", "end group"):
                if current is None:
                    self.fail(Cell("survey", row, "type"), "xls_end_without_begin")
                current = None
                continue
            if current is None:
                self.fail(Cell("survey", row, "type"), "xls_outside_group")
                continue
            qi = len(current["questions"])
            path = f"sections[{len(sections) - 1}].questions[{qi}]"
            self.origins.put(path, Cell("survey", row, "name"))
            for col in ("type", "required", "comment", "max_length", "min_choices", "max_choices"):
                key = {"type": "kind"}.get(col, col)
                self.origins.put(f"{path}.{key}", Cell("survey", row, col))
            self.origins.put(f"{path}.scale", Cell("survey", row, "type"))
            self.origins.put(f"{path}.options", Cell("survey", row, "type"))
            q: dict[str, Any] = {"code": code}
            if verb in ("select_one", "select_multiple") and len(words) == 2:
                name = words[1]
                if name in scales:
                    if verb != "select_one":
                        self.fail(Cell("survey", row, "type"), "xls_scale_multiple", list=name)
                    q["kind"] = "scale"
                    if name != main:
                        q["scale"] = name
                elif name in lists:
                    q["kind"] = "single" if verb == "select_one" else "multi"
                    q["options"] = []
                    for oi, opt in enumerate(lists[name]):
                        where = f"{path}.options[{oi}]"
                        self.origins.put(where, Cell("choices", opt["row"], "name"))
                        label = self.texts(
                            self.sheets["choices"],
                            opt["row"],
                            opt["values"],
                            "label",
                            f"{where}.label",
                        )
                        q["options"].append({"code": opt["code"], "label": label})
                else:
                    self.fail(Cell("survey", row, "type"), "xls_unknown_list", list=name)
                    continue
            elif verb == "text" and len(words) == 1:
                q["kind"] = "text"
            else:
                self.fail(Cell("survey", row, "type"), "xls_unknown_type", type=kind_raw)
                continue
            q["required"] = self.flag(sheet, row, values, "required")
            q["text"] = self.texts(sheet, row, values, "label", f"{path}.text")
            show_if = self._relevant(row, values.get("relevant", ""), f"{path}.show_if")
            if show_if:
                q["show_if"] = show_if
            for col in ("max_length", "min_choices", "max_choices"):
                n = self.number(sheet, row, values, col)
                if n is not None:
                    q[col] = n
            if self.flag(sheet, row, values, "comment"):
                q["comment"] = True
            when = self.words(values, "ends_form")
            self.origins.put(f"{path}.ends_form", Cell("survey", row, "ends_form"))
            if when:
                end_text = self.texts(
                    sheet, row, values, "ends_form_text", f"{path}.ends_form.text"
                )
                q["ends_form"] = {"when": when, "text": end_text}
            if self.flag(sheet, row, values, "break"):
                current["breaks"].append(code)
            current["questions"].append(q)
        if current is not None:
            self.fail(Cell("survey", None, "type"), "xls_group_not_ended", group=current["code"])
        for s in sections:
            if not s["breaks"]:
                del s["breaks"]
        return sections

    def _tree(self) -> dict[str, Any] | None:
        sheet = self.sheets.get("scoring")
        if sheet is None or not sheet.rows:
            return None
        nodes = []
        root = None
        self.origins.put("scoring.tree", Cell("scoring"))
        self.origins.put("scoring.tree.root", Cell("scoring", None, "root"))
        for i, (row, values) in enumerate(sheet.rows):
            path = f"scoring.tree.nodes[{i}]"
            self.origins.put(path, Cell("scoring", row, "name"))
            for col in ("aggregate", "of", "item", "choices"):
                self.origins.put(f"{path}.{col}", Cell("scoring", row, col))
            node: dict[str, Any] = {
                "code": values.get("name", ""),
                "title": self.texts(sheet, row, values, "label", f"{path}.title"),
            }
            if values.get("aggregate"):
                node["aggregate"] = values["aggregate"]
            for col in ("of", "choices"):
                if self.words(values, col):
                    node[col] = self.words(values, col)
            if values.get("item"):
                node["item"] = values["item"]
            if self.flag(sheet, row, values, "root"):
                if root is not None:
                    self.fail(Cell("scoring", row, "root"), "xls_two_roots", first=root)
                root = node["code"]
            nodes.append(node)
        if root is None:
            self.fail(Cell("scoring", None, "root"), "xls_no_root")
        return {"root": root or "", "nodes": nodes}


def _split_top(text: str, word: str) -> list[str]:
    """`text` cut at ` word ` outside parentheses."""
    parts, depth, start = [], 0, 0
    pattern = re.compile(rf"\s+{word}\s+")
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "'":
            i = text.find("'", i + 1)
            if i < 0:
                break
        elif depth == 0:
            m = pattern.match(text, i)
            if m:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _unwrap(text: str) -> str:
    """`(x)` → `x` when the outer parentheses enclose the whole text."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def from_xlsform(data: bytes) -> tuple[dict[str, Any], Origins]:
    """Questionnaire data (our YAML's shape) read from an XLSForm workbook, and where
    each part came from. Raises XLSFormError for what cannot be read at all."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise XLSFormError([Problem(None, "xls_not_workbook", {"reason": str(exc)})]) from exc
    try:
        sheets = {
            ws.title.strip().lower(): _read_sheet(ws, ws.title.strip().lower())
            for ws in wb.worksheets
            if ws.title.strip().lower() in SHEETS
        }
    finally:
        wb.close()
    reader = _Reader(sheets)
    raw = reader.read()
    if reader.problems:
        raise XLSFormError(reader.problems)
    return raw, reader.origins
