"""The paper-form template: a row per unit of the campaign, a column per question.

Typists fill one row per paper form (copying a unit's row for each form of that
unit); rows left with only their unit are skipped by the reader. Downloaded as
.xlsx (with a second sheet listing each question's answers as code = label) or as
CSV for Vietnamese Excel; uploaded, it is read by `paper.import_paper` like any
other file.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.fill_in import Format, spreadsheet
from app.campaigns.models import Campaign
from app.campaigns.service import questionnaire_of, scope_unit_ids
from app.core import csvfile
from app.counts.models import UnitAncestor
from app.questionnaires.catalog import Catalog, Questionnaire
from app.units.models import Unit
from app.units.service import ancestors_ids

# The meta columns by language; each is a name the reader knows (PAPER_ALIASES).
PAPER_HEADERS = {
    "vi": ("Số phiếu", "Ngày", "Mã đơn vị", "Tên đơn vị"),
    "en": ("form", "date", "unit", "unit_name"),
}
SHEETS = {"vi": ("Phiếu giấy", "Mã trả lời"), "en": ("Paper forms", "Answer codes")}
CODES_HEADER = {
    "vi": ("Mã câu hỏi", "Câu hỏi", "Bắt buộc", "Trả lời (mã = nội dung)"),
    "en": ("Question code", "Question", "Required", "Answers (code = label)"),
}
MULTI_NOTE = {
    "vi": " (chọn nhiều: các mã cách nhau bởi |)",
    "en": " (several: codes separated by |)",
}
YES_NO = {"vi": ("có", "không"), "en": ("yes", "no")}


def covered_units(session: Session, campaign: Campaign, area_root: int | None = None) -> list[Unit]:
    """The units a paper form of the campaign may name (its scope and all below),
    within `area_root`'s subtree when given, in tree order."""
    stmt = select(Unit).where(
        Unit.id.in_(
            select(UnitAncestor.unit_id).where(
                UnitAncestor.ancestor_id.in_(scope_unit_ids(session, campaign))
            )
        )
    )
    if area_root is not None:
        stmt = stmt.where(
            Unit.id.in_(select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == area_root))
        )
    found = list(session.scalars(stmt))
    code_of = {u.id: u.code for u in found}
    # Each unit under its parent, siblings by code (ids follow insertion, not codes).
    return sorted(found, key=lambda u: [code_of[i] for i in ancestors_ids(u) if i in code_of])


def _answers(q: Questionnaire, code: str, lang: str) -> str:
    question = q.questions[code]
    if question.kind == "scale":
        options = [*q.model.scale.options, q.model.scale.not_applicable]
        return "; ".join(f"{o.code} = {_pick(o.label, lang)}" for o in options)
    if question.kind == "text":
        return ""
    pairs = "; ".join(f"{o.code} = {_pick(o.label, lang)}" for o in question.options)
    return (
        pairs + MULTI_NOTE[lang if lang in MULTI_NOTE else "vi"]
        if question.kind == "multi"
        else pairs
    )


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()), "")


def paper_template(
    session: Session,
    catalog: Catalog,
    campaign: Campaign,
    fmt: Format,
    lang: str,
    area_root: int | None = None,
) -> bytes:
    """The template of `campaign`'s questionnaire, pre-filled with its units."""
    q = questionnaire_of(catalog, campaign)
    meta = PAPER_HEADERS.get(lang, PAPER_HEADERS["vi"])
    codes = list(q.questions)
    rows = [[*meta, *codes]]
    blank = [""] * len(codes)
    for u in covered_units(session, campaign, area_root):
        rows.append(["", "", u.code, u.name, *blank])
    main, legend = SHEETS.get(lang, SHEETS["vi"])
    if fmt == "csv":
        return spreadsheet(rows, fmt, main)
    yes, no = YES_NO.get(lang, YES_NO["vi"])
    codes_rows = [list(CODES_HEADER.get(lang, CODES_HEADER["vi"]))]
    for code, question in q.questions.items():
        required = yes if question.required and not question.show_if else no
        codes_rows.append([code, _pick(question.text, lang), required, _answers(q, code, lang)])
    return csvfile.text_workbook([(main, rows), (legend, codes_rows)])
