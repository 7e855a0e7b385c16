"""Every dashboard page in Vietnamese, with realistic data: no English left, no raw codes.

The pages are found from the app's routes (every GET under /dash and /login), so a
page added later is covered without touching this file, unless its path has a
parameter this file cannot fill: then the test says which, and PARAMS needs it.
"""

import ast
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.access import dash_text
from app.access.models import ROLES
from app.access.service import create_account
from app.collection.models import CHANNELS
from app.core import clock
from app.questionnaires import quality
from app.questionnaires.catalog import Catalog
from app.units.models import UNIT_KINDS
from tests.answers import body, valid_answers
from tests.factories import PASSWORD, make_counter, make_unit
from tests.signin import sign_in

APP = Path(__file__).resolve().parents[2] / "app"
ESCAPED = re.compile(r"\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}")
# Words that only an English sentence has; Vietnamese text and codes never do.
ENGLISH = re.compile(
    r"\b(the|cannot|must|does|is not|choose|unknown|invalid|error|internal|expected|main|"
    r"campaign|responses|target|sign)\b",
    re.I,
)


class _Visible(HTMLParser):
    """The text a reader sees or hears: text nodes and the labelling attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        names = {"title", "aria-label", "placeholder", "alt"}
        if tag == "input" and dict(attrs).get("type") not in ("hidden", "password"):
            names.add("value")  # a pre-filled box is read too
        self.parts += [v for k, v in attrs if k in names and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(p.strip() for p in parser.parts if p.strip())


def audit_actions() -> set[str]:
    """Every audit action written anywhere in app/ (the third argument of `audit(...)`)."""
    found = {"campaign.open", "campaign.closed"}  # written through an f-string
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "audit"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
                and isinstance(node.args[2].value, str)
            ):
                found.add(node.args[2].value)
    return found


RAW_CODES = {
    *UNIT_KINDS,
    *ROLES,
    *CHANNELS,
    *quality.ALL,
    "over_quota",
    "top2box",
    *audit_actions(),
}


def problems_of(url: str, html: str) -> list[str]:
    """What a Vietnamese reader of this page would trip over."""
    found = []
    if 'class="untranslated"' in html:
        shown = re.findall(r'class="untranslated">([^<]*)<', html)
        found.append(f"{url}: untranslated text {shown}")
    if m := ESCAPED.search(html):
        found.append(f"{url}: escaped character {m.group()!r}")
    text = visible(html)
    words = set(re.findall(r"[A-Za-z_][A-Za-z_.]*[A-Za-z_]", text))
    if raw := sorted(words & RAW_CODES):
        found.append(f"{url}: codes shown raw: {raw}")
    if m := ENGLISH.search(text):
        start = max(0, m.start() - 60)
        found.append(f"{url}: English: …{text[start : m.end() + 60]}…")
    return found


@pytest.fixture
def world(client: TestClient, session: Session, catalog: Catalog) -> dict[str, Any]:
    """A province with a unit of every kind, an open campaign with responses, flags,
    exclusions with Vietnamese reasons, accounts, keys and their audit rows."""
    province = make_unit(session, "HN", name="Thành phố Hà Nội")
    names = {
        "country": "Việt Nam",
        "ministry": "Bộ Nội vụ",
        "department": "Sở Tư pháp",
        "district": "Quận Ba Đình",
        "commune": "Phường Điện Biên",
        "service_centre": "Trung tâm Phục vụ hành chính công",
        "agency": "Chi cục Thuế",
    }
    units = {"province": province}
    for i, kind in enumerate(k for k in UNIT_KINDS if k != "province"):
        units[kind] = make_unit(session, f"HN-{i:02d}", kind, province, name=names[kind])
    leaf = units["service_centre"]
    make_counter(session, "hn-tt", leaf)
    make_counter(session, "hn-so", units["department"])
    create_account(session, "quan-tri@sonv", "Trần Thị Bình", PASSWORD, "admin")
    csrf = sign_in(client, "quan-tri@sonv")
    today = clock.today()
    created = client.post(
        "/dash/campaigns/new",
        data={
            "csrf": csrf,
            "code": "HN-2026",
            "name": "Khảo sát SIPAS năm 2026",
            "starts_on": (today - timedelta(days=5)).isoformat(),
            "ends_on": (today + timedelta(days=25)).isoformat(),
            "questionnaire": "sipas-2017/1",
            "min_sample": "30",
            "quota_policy": "accept",
            "units": f"{leaf.code}\n{units['department'].code}",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    base = "/dash/campaigns/HN-2026"
    post = {"csrf": csrf, f"target.{leaf.code}": "143", f"target.{units['department'].code}": "9"}
    assert client.post(f"{base}/targets", data=post, follow_redirects=False).status_code == 303
    client.post(f"{base}/quotas", data={"csrf": csrf, "quotas": "gender=female 45"})
    client.post(f"{base}/status", data={"csrf": csrf, "status": "open", "confirm": "1"})
    now = datetime.now(UTC)
    for i in range(6):
        fast = i % 2 == 0
        sent = body(
            catalog,
            counter="hn-tt" if i < 4 else "hn-so",
            channel=CHANNELS[i % len(CHANNELS)] if i % 3 else "kiosk",
            started_at=(now - timedelta(seconds=20 if fast else 300)).isoformat(),
            submitted_at=now.isoformat(),
            answers=valid_answers(catalog, level=1 if fast else 4),
        )
        r = client.post("/api/v1/submissions", json=sent)
        assert r.status_code in (200, 201), r.text
    listing = client.get(f"{base}/responses?state=flagged")
    ids = re.findall(r'id="r-([0-9a-f-]{36})"', listing.text)
    assert ids
    client.post(
        f"{base}/responses/{ids[0]}/exclude",
        data={"csrf": csrf, "reason": "Trả lời quá nhanh, không đọc câu hỏi"},
    )
    client.post(
        "/dash/users",
        data={
            "csrf": csrf,
            "login": "nguyen.van.an@sonv",
            "name": "Nguyễn Văn Ấn",
            "role": "viewer",
            "unit": "HN",
            "password": "mật khẩu dài đủ",
        },
    )
    client.post(
        "/dash/keys", data={"csrf": csrf, "label": "Nhóm chấm điểm PAR INDEX", "unit": "HN"}
    )
    return {"csrf": csrf, "leaf": leaf.code, "scope": units["department"].code, "ids": ids}


def _fill(path: str, world: dict[str, Any]) -> str:
    params = {
        "code": "HN-2026",
        "unit": world["leaf"],
        "response_id": world["ids"][0],
        "rid": world["ids"][0],
        "slug": "sipas-2017",
        "version": 1,
    }
    missing = [p for p in re.findall(r"{(\w+)}", path) if p not in params]
    assert not missing, f"{path}: add a realistic value for {missing} to _fill() in {__file__}"
    return re.sub(r"{(\w+)}", lambda m: str(params[m.group(1)]), path)


def _get_paths(routes: list[Any], prefix: str = "") -> list[str]:
    """GET paths of routes and of included routers (FastAPI keeps those apart)."""
    paths = []
    for r in routes:
        if isinstance(r, APIRoute) and "GET" in (r.methods or set()):
            paths.append(prefix + r.path)
        elif (inner := getattr(r, "original_router", None)) is not None:
            context = getattr(r, "include_context", None)
            paths += _get_paths(inner.routes, prefix + getattr(context, "prefix", ""))
    return paths


def dash_get_routes() -> list[str]:
    from app.main import app

    paths = _get_paths(app.routes)
    return sorted({p for p in paths if p.startswith(("/dash", "/login"))})


def test_every_dashboard_page_reads_in_vietnamese(
    client: TestClient, world: dict[str, Any]
) -> None:
    paths = dash_get_routes()
    assert "/dash/audit" in paths
    assert "/dash/campaigns/{code}/units/{unit}" in paths
    urls = [_fill(p, world) for p in paths]
    urls += [
        "/dash/campaigns/HN-2026/responses?state=excluded",
        "/dash/campaigns/HN-2026/responses?state=all",
        f"/dash/campaigns/HN-2026/results?parent={world['scope']}",
        f"/dash/campaigns/HN-2026/units/{world['scope']}",
        "/dash/campaigns/NOPE",  # an error page
        "/dash/campaigns/HN-2026/responses?page=abc",  # a bad query value
    ]
    found: list[str] = []
    seen = 0
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, (url, r.text[-500:])
        if "text/html" in r.headers.get("content-type", ""):
            seen += 1
            found += problems_of(url, r.text)
    assert seen >= 10
    assert not found, "\n".join(found)


def test_rejected_dashboard_forms_say_what_is_wrong_in_vietnamese(
    client: TestClient, world: dict[str, Any]
) -> None:
    csrf, base = world["csrf"], "/dash/campaigns/HN-2026"
    bad = {
        "/dash/campaigns/new": {
            "code": "có dấu cách",
            "name": "",
            "starts_on": "2026-13-01",
            "ends_on": "2026-01-01",
            "min_sample": "²",
            "units": "KHONG-CO",
        },
        f"{base}/settings": {
            "name": "Khảo sát",
            "starts_on": "2026-12-31",
            "ends_on": "2026-01-01",
            "questionnaire": "sipas-2017/9",
            "min_sample": "0",
            "units": "KHONG-CO",
        },
        f"{base}/targets": {f"target.{world['leaf']}": "١٢", "target.KHONG-CO": "5"},
        f"{base}/quotas": {"quotas": "gender=female\nage=old 20\ngender=male 90"},
        "/dash/users": {"login": "có dấu cách", "name": "", "role": "boss", "password": "ngắn"},
        "/dash/keys": {"label": "", "unit": "KHONG-CO"},
        "/dash/account/password": {"current": "sai", "new": "mật khẩu mới dài", "repeat": "khác"},
        f"{base}/status": {"status": "draft"},
        f"{base}/responses/{world['ids'][1]}/exclude": {"reason": " "},
        f"{base}/responses/not-an-id/restore": {"reason": "x"},
    }
    found = []
    for url, form in bad.items():
        r = client.post(url, data={"csrf": csrf, **form}, follow_redirects=False)
        assert 400 <= r.status_code < 500, (url, r.status_code)
        found += problems_of(url, r.text)
    r = client.post(
        f"{base}/targets.csv",
        data={"csrf": csrf, "margin": "năm phần trăm"},
        files={"file": ("chi-tieu.csv", "đơn vị;số\n".encode("cp1258", "replace"), "text/csv")},
    )
    found += problems_of("targets.csv margin", r.text)
    r = client.post(
        f"{base}/targets.csv",
        data={"csrf": csrf, "margin": "0,05"},
        files={"file": ("chi-tieu.csv", b"unit,transactions,extra\nKHONG,12,1,2\n", "text/csv")},
    )
    found += problems_of("targets.csv file", r.text)
    r = client.post(f"{base}/quotas", data={"csrf": "stale", "quotas": ""})
    assert r.status_code == 403
    found += problems_of("stale csrf", r.text)
    assert not found, "\n".join(found)


def test_every_audit_action_and_code_has_words_in_both_languages() -> None:
    for prefix, codes in (
        ("act", audit_actions()),
        ("kind", UNIT_KINDS),
        ("role", ROLES),
        ("ch", CHANNELS),
        ("f", quality.ALL),
    ):
        for code in codes:
            entry = dash_text.UI.get(f"{prefix}_{code}")
            assert entry is not None, f"add {prefix}_{code} to app/access/dash_text.py"
            assert entry["vi"], code
            assert entry["en"], code
            assert entry["vi"] != entry["en"], code


def test_english_keeps_its_own_dates_and_numbers(client: TestClient, world: dict[str, Any]) -> None:
    today = clock.today()
    vi = client.get("/dash/campaigns/HN-2026?lang=vi").text
    en = client.get("/dash/campaigns/HN-2026?lang=en").text
    assert f"{today:%d/%m/%Y}" in vi
    assert today.isoformat() not in visible(vi)
    assert today.isoformat() in en
    # 1 response a day over 6 days at the leaf: its pace has a decimal.
    assert re.search(r"\d,\d", visible(vi))
    assert not re.search(r"\d\.\d", visible(vi))
    assert re.search(r"\d\.\d", visible(en))


def test_a_role_inside_a_message_is_in_words() -> None:
    """Every message naming a role names it as the dashboard does ("Người xem"),
    never by its code ("viewer"), in both languages."""
    from app.access.dash_render import message
    from app.core import messages
    from app.core.errors import Forbidden

    keys = [k for k, v in messages.MESSAGES.items() if "{role" in v["vi"]]
    assert keys  # the messages this is about exist
    for key in keys:
        for role in ROLES:
            for lang in ("vi", "en"):
                shown = str(message(Forbidden.of(key, role=role), lang))
                assert dash_text.t(f"role_{role}", lang) in shown, (key, role, lang)
                if lang == "vi":
                    assert not re.search(rf"\b{role}\b", shown), (key, role, shown)
