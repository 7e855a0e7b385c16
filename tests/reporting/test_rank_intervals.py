"""Rank intervals and the label against the median (issue 16 §2, rank uncertainty)."""

import csv
import io
import re

import numpy as np
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.ranking import rank_intervals, versus_median
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import set_status
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit, publish
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

URL = "/api/v1/campaigns/C-RI/indices"


def test_rank_intervals_are_reproducible_and_hold_the_rank() -> None:
    values = np.array([95.0, 70.0, 69.0, 68.5, 40.0])
    se = np.array([1.0, 4.0, 4.0, 4.0, 1.0])
    ranks = np.array([1, 2, 3, 4, 5])
    one = rank_intervals(values, se, ranks, replicates=1000, seed=7)
    two = rank_intervals(values, se, ranks, replicates=1000, seed=7)
    assert one.best.tolist() == two.best.tolist()
    assert one.worst.tolist() == two.worst.tolist()
    # Far above and far below everyone: certain places. The three close ones share 2–4.
    assert (one.best[0], one.worst[0]) == (1, 1)
    assert (one.best[4], one.worst[4]) == (5, 5)
    for u in (1, 2, 3):
        assert (one.best[u], one.worst[u]) == (2, 4)
    assert ((one.best <= ranks) & (ranks <= one.worst)).all()
    # Exact values (se 0): the interval is the rank itself, ties included.
    exact = rank_intervals(np.array([80.0, 80.0, 70.0]), np.zeros(3), np.array([1, 1, 3]))
    assert exact.best.tolist() == [1, 1, 3]
    assert exact.worst.tolist() == [1, 1, 3]
    with pytest.raises(ValueError, match="one length"):
        rank_intervals(values, se[:2], ranks)


def test_the_label_reads_the_interval_against_the_median() -> None:
    assert versus_median(80.0, 90.0, 75.0) == "above"
    assert versus_median(60.0, 70.0, 75.0) == "below"
    assert versus_median(70.0, 80.0, 75.0) == "indistinguishable"
    assert versus_median(75.0, 80.0, 75.0) == "indistinguishable"  # touching is not above
    assert versus_median(70.0, 80.0, None) is None


@pytest.fixture
def league(session: Session, catalog: Catalog) -> None:
    """Province P, departments S1–S5 and S6 (too few answers to be ranked)."""
    p = make_unit(session, "P")
    for code in ("S1", "S2", "S3", "S4", "S5", "S6"):
        make_counter(session, f"k-{code}", make_unit(session, code, "department", p))
    make_campaign(session, catalog, "C-RI", [p], min_sample=3)


def answer(client: TestClient, catalog: Catalog, counter: str, level: int, times: int) -> None:
    for _ in range(times):
        r = client.post(
            "/api/v1/submissions",
            json=body(catalog, counter=counter, answers=valid_answers(catalog, level=level)),
        )
        assert r.status_code == 201, r.text


