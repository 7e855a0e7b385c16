"""Coordinator's page queries on a loaded database, beside one plain count.

    DATABASE_URL=postgresql://…/big .venv/bin/sipas demo --submissions 1000000
    DATABASE_URL=postgresql://…/big .venv/bin/python -m bench.dashboard [--campaign DEMO-2026]

Runs each query the progress and review pages make (as an admin who sees the whole
campaign) after a warm-up, median of 5, and beside it the baseline: one
`SELECT count(*)` of the campaign's responses, the least any page showing a count
would do. Reports milliseconds and the ratio to the baseline.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from app.access.service import Principal
from app.campaigns import coordination, review
from app.campaigns import service as campaigns
from app.collection.models import Submission
from app.core.db import session_scope


def _median_ms(f: Callable[[], Any], runs: int = 5) -> float:
    f()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--campaign", default="DEMO-2026")
    args = ap.parse_args()
    admin = Principal("bench", "admin", None, account_id=0, csrf_token="-")
    with session_scope() as s:
        c = campaigns.get_campaign(s, args.campaign)
        base = _median_ms(
            lambda: s.scalar(
                select(func.count()).select_from(Submission).where(Submission.campaign_id == c.id)
            )
        )
        print(f"{'baseline: count(*) of the campaign':38s} {base:9.1f} ms")
        for name, f in [
            ("progress per scope unit", lambda: coordination.progress_of(s, admin, c)),
            ("responses per day", lambda: coordination.daily_of(s, admin, c)),
            ("flag counts", lambda: review.flag_counts(s, admin, c)),
            ("review list, flagged, page 1", lambda: review.list_responses(s, admin, c)),
            ("review list, all, page 1", lambda: review.list_responses(s, admin, c, "all")),
        ]:
            ms = _median_ms(f)
            print(f"{name:38s} {ms:9.1f} ms  {ms / base:6.2f}x baseline")


if __name__ == "__main__":
    main()
