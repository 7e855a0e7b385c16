"""Dates and numbers on the dashboard, as each language writes them.

Every dashboard template gets `day(d)`, `moment(dt)` and `num(x, digits)` bound to
the page's language (app/access/dash_render.py): Vietnamese writes `02/12/2026`,
`02/12/2026 08:05` (Vietnam time) and `71,8` / `1.234`; English keeps ISO dates
and `71.8` / `1,234`. Forms keep ISO dates in their values (`<input type=date>`
needs them); only what is shown is formatted.
"""

from datetime import date, datetime

from app.core.clock import VIETNAM
from app.core.config import get_settings


def day(value: date | datetime | None, lang: str) -> str:
    """A calendar day: `02/12/2026` in Vietnamese, `2026-12-02` in English."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM).date()
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def moment(value: datetime | None, lang: str, seconds: bool = False) -> str:
    """A point in time in Vietnam time: `02/12/2026 08:05` or `2026-12-02 08:05`."""
    if value is None:
        return "–"
    local = value.astimezone(VIETNAM)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{day(local.date(), lang)} {clock}"


def num(value: float | int | None, lang: str, digits: int = 0) -> str:
    """A number with `digits` decimals and thousands grouped: `1.234,5` or `1,234.5`."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def index(value: float | int | None, lang: str) -> str:
    """An index at the published precision (settings.RANK_PRECISION), the digits ranks
    are decided at: two units shown alike are tied, two ranked apart show apart."""
    return num(value, lang, get_settings().RANK_PRECISION)