def test_a_clear_leader_gets_first_place_for_sure_and_close_units_share_wide_intervals(
    client: TestClient, catalog: Catalog, league: None
) -> None:
    answer(client, catalog, "k-S1", 5, 10)  # everyone satisfied: 100
    for counter, satisfied, other in (("k-S2", 6, 4), ("k-S3", 5, 5), ("k-S4", 6, 5)):
        answer(client, catalog, counter, 5, satisfied)  # 60, 50, 54.5: close together
        answer(client, catalog, counter, 2, other)
    answer(client, catalog, "k-S5", 2, 10)  # nobody satisfied: 0
    answer(client, catalog, "k-S6", 5, 2)
    report = client.get(URL, params={"level": "department"}).json()
    units = {u["unit"]: u for u in report["units"]}
    assert (units["S1"]["rank_interval"], units["S1"]["vs_median"]) == ([1, 1], "above")
    assert (units["S5"]["rank_interval"], units["S5"]["vs_median"]) == ([5, 5], "below")
    close = [units[c]["rank_interval"] for c in ("S2", "S3", "S4")]
    assert all(best <= 2 and worst >= 4 for best, worst in close)  # they overlap, wide
    median = report["leagues"]["department"]["median"]["sipas"]
    for code in ("S1", "S2", "S3", "S4", "S5"):
        u = units[code]
        low, high = u["sipas"]["ci"]
        best, worst = u["rank_interval"]
        assert best <= u["rank"] <= worst
        expected = "above" if low > median else "below" if high < median else "indistinguishable"
        assert u["vs_median"] == expected
    assert (units["S6"]["rank"], units["S6"]["rank_interval"], units["S6"]["vs_median"]) == (
        None,
        None,
        None,
    )
    assert "bootstrap" in report["methods"]["rank_interval"]
    # Counted again from the rows (a filter every response matches), the same intervals.
    again = client.get(URL, params={"level": "department", "channel": "kiosk"}).json()
    assert {u["unit"]: u["rank_interval"] for u in again["units"]} == {
        code: u["rank_interval"] for code, u in units.items()
    }


def test_every_export_and_page_shows_the_interval_and_the_label(
    client: TestClient, catalog: Catalog, session: Session, league: None
) -> None:
    answer(client, catalog, "k-S1", 5, 4)  # 100: above the median of 50
    answer(client, catalog, "k-S2", 2, 4)  # 0: below it
    params = {"level": "department", "format": "csv", "shape": "wide"}
    for lang, title, above in (
        ("en", "Rank interval (95%)", "Above the median"),
        ("vi", "Khoảng xếp hạng (95%)", "Cao hơn trung vị"),
    ):
        rows = list(csv.reader(io.StringIO(client.get(URL, params={**params, "lang": lang}).text)))
        col = rows[0].index(title)
        s1 = next(r for r in rows if r[2] == "S1")
        assert (s1[col], s1[col + 1], s1[col + 2], s1[col + 3]) == ("1–1", "1", "1", above)
    book = load_workbook(
        io.BytesIO(client.get(URL, params={"level": "department", "format": "xlsx"}).content)
    )
    cells = [list(row) for row in book["Xếp hạng"].iter_rows(values_only=True)]
    header = next(r for r in cells if "Hạng cao nhất có thể (95%)" in r)
    col = header.index("Hạng cao nhất có thể (95%)")
    s1 = next(r for r in cells if r[1] == "S1")
    assert (s1[col], s1[col + 1], s1[col + 2]) == (1, 1, "Cao hơn trung vị")

    make_account(session, "an@sonv", "coordinator", session.scalars(select(Unit)).first())
    sign_in(client, "an@sonv")
    for lang, below, legend in (
        ("vi", "Thấp hơn trung vị", "khoảng xếp hạng 95%"),
        ("en", "Below the median", "95% rank interval"),
    ):
        page = client.get(
            "/dash/campaigns/C-RI/results", params={"level": "department", "lang": lang}
        ).text
        # The row of S2, from its rank cell (the first, so it stays beside the unit
        # on a phone) to its end.
        s2 = re.search(r'<tr[^>]*>(?:(?!</tr>).)*?<a href="[^"]*/S2">.*?</tr>', page, re.S)
        assert s2 is not None
        assert re.search(r'<td class="num">2 <small', s2.group(0))
        assert "(2–2)" in s2.group(0)
        assert below in s2.group(0)
        assert legend in page.lower()

    campaign = session.scalars(select(Campaign).where(Campaign.code == "C-RI")).one()
    set_status(session, campaign, CampaignStatus.closed)
    publish(session, catalog, "C-RI")
    for lang, above in (("vi", "Cao hơn trung vị"), ("en", "Above the median")):
        public = client.get("/results/C-RI", params={"lang": lang}).text
        assert "(1–1)" in public
        assert above in public
        unit = client.get("/results/C-RI/units/S1", params={"lang": lang}).text
        assert "1–1" in unit
        assert above in unit
