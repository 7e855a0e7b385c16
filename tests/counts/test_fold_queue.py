"""The fold reads responses from a narrow queue: every path in queues a response,
the fold empties the queue and never rewrites a response row."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.access.service import Principal
from app.campaigns import review
from app.campaigns.models import Campaign
from app.collection.models import Submission
from app.collection.paper import import_paper
from app.counts import tally
from app.counts.models import FoldQueue, Tally
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.collection.test_paper_import import form, sheet
from tests.dbutil import BACKEND

ADMIN = Principal("admin@p", "admin", None)


def queued(session: Session) -> set[uuid.UUID]:
    return set(session.scalars(select(FoldQueue.submission_id)))


def counted(session: Session, campaign: Campaign) -> int:
    total = session.scalar(
        select(func.sum(Tally.n)).where(Tally.campaign_id == campaign.id, Tally.key == "n")
    )
    return int(total or 0)


def campaign_of(session: Session) -> Campaign:
    return session.scalars(select(Campaign).where(Campaign.code == "C-2026")).one()


def fold(session: Session, catalog: Catalog, campaign: Campaign) -> int:
    q = catalog.get(campaign.questionnaire, campaign.questionnaire_version)
    assert q is not None
    return tally.fold_campaign(session, campaign, q)


def updates_of_submission(session: Session) -> int:
    """Rows of `submission` this transaction has updated (PostgreSQL's own count)."""
    return int(
        session.scalar(
            text("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'submission'")
        )
        or 0
    )


def test_every_path_queues_and_the_fold_empties_the_queue(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    single = body(catalog)
    assert client.post("/api/v1/submissions", json=single).status_code == 201
    batch = [body(catalog), body(catalog)]
    assert client.post("/api/v1/submissions/batch", json={"submissions": batch}).status_code == 200
    import_paper(session, catalog, "C-2026", sheet(catalog, [form(catalog, "001")]), "f.csv")
    stored = set(session.scalars(select(Submission.id)))
    assert len(stored) == 4
    assert queued(session) == stored
    # An identical resend stores nothing and queues nothing.
    assert client.post("/api/v1/submissions", json=single).status_code == 200
    assert len(queued(session)) == 4

    campaign = campaign_of(session)
    before = updates_of_submission(session) if BACKEND == "postgresql" else 0
    assert fold(session, catalog, campaign) == 4
    assert queued(session) == set()
    assert counted(session, campaign) == 4
    if BACKEND == "postgresql":
        # The point of the queue: folding wrote no response row again.
        assert updates_of_submission(session) == before
    assert fold(session, catalog, campaign) == 0  # nothing counted twice
    assert counted(session, campaign) == 4


def test_a_response_excluded_before_it_is_folded_is_never_counted(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    campaign = campaign_of(session)
    kept, doubtful = body(catalog), body(catalog, answers=valid_answers(catalog, level=1))
    for b in (kept, doubtful):
        assert client.post("/api/v1/submissions", json=b).status_code == 201
    sid = uuid.UUID(doubtful["id"])
    review.exclude(session, catalog, ADMIN, campaign, sid, "typed twice")
    assert queued(session) == {uuid.UUID(kept["id"])}
    assert fold(session, catalog, campaign) == 1
    assert counted(session, campaign) == 1
    # Restored, it is queued again and counted once by the next fold.
    review.restore(session, ADMIN, campaign, sid, "checked")
    assert queued(session) == {sid}
    assert fold(session, catalog, campaign) == 1
    assert counted(session, campaign) == 2
    # Excluded after it was counted: subtracted, not queued.
    review.exclude(session, catalog, ADMIN, campaign, sid, "typed twice after all")
    assert queued(session) == set()
    assert counted(session, campaign) == 1


@pytest.mark.skipif(BACKEND != "postgresql", reason="the trigger of a COPY: PostgreSQL")
def test_a_copy_of_many_rows_queues_them_all(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    from app.demo import load_submissions
    from app.units.models import Counter, Unit

    campaign = campaign_of(session)
    pairs = [(place["dept"], session.scalars(select(Counter).where(Counter.code == "k-1")).one())]
    assert isinstance(pairs[0][0], Unit)
    inserted = load_submissions(session, catalog, campaign, pairs, 2_500, seed=3)
    assert inserted == 2_500
    assert len(queued(session)) == 2_500
    assert fold(session, catalog, campaign) == 2_500
    assert counted(session, campaign) == 2_500
