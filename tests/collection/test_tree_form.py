"""The citizen form of a tree-scored questionnaire (sipas-2023): its 4-level scales,
yes/no items and the eligibility question that ends the form for a minor."""

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.campaigns.service import CampaignIn, create_campaign
from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from tests.collection.test_pages import form_fields, start


@pytest.fixture
def on_2023(session: Session, place: dict[str, Any]) -> None:
    """Campaign C-2026 switched to sipas-2023 in the database (its counter and unit as
    they are)."""
    session.execute(
        update(Campaign).where(Campaign.code == "C-2026").values(questionnaire="sipas-2023")
    )
    session.flush()


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_a_campaign_runs_on_the_2023_questionnaire(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    body = CampaignIn(
        code="H-2026",
        name="Households",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        questionnaire="sipas-2023",
        version=1,
        units=["P"],
    )
    campaign = create_campaign(session, catalog, body)
    assert (campaign.questionnaire, campaign.questionnaire_version) == ("sipas-2023", 1)


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("vi", ["Ông/Bà đã đủ 18 tuổi trở lên chưa?", "Khá quan tâm theo dõi", "Rất phù hợp",
                "Khá mong muốn", "Rất hài lòng", "I.A. Trách nhiệm giải trình", "Nông thôn"]),
        ("en", ["Are you 18 years old or over?", "Somewhat interested", "Very suitable",
                "Somewhat wanted", "Very satisfied", "I.A. Accountability", "Rural area"]),
    ],
)  # fmt: skip
def test_the_form_shows_each_scale_in_both_languages(
    client: TestClient, on_2023: None, lang: str, texts: list[str]
) -> None:
    page, _, _ = start(client, lang=lang)
    for text in texts:
        assert text in page, text
    # 4-level items have their own four levels and no faces or "not applicable".
    c1 = page.split('id="q-C1_economy"')[1].split("</fieldset>")[0]
    assert c1.count('type="radio"') == 4
    assert "face" not in c1
    p01 = page.split('id="q-P01"')[1].split("</fieldset>")[0]
    assert p01.count('type="radio"') == 6  # 1–5 and "don't know"
    assert "data-ends-form='[\"no\"]'" in page
    assert 'id="ended-adult"' in page


def test_a_minor_is_thanked_and_nothing_is_stored(
    client: TestClient, session: Session, on_2023: None
) -> None:
    _, rid, started = start(client, lang="en")
    before = stored(session)
    page = client.post("/s/k-1/form", data=form_fields({"adult": "no"}, id=rid, started_at=started))
    assert page.status_code == 200
    assert "This survey is for people aged 18 and over" in page.text
    assert 'id="survey" novalidate hidden' in page.text
    assert stored(session) == before


def test_an_adults_answers_are_checked_and_stored(
    client: TestClient, session: Session, on_2023: None
) -> None:
    _, rid, started = start(client)
    answers: dict[str, Any] = {"adult": "yes", "C1_economy": 4, "C5": "some", "C8_school": "yes"}
    answers |= {f"P{i:02d}": 4 for i in range(1, 24)} | {f"S{i}": 5 for i in range(24, 40)}
    answers |= {"C2": ["internet", "media"], "C10_digital": 3}
    bad = client.post(
        "/s/k-1/form", data=form_fields({**answers, "C1_health": 5}, id=rid, started_at=started)
    )
    assert bad.status_code == 422
    assert 'class="q scale bad" id="q-C1_health"' in bad.text  # 5 is not on its 4 levels
    sent = client.post(
        "/s/k-1/form", data=form_fields(answers, id=rid, started_at=started), follow_redirects=False
    )
    assert sent.status_code == 303
    row = session.get(Submission, uuid.UUID(rid))
    assert row is not None
    assert row.answers == answers
