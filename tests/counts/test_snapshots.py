"""Published reports served from stored snapshots: exact, bounded in staleness, and
rebuilt at once after a change that is not a new response."""

import gzip
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.service import Principal
from app.campaigns import review
from app.campaigns.models import Campaign
from app.campaigns.service import CampaignIn, get_campaign, update_campaign
from app.collection.models import Submission
from app.collection.paper import import_paper
from app.core.config import get_settings
from app.core.db import session_factory
from app.counts import snapshots
from app.counts.snapshot_models import ReportSnapshot
from app.questionnaires.catalog import Catalog
from app.reporting import indices
from app.units.service import import_units
from tests.answers import body, valid_answers
from tests.collection.test_paper_import import sheet
from tests.concurrency import committed_place
from tests.factories import make_campaign, make_counter, make_unit

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


URL = "/api/v1/campaigns/C-SNAP/indices"


@pytest.fixture
def tree(session: Session, catalog: Catalog) -> None:
    """Province P-SN with departments D1, D2 (one counter each), campaign C-SNAP."""
    p = make_unit(session, "P-SN")
    for code in ("D1", "D2"):
        make_counter(session, f"k-{code}", make_unit(session, code, "department", p))
    make_campaign(session, catalog, "C-SNAP", [p], min_sample=1)


@pytest.fixture
def window() -> Iterator[Any]:
    """A 60-second freshness window, as in production (the test default is 0)."""
    settings = get_settings()
    before = settings.REPORT_MAX_STALE_SECONDS
    settings.REPORT_MAX_STALE_SECONDS = 60
    yield settings
    settings.REPORT_MAX_STALE_SECONDS = before


def post(client: TestClient, catalog: Catalog, counter: str, level: int = 4) -> str:
    b = body(catalog, counter=counter, answers=valid_answers(catalog, level=level))
    r = client.post("/api/v1/submissions", json=b)
    assert r.status_code == 201, r.text
    return str(b["id"])


def n_of(client: TestClient, unit: str = "D1", **params: Any) -> int:
    r = client.get(URL, params={"level": "department", **params})
    assert r.status_code == 200, r.text
    return next(u["n"] for u in r.json()["units"] if u["unit"] == unit)


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Move the snapshots' clock forward."""
    real = snapshots.now
    monkeypatch.setattr(snapshots, "now", lambda: real() + timedelta(seconds=seconds))


def stored_versions(session: Session) -> list[str]:
    return list(session.scalars(select(ReportSnapshot.version).order_by(ReportSnapshot.view)))


