"""Respondent pages over HTTP: the no-JavaScript path end to end, errors as pages."""

import re
import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.collection import kiosks
from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from app.units.models import Counter
from tests.answers import valid_answers
from tests.factories import make_campaign, make_counter, make_unit


def form_fields(answers: dict[str, Any], **extra: str) -> dict[str, list[str]]:
    """Answers as a browser posts them: a value per checked box or filled field."""
    fields = {
        code: [str(v) for v in (value if isinstance(value, list) else [value])]
        for code, value in answers.items()
    }
    return fields | {name: [v] for name, v in extra.items()}


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def start(client: TestClient, counter: str = "k-1", **params: str) -> tuple[str, str, str]:
    page = client.get(f"/s/{counter}/form", params=params)
    assert page.status_code == 200
    return page.text, hidden(page.text, "id"), hidden(page.text, "started_at")


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_welcome_page_says_what_it_is_in_vietnamese_by_default(
    client: TestClient, place: dict[str, Any]
) -> None:
    page = client.get("/s/k-1", headers={"Accept-Language": "en-US"})
    assert page.status_code == 200
    assert '<html lang="vi"' in page.text
    assert "ẩn danh" in page.text
    assert "3 phút" in page.text
    assert 'href="/s/k-1/form?r=' in page.text  # the new response's id travels along
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_language_switch_is_remembered(client: TestClient, place: dict[str, Any]) -> None:
    english = client.get("/s/k-1", params={"lang": "en"})
    assert '<html lang="en"' in english.text
    assert "Anonymous" in english.text
    assert english.cookies.get("sipas_lang") == "en"
    later = client.get("/s/k-1/form")  # no ?lang: the cookie decides
    assert '<html lang="en"' in later.text
    assert "About your transaction" in later.text


