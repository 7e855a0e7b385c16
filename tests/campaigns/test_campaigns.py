"""Creating campaigns and deciding which units they cover."""

from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.campaigns.models import CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, scope_unit_ids, set_status
from app.core.errors import Conflict, Invalid
from app.questionnaires.catalog import Catalog
from tests.factories import make_campaign, make_unit


def _in(**over: object) -> CampaignIn:
    base: dict[str, object] = {
        "code": "C1",
        "name": "SIPAS 2026",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 6, 30),
        "questionnaire": "sipas-2017",
        "version": 1,
        "units": ["P"],
    }
    base.update(over)
    return CampaignIn(**base)  # type: ignore[arg-type]


def test_unknown_questionnaire_version_is_named(session: Session, catalog: Catalog) -> None:
    make_unit(session, "P")
    with pytest.raises(Invalid) as exc:
        create_campaign(session, catalog, _in(version=9))
    (field,) = exc.value.fields
    assert field.loc == "questionnaire"
    assert "unknown questionnaire sipas-2017 v9 (installed versions: 1)" in field.msg


def test_every_problem_is_reported_at_once(session: Session, catalog: Catalog) -> None:
    with pytest.raises(Invalid) as exc:
        create_campaign(
            session,
            catalog,
            _in(code="bad code!", ends_on=date(2025, 1, 1), units=["NOPE"], min_sample=0),
        )
    assert {f.loc for f in exc.value.fields} == {"code", "ends_on", "units", "min_sample"}


def test_duplicate_code_is_a_conflict(session: Session, catalog: Catalog) -> None:
    make_unit(session, "P")
    create_campaign(session, catalog, _in())
    with pytest.raises(Conflict):
        create_campaign(session, catalog, _in())


def test_scope_and_status_rules(session: Session, catalog: Catalog) -> None:
    p = make_unit(session, "P")
    other = make_unit(session, "Q")
    commune = make_unit(session, "P-X1", "commune", p)
    campaign = make_campaign(session, catalog, "C2", [p], status=CampaignStatus.draft)
    assert scope_unit_ids(session, campaign) == {p.id}
    assert other.id not in scope_unit_ids(session, campaign)
    assert commune.parent_id == p.id
    set_status(session, campaign, CampaignStatus.open)
    assert campaign.status == "open"
    set_status(session, campaign, CampaignStatus.closed)
    with pytest.raises(Conflict, match="cannot go back to draft"):
        set_status(session, campaign, CampaignStatus.draft)


def test_a_scope_holding_a_unit_and_its_ancestor_is_refused(
    session: Session, catalog: Catalog
) -> None:
    p = make_unit(session, "P")
    district = make_unit(session, "P-D", "district", p)
    make_unit(session, "P-D-X", "commune", district)
    make_unit(session, "Q")
    with pytest.raises(Invalid) as exc:
        create_campaign(session, catalog, _in(units=["P", "P-D-X", "Q"]))
    (field,) = exc.value.fields
    assert (field.loc, field.code) == ("units", "overlap")
    assert "'P-D-X' is under 'P'" in field.msg
    # Siblings and units of separate trees are fine.
    assert create_campaign(session, catalog, _in(units=["P-D", "Q"])).code == "C1"


def test_migration_0008_keeps_the_top_most_unit_of_an_overlapping_scope() -> None:
    from sqlalchemy import text

    from app.core import migrate
    from app.core.db import make_engine, session_scope
    from tests.dbutil import fresh_database

    with fresh_database() as url:
        migrate.upgrade(url, "0007")
        engine = make_engine(url)
        try:
            with session_scope(engine) as s:
                p = make_unit(s, "P")
                d = make_unit(s, "P-D", "district", p)
                q = make_unit(s, "Q")
                # As the old schema stored it (raw rows: the models are a later schema's),
                # with the district beside its own province, which the old code accepted.
                s.execute(
                    text(
                        "INSERT INTO campaign (code, name, starts_on, ends_on, questionnaire, "
                        "questionnaire_version, min_sample, status, is_private, quota_policy, "
                        "created_at, tally_token) VALUES ('C-OLD', 'Old', '2026-01-01', "
                        "'2026-06-30', 'sipas-2017', 1, 30, 'open', false, 'accept', "
                        "'2026-01-01 00:00:00', 't')"
                    )
                )
                for unit in (p, d, q):
                    s.execute(
                        text(
                            "INSERT INTO campaign_unit (campaign_id, unit_id) "
                            "SELECT id, :u FROM campaign WHERE code = 'C-OLD'"
                        ),
                        {"u": unit.id},
                    )
            migrate.upgrade(url)
            with engine.connect() as conn:
                kept = conn.execute(
                    text(
                        "SELECT u.code FROM campaign_unit cu JOIN unit u ON u.id = cu.unit_id "
                        "ORDER BY u.code"
                    )
                ).scalars()
                assert list(kept) == ["P", "Q"]
        finally:
            engine.dispose()