def test_a_new_process_serves_the_stored_report_byte_for_byte(
    client: TestClient, session: Session, catalog: Catalog, tree: None
) -> None:
    post(client, catalog, "k-D1")
    post(client, catalog, "k-D2", level=2)
    first = client.get(URL, params={"level": "department"})
    assert first.headers["content-encoding"] == "gzip"
    snapshots.clear_memory()  # what a restarted or a second worker process has
    again = client.get(URL, params={"level": "department"})
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    # Built afresh from the same tallies, the body is the same to the last digit.
    snapshots.forget(session)
    rebuilt = client.get(URL, params={"level": "department"})
    assert rebuilt.json() == first.json()
    assert rebuilt.headers["etag"] != first.headers["etag"]
    # And a client that does not take gzip gets the same JSON uncompressed.
    plain = client.get(URL, params={"level": "department"}, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == first.json()


def test_without_a_window_every_new_response_shows_in_the_next_report(
    client: TestClient, catalog: Catalog, tree: None
) -> None:
    assert n_of(client) == 0
    post(client, catalog, "k-D1")
    assert n_of(client) == 1
    post(client, catalog, "k-D1")
    assert n_of(client) == 2


@pytest.fixture
def served_once(
    client: TestClient, session: Session, catalog: Catalog, tree: None, window: Any
) -> list[str]:
    """One response, a report counting it (now stored) under a 60 s window: the
    versions of the stored reports."""
    post(client, catalog, "k-D1")
    assert n_of(client) == 1
    return stored_versions(session)


def test_within_the_window_a_busy_campaign_is_served_its_recent_snapshot(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    served_once: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    versions = served_once
    post(client, catalog, "k-D1")
    assert n_of(client) == 1  # served from the snapshot built a moment ago
    assert stored_versions(session) == versions  # nothing was rebuilt
    later(monkeypatch, 61)
    assert n_of(client) == 2  # the window has passed: rebuilt with the new response
    assert stored_versions(session) != versions


def test_an_old_snapshot_with_nothing_new_is_served_as_it_is(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    served_once: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    versions = served_once
    later(monkeypatch, 3600)
    assert n_of(client) == 1
    assert stored_versions(session) == versions
    post(client, catalog, "k-D1")  # quiet campaign, one new response: shows at once
    assert n_of(client) == 2


def test_exclusions_edits_and_imports_show_at_once_inside_the_window(
    client: TestClient, session: Session, catalog: Catalog, tree: None, window: Any
) -> None:
    first = post(client, catalog, "k-D1")
    post(client, catalog, "k-D1")
    assert n_of(client) == 2
    campaign = get_campaign(session, "C-SNAP")
    admin = Principal("admin", "admin", None, 1)
    review.exclude(session, catalog, admin, campaign, uuid.UUID(first), "test response")
    assert n_of(client) == 1
    review.restore(session, admin, campaign, uuid.UUID(first))
    assert n_of(client) == 2

    # min_sample decides the small-sample flag and so the ranks.
    data = CampaignIn(
        code="C-SNAP",
        name=campaign.name,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        questionnaire=campaign.questionnaire,
        version=campaign.questionnaire_version,
        units=["P-SN"],
        min_sample=5,
    )
    update_campaign(session, catalog, campaign, data)
    units = client.get(URL, params={"level": "department"}).json()["units"]
    assert all("small_sample" in u["flags"] for u in units)

    import_units(session, b"code,name,kind,parent\nD1,So Moi,department,P-SN\n", "units.csv")
    assert "So Moi" in [
        u["name"] for u in client.get(URL, params={"level": "department"}).json()["units"]
    ]

    rows = [{"form": "001", "date": "2026-03-02", "unit": "D2", **valid_answers(catalog)}]
    import_paper(session, catalog, "C-SNAP", sheet(catalog, rows), "forms.csv")
    assert n_of(client, "D2") == 1


def test_etag_lets_a_dashboard_poll_for_nothing_until_the_figures_change(
    client: TestClient, catalog: Catalog, tree: None
) -> None:
    post(client, catalog, "k-D1")
    first = client.get(URL, params={"level": "department"})
    # Live results are internal: no shared cache keeps them.
    assert first.headers["cache-control"] == "private, no-cache"
    as_of = parsedate_to_datetime(first.headers["last-modified"])
    assert timedelta(0) <= datetime.now(UTC) - as_of < timedelta(minutes=1)
    etag = first.headers["etag"]
    same = client.get(URL, params={"level": "department"}, headers={"if-none-match": etag})
    assert same.status_code == 304
    assert same.content == b""
    post(client, catalog, "k-D2")
    changed = client.get(URL, params={"level": "department"}, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_csv_is_made_once_per_snapshot_and_kept_with_it(
    client: TestClient, session: Session, catalog: Catalog, tree: None
) -> None:
    post(client, catalog, "k-D1")
    r = client.get(URL, params={"level": "department", "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0].startswith("campaign,unit,name")
    kept = session.scalar(
        select(ReportSnapshot.csv_gz).where(ReportSnapshot.view.contains("&level=department&"))
    )
    assert kept is not None
    assert gzip.decompress(kept).decode() == r.text
    snapshots.clear_memory()
    plain = client.get(
        URL,
        params={"level": "department", "format": "csv"},
        headers={"accept-encoding": "identity"},
    )
    assert plain.text == r.text


def test_filtered_reports_are_not_stored(
    client: TestClient, session: Session, catalog: Catalog, tree: None
) -> None:
    post(client, catalog, "k-D1")
    r = client.get(URL, params={"level": "department", "channel": "web"})
    assert r.status_code == 200
    assert "etag" not in r.headers
    assert session.scalar(select(func.count()).select_from(ReportSnapshot)) == 0


def test_an_unknown_level_is_refused_and_nothing_is_stored(
    client: TestClient, session: Session, tree: None
) -> None:
    r = client.get(URL, params={"level": "planet"})
    assert r.status_code == 422
    assert r.json()["fields"][0]["loc"] == "level"
    assert "department" in r.json()["fields"][0]["msg"]
    assert session.scalar(select(func.count()).select_from(ReportSnapshot)) == 0


def test_requests_arriving_together_share_one_rebuild(
    engine: Any, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = 0
    real_build = indices._build
    gate = threading.Event()

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal builds
        builds += 1
        gate.wait(5)  # hold the first build until every request has arrived
        return real_build(*args, **kwargs)

    monkeypatch.setattr(indices, "_build", counted)
    with committed_place(engine, catalog) as tag:
        results: list[int] = []

        def ask() -> None:
            with session_factory(engine)() as s:
                rep = indices.report(s, catalog, f"C-{tag}")
                s.commit()
                results.append(rep.body["n"])

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        while builds == 0:
            threading.Event().wait(0.01)
        threading.Event().wait(0.2)  # the others are now waiting on the build lock
        gate.set()
        for t in threads:
            t.join()
        assert results == [0, 0, 0, 0]
        assert builds == 1
        with session_factory(engine)() as s:
            campaign_id = s.scalar(select(Campaign.id).where(Campaign.code == f"C-{tag}"))
            assert (
                s.scalar(
                    select(func.count())
                    .select_from(Submission)
                    .where(Submission.campaign_id == campaign_id)
                )
                == 0
            )
            snapshots.forget(s, campaign_id)
            s.commit()