def test_form_post_stores_the_response_and_redirects_to_thanks(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _, rid, started = start(client)
    answers = valid_answers(catalog, comment="Nhanh, gọn")
    sent = client.post(
        "/s/k-1/form",
        data=form_fields(answers, id=rid, started_at=started),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/s/k-1/thanks"
    row = session.get(Submission, uuid.UUID(rid))
    assert row is not None
    assert row.answers == answers
    assert row.channel == "web"
    assert row.started_at is not None
    assert row.started_at <= row.submitted_at
    thanks = client.get("/s/k-1/thanks")
    assert "Xin cảm ơn" in thanks.text
    assert 'http-equiv="refresh"' not in thanks.text  # phones stay on the thank-you page


def test_double_post_stores_once_and_a_changed_resend_is_refused(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _, rid, started = start(client)
    fields = form_fields(valid_answers(catalog), id=rid, started_at=started)
    first = client.post("/s/k-1/form", data=fields, follow_redirects=False)
    again = client.post("/s/k-1/form", data=fields, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert stored(session) == 1
    changed = form_fields(valid_answers(catalog, level=2), id=rid, started_at=started)
    refused = client.post("/s/k-1/form", data=changed, follow_redirects=False)
    assert refused.status_code == 409
    assert "đã được gửi" in refused.text
    assert 'href="/s/k-1/form"' in refused.text
    assert stored(session) == 1


def test_back_after_the_thank_you_page_returns_to_the_same_response(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    """Without a script: Start, Send, thank you, Back, Send again stores one response."""
    welcome = client.get("/s/k-1").text
    link = re.search(r'id="start" href="([^"]+)"', welcome)
    assert link
    form_url = link.group(1).replace("&amp;", "&")
    html = client.get(form_url).text
    rid = hidden(html, "id")
    assert rid in form_url  # the id is in the page's address, so Back brings it again
    assert client.get(form_url).text.count(rid) >= 1  # a reload keeps the same response
    fields = form_fields(valid_answers(catalog), id=rid, started_at=hidden(html, "started_at"))
    sent = client.post("/s/k-1/form", data=fields, follow_redirects=False)
    assert sent.headers["location"] == "/s/k-1/thanks"
    back = client.get(form_url)  # the browser's Back button
    assert back.status_code == 200
    assert "Phiếu này đã được gửi" in back.text
    assert 'name="id"' not in back.text  # no fresh form to send a second time
    again = client.post("/s/k-1/form", data=fields)  # the restored form sent again
    assert again.status_code == 200
    assert "Xin cảm ơn!" in again.text
    assert stored(session) == 1


def test_every_respondent_on_a_kiosk_starts_in_vietnamese(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    counter = session.scalar(select(Counter).where(Counter.code == "k-1"))
    assert counter is not None
    counter.kiosk = True
    session.flush()
    english = client.get("/s/k-1", params={"lang": "en"})  # one respondent picks English
    assert '<html lang="en"' in english.text
    assert '<html lang="en"' in client.get("/s/k-1/form").text  # and keeps it to the end
    nxt = client.get("/s/k-1")  # the start screen the kiosk returns to
    assert '<html lang="vi" class="kiosk">' in nxt.text
    assert '<html lang="vi"' in client.get("/s/k-1/form").text
    # On a phone the choice is remembered: it is one person's.
    counter.kiosk = False
    session.flush()
    client.get("/s/k-1", params={"lang": "en"})
    assert '<html lang="en"' in client.get("/s/k-1").text


def test_invalid_form_shows_each_problem_beside_its_question_and_keeps_answers(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _, rid, started = start(client, lang="en")
    four = ["shorter_time", "online_services", "staff_attitude", "facilities"]
    answers = valid_answers(catalog, TC2=None, HL=7, expectations=four)
    sent = client.post("/s/k-1/form", data=form_fields(answers, id=rid, started_at=started))
    assert sent.status_code == 422
    html = sent.text
    assert stored(session) == 0
    assert '<p class="err" id="e-TC2">Please answer this question.</p>' in html
    assert '<p class="err" id="e-HL">This answer is not valid; please choose again.</p>' in html
    assert '<p class="err" id="e-expectations">Choose at most 3.</p>' in html
    assert 'href="#q-TC2"' in html  # the summary links to the question
    # What was answered is still checked; the same id is kept for the retry.
    assert re.search(r'name="TC1" value="4" checked', html)
    assert re.search(r'name="respondent_type" value="citizen" checked', html)
    assert hidden(html, "id") == rid
    assert 'aria-invalid="true" aria-describedby="e-TC2"' in html


def test_invalid_answers_are_explained_in_the_pages_language(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    four = ["shorter_time", "online_services", "staff_attitude", "facilities"]
    answers = valid_answers(catalog, TC2=None, HL=7, expectations=four)
    _, rid, started = start(client)
    sent = client.post("/s/k-1/form", data=form_fields(answers, id=rid, started_at=started))
    assert sent.status_code == 422
    assert '<html lang="vi"' in sent.text
    errors = dict(re.findall(r'<p class="err" id="e-([^"]+)">([^<]*)</p>', sent.text))
    assert errors == {
        "TC2": "Vui lòng trả lời câu hỏi này.",
        "HL": "Câu trả lời này không hợp lệ, vui lòng chọn lại.",
        "expectations": "Chỉ chọn tối đa 3.",
    }
    assert stored(session) == 0


def test_follow_up_questions_follow_their_condition_without_javascript(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _, rid, started = start(client)
    # "late" makes both follow-ups required: the page comes back showing them.
    late = valid_answers(catalog, timeliness="late")
    shown = client.post("/s/k-1/form", data=form_fields(late, id=rid, started_at=started))
    assert shown.status_code == 422
    assert 'class="q single cond shown bad" id="q-late_notified"' in shown.text
    assert "Vui lòng trả lời câu hỏi này." in shown.text
    done = client.post(
        "/s/k-1/form",
        data=form_fields(
            {**late, "late_notified": "yes", "late_apology": "no"}, id=rid, started_at=started
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303
    row = session.get(Submission, uuid.UUID(rid))
    assert row is not None
    assert row.answers["late_apology"] == "no"
    # An answer to a follow-up whose condition no longer holds is dropped, not an error.
    _, rid2, _ = start(client)
    on_time = {**valid_answers(catalog), "late_notified": "yes"}
    ok = client.post("/s/k-1/form", data=form_fields(on_time, id=rid2), follow_redirects=False)
    assert ok.status_code == 303
    row2 = session.get(Submission, uuid.UUID(rid2))
    assert row2 is not None
    assert "late_notified" not in row2.answers


def test_language_switch_on_a_half_filled_form_keeps_the_answers(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    _, rid, started = start(client)
    switched = client.post(
        "/s/k-1/form",
        data=form_fields(
            {"TC1": 5, "respondent_type": "citizen"},
            _step="2",
            _lang="en",
            id=rid,
            started_at=started,
        ),
    )
    assert switched.status_code == 200
    assert '<html lang="en"' in switched.text
    assert 'class="summary"' not in switched.text
    assert re.search(r'name="TC1" value="5" checked', switched.text)
    assert 'data-step="2"' in switched.text
    assert hidden(switched.text, "id") == rid
    assert switched.cookies.get("sipas_lang") == "en"
    assert stored(session) == 0


def test_a_damaged_form_is_an_error_page_not_a_stack_trace(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    sent = client.post("/s/k-1/form", data=form_fields(valid_answers(catalog), id="not-a-uuid"))
    assert sent.status_code == 422
    assert "text/html" in sent.headers["content-type"]
    assert "Phiếu bị lỗi" in sent.text
    assert stored(session) == 0


def test_unknown_counter_and_closed_survey_are_pages_in_the_respondents_language(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    missing = client.get("/s/no-such-counter", params={"lang": "en"})
    assert missing.status_code == 404
    assert "There is no counter with this code" in missing.text
    assert client.get("/s/no-such-counter/thanks").status_code == 404
    assert "Không tìm thấy quầy này." in client.get("/s/no-such-counter?lang=vi").text
    campaign = session.scalar(select(Campaign).where(Campaign.code == "C-2026"))
    assert campaign is not None
    campaign.status = "closed"
    session.flush()
    closed = client.get("/s/k-1", params={"lang": "en"})
    assert closed.status_code == 409
    assert "The survey has ended" in closed.text
    closed_vi = client.get("/s/k-1/form", params={"lang": "vi"})
    assert "Đợt khảo sát đã kết thúc" in closed_vi.text
    assert "chưa mở" not in closed_vi.text  # an ended survey is not "not open yet"


def test_a_survey_not_open_yet_says_when_it_starts(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    later = make_unit(session, "LATER")
    make_counter(session, "k-later", later)
    draft = make_campaign(session, catalog, "LATER-2027", [later], CampaignStatus.draft)
    draft.starts_on, draft.ends_on = date(2027, 3, 1), date(2027, 4, 30)
    session.flush()
    vi = client.get("/s/k-later", params={"lang": "vi"})
    assert vi.status_code == 409
    assert "Khảo sát chưa bắt đầu" in vi.text
    assert "01/03/2027" in vi.text
    en = client.get("/s/k-later/form", params={"lang": "en"})
    assert "has not opened yet" in en.text
    assert "1 March 2027" in en.text


def test_show_if_conditions_read_as_sentences(client: TestClient, place: dict[str, Any]) -> None:
    vi = client.get("/s/k-1/form", params={"lang": "vi"}).text
    assert (
        "Chỉ trả lời câu này nếu ở câu “So với ngày hẹn trả kết quả, Ông/Bà nhận kết quả” "
        "Ông/Bà đã chọn “Muộn hơn ngày hẹn”."
    ) in vi
    assert "Chỉ trả lời nếu:" not in vi
    en = client.get("/s/k-1/form", params={"lang": "en"}).text
    assert "Answer this only if you chose “Later than promised” for “Compared with" in en


@pytest.mark.parametrize(
    "path", ["/", "/s/k-1", "/s/k-1/form", "/s/k-1/thanks", "/kiosk", "/login", "/healthz"]
)
def test_head_answers_like_get_without_a_body(
    client: TestClient, place: dict[str, Any], path: str
) -> None:
    got = client.get(path, follow_redirects=False)
    head = client.head(path, follow_redirects=False)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


def test_the_root_is_a_small_page_that_links_to_sign_in(client: TestClient) -> None:
    vi = client.get("/")
    assert vi.status_code == 200
    assert "text/html" in vi.headers["content-type"]
    assert 'href="/login"' in vi.text
    assert "Đăng nhập" in vi.text
    assert "quét mã QR" in vi.text
    en = client.get("/?lang=en")
    assert "Sign in" in en.text
    assert "scan the QR code" in en.text


def test_kiosk_start_on_a_tablet_not_enrolled_tells_the_installer_what_to_do(
    client: TestClient,
) -> None:
    page = client.get("/kiosk")
    assert page.status_code == 404
    assert "Máy tính bảng này chưa được đăng ký" in page.text
    assert "đường dẫn đăng ký" in page.text
    assert "quét lại mã QR" not in page.text  # not the citizen's "counter not found"
    assert "enrolment link" in client.get("/kiosk?lang=en").text


def test_oversized_form_post_is_refused_with_a_page(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    sent = client.post("/s/k-1/form", data={"comment": "x" * 70_000})
    assert sent.status_code == 413
    assert "text/html" in sent.headers["content-type"]
    assert "quá dài" in sent.text
    assert stored(session) == 0


def test_kiosk_counter_records_kiosk_channel_and_returns_to_start(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    counter = session.scalar(select(Counter).where(Counter.code == "k-1"))
    assert counter is not None
    counter.kiosk = True
    session.flush()
    html, rid, started = start(client)
    assert '<html lang="vi" class="kiosk">' in html
    assert 'data-kiosk="1"' in html
    client.post("/s/k-1/form", data=form_fields(valid_answers(catalog), id=rid, started_at=started))
    row = session.get(Submission, uuid.UUID(rid))
    assert row is not None
    assert row.channel == "kiosk"
    thanks = client.get("/s/k-1/thanks")
    assert 'http-equiv="refresh" content="8;url=/s/k-1"' in thanks.text


def test_enrolled_tablet_runs_its_counter_in_kiosk_mode_until_revoked(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    done = kiosks.enrol(session, "k-1", "Tablet 1")
    assert done.device.token_hash != done.token  # only the hash is stored
    enrolled = client.get("/kiosk/enrol", params={"token": done.token}, follow_redirects=False)
    assert enrolled.status_code == 200
    assert "Máy tính bảng này giờ là Tablet 1 tại Counter k-1 (Unit P-S01)." in enrolled.text
    cookie = enrolled.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "sipas_kiosk=" in cookie
    assert 'class="kiosk"' in client.get("/s/k-1/form").text
    assert client.get("/kiosk", follow_redirects=False).headers["location"] == "/s/k-1"
    # The same tablet opening another counter's link is not a kiosk there.
    assert 'class="kiosk"' not in client.get("/s/k-out").text
    kiosks.revoke(session, done.device.id)
    assert 'class="kiosk"' not in client.get("/s/k-1/form").text
    bad = client.get("/kiosk/enrol", params={"token": "forged"})
    assert bad.status_code == 404
    assert "sipas_kiosk" not in bad.headers.get("set-cookie", "")


def test_a_result_slip_link_carries_the_dossier_code_into_the_response(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    welcome = client.get("/s/k-1", params={"d": "H58-0001"})
    assert 'href="/s/k-1/form?d=H58-0001&amp;r=' in welcome.text
    ids = []
    for _ in range(2):
        html, rid, started = start(client, d="H58-0001")
        assert hidden(html, "dossier") == "H58-0001"
        fields = form_fields(valid_answers(catalog), id=rid, started_at=started, dossier="H58-0001")
        assert client.post("/s/k-1/form", data=fields, follow_redirects=False).status_code == 303
        ids.append(uuid.UUID(rid))
    rows = [session.get(Submission, i) for i in ids]
    assert all(r is not None and r.dossier_hash for r in rows)
    assert [("repeated_dossier" in r.quality_flags) for r in rows if r] == [False, True]
    # A broken link is ignored, not an error the respondent cannot fix.
    html, _, _ = start(client, d="x" * 200)
    assert 'name="dossier"' not in html
