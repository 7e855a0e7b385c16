"""The targets template: the campaign's scope units, ready for their dossier counts.

Downloaded as .xlsx or as CSV for Vietnamese Excel (app/core/csvfile.py); filled in
and uploaded, it is read by `service.targets_from_transactions` like any other file
(its Vietnamese headers are that reader's aliases).
"""

from typing import Literal

from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.core import csvfile

Format = Literal["xlsx", "csv"]
FORMATS = ("xlsx", "csv")
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Column headers by language; each is a name the reader knows (TARGET_ALIASES).
TARGET_HEADERS = {
    "vi": ("Mã đơn vị", "Tên đơn vị", "Số hồ sơ"),
    "en": ("unit", "name", "transactions"),
}
SHEET = {"vi": "Chỉ tiêu", "en": "Targets"}


def spreadsheet(rows: list[list[str]], fmt: Format, sheet: str) -> bytes:
    """`rows` (header first) as an .xlsx of text cells or a Vietnamese-Excel CSV."""
    if fmt == "xlsx":
        return csvfile.text_workbook([(sheet, rows)])
    return csvfile.excel_csv(rows)


def targets_template(session: Session, campaign: Campaign, fmt: Format, lang: str) -> bytes:
    """One row per scope unit: its code and name, and its dossier count when known."""
    header = TARGET_HEADERS.get(lang, TARGET_HEADERS["vi"])
    rows = [list(header)]
    for s in campaigns.scope(session, campaign):
        known = "" if s.transactions is None else str(s.transactions)
        rows.append([s.unit.code, s.unit.name, known])
    return spreadsheet(rows, fmt, SHEET.get(lang, SHEET["vi"]))


def filename(campaign: Campaign, what: str, fmt: Format) -> str:
    return f"{campaign.code}-{what}.{fmt}"
