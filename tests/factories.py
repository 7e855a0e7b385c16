"""Small typed helpers that put rows in the test database."""

from datetime import date

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import Account
from app.access.service import Principal, create_account, create_api_key
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, set_status
from app.questionnaires.catalog import Catalog
from app.reporting import editions
from app.reporting.models import Edition
from app.units.models import Counter, Unit
from app.units.service import create_unit


def make_unit(
    session: Session,
    code: str,
    kind: str = "province",
    parent: Unit | None = None,
    name: str | None = None,
) -> Unit:
    return create_unit(session, code=code, name=name or f"Unit {code}", kind=kind, parent=parent)


def make_counter(session: Session, code: str, unit: Unit) -> Counter:
    counter = Counter(code=code, name=f"Counter {code}", unit_id=unit.id)
    session.add(counter)
    session.flush()
    return counter


def make_campaign(
    session: Session,
    catalog: Catalog,
    code: str,
    units: list[Unit],
    status: CampaignStatus = CampaignStatus.open,
    min_sample: int = 30,
    questionnaire: str = "sipas-2017",
) -> Campaign:
    campaign = create_campaign(
        session,
        catalog,
        CampaignIn(
            code=code,
            name=f"Campaign {code}",
            starts_on=date(2026, 1, 1),
            # The end of the current year, so that responses dated today stay inside it.
            ends_on=date(max(date.today().year, 2026), 12, 31),
            questionnaire=questionnaire,
            version=1,
            units=[u.code for u in units],
            min_sample=min_sample,
        ),
    )
    if status != CampaignStatus.draft:
        set_status(session, campaign, status)
    return campaign


PASSWORD = "correct horse battery"


def make_account(
    session: Session, login: str, role: str = "coordinator", unit: Unit | None = None
) -> Account:
    return create_account(
        session, login, f"Name of {login}", PASSWORD, role, unit.code if unit else None
    )


def read_with_key(
    session: Session, client: TestClient, unit: Unit | None = None, only_reads: bool = False
) -> str:
    """Send a read-only API key (the whole tree, or `unit`'s area) with the requests of
    `client` (`only_reads`: only with its GETs of indices and editions, and not
    where it is signed in): it reads
    live internal results, as an analyst's script does."""
    _, secret = create_api_key(session, "tests", unit.code if unit else None)
    if not only_reads:
        client.headers["Authorization"] = f"Bearer {secret}"
        return secret

    def sign(request: httpx.Request) -> None:
        signed_in = "sipas_session=" in request.headers.get("cookie", "")
        reads = request.method in ("GET", "HEAD") and not signed_in
        if reads and request.url.path.endswith(("/indices", "/editions")):
            request.headers.setdefault("Authorization", f"Bearer {secret}")

    client.event_hooks["request"].append(sign)
    return secret


ADMIN = Principal("tests", "admin", None)


def publish(
    session: Session,
    catalog: Catalog,
    code: str,
    *,
    note: str | None = None,
    interim: bool = False,
) -> Edition:
    """Publish campaign `code` (closed, or `interim`) as an admin would."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    assert campaign is not None
    return editions.publish(session, catalog, ADMIN, campaign, note=note, interim=interim)
