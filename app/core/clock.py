"""Vietnam's clock: campaign periods, paper-form dates and daily counts are its days.

UTC+7 all year (no daylight saving time), so a fixed offset is exact.
"""

from datetime import date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))


def today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(VIETNAM).date()
