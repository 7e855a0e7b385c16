"""The printed report: rendered from the same report as the JSON, read back with a
PDF text extractor, and checked for the figures and sentences a province prints:
the sample (channels, exclusions and why, the rules in words), league tables with
rank intervals and labels when the report has them, the criteria heat table, the
late-case follow-up, the comments a coordinator chose, and the running footer."""

import copy
import io
import re
import unicodedata
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import AuditEvent
from app.campaigns.models import Campaign
from app.questionnaires.catalog import Catalog
from app.reporting import printed
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


URL = "/api/v1/campaigns/C-PDF/indices"


@pytest.fixture
def campaign(client: TestClient, session: Session, catalog: Catalog) -> None:
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    for code, name, kind in (
        ("S1", "Sở Tư pháp", "department"),
        ("S2", "Sở Y tế", "department"),
        ("X1", "Xã Tam Đường", "commune"),
    ):
        make_counter(session, f"k-{code}", make_unit(session, code, kind, p, name=name))
    make_campaign(session, catalog, "C-PDF", [p], min_sample=2)
    make_account(session, "lan@sonv", "coordinator", p)
    late = {"timeliness": "late", "late_notified": "yes", "late_apology": "no"}
    for counter, level, place, channel, more in (
        # A procedure's name is free text but no comment: 3 comments, not 5.
        ("k-S1", 5, "one_stop", "kiosk", {"comment": THANKS, "procedure_name": "Cấp bản sao"}),
        ("k-S1", 4, "agency", "web", {"comment": ABUSE}),
        ("k-S2", 3, "one_stop", "kiosk", late),
        ("k-S2", 4, "one_stop", "kiosk", {"procedure_name": "Đăng ký kết hôn"}),
        ("k-X1", 5, "one_stop", "web", {"comment": SLOW}),
        ("k-X1", 5, "one_stop", "kiosk", {}),
        ("k-X1", 2, "agency", "kiosk", {}),  # excluded below: too fast
    ):
        answers = valid_answers(catalog, level=level, submission_place=place, **more)
        b = body(catalog, counter=counter, channel=channel, answers=answers)
        r = client.post("/api/v1/submissions", json=b)
        assert r.status_code == 201, r.text
        ids.append(str(b["id"]))


THANKS = "Cảm ơn cán bộ Sở Tư pháp tận tình"
ABUSE = "Cán bộ X là đồ ăn hại"
SLOW = "Thủ tục còn chậm, phải chờ lâu"
ids: list[str] = []


@pytest.fixture(autouse=True)
def _fresh_ids() -> None:
    ids.clear()


def pages_of(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def vi(value: float | None) -> str:
    """A figure as printed: 55,60%, or a dash where there is none."""
    return "–" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def test_the_printed_report_says_what_the_json_says(client: TestClient, campaign: None) -> None:
    r = client.get(URL, params={"format": "pdf"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = " ".join(text_of(r.content).split())
    assert "Báo cáo kết quả đo lường sự hài lòng" in text
    assert "KẾT QUẢ NỘI BỘ — CHƯA CÔNG BỐ" in text
    top: dict[str, Any] = client.get(URL).json()["units"][0]
    sub = client.get(URL, params={"parent": "P"}).json()
    # The headline, with the decimal comma.
    assert vi(top["sipas"]["value"]) in text
    # A league table per kind, each unit with its SIPAS as published.
    for u in sub["units"]:
        assert u["name"] in text
        assert vi(u["sipas"]["value"]) in text
    assert "Bảng xếp hạng: Sở, ban, ngành" in text
    assert "Bảng xếp hạng: Xã, phường, đặc khu" in text
    # Perception written as the provinces write it, median beside.
    key = "submission_place.one_stop"
    median = sub["leagues"]["department"]["median"]["perception"][key]
    assert f"là {vi(top['perception'][key]['value'])} (giá trị trung vị là {vi(median)})" in text
    # One result sheet per ranked unit.
    assert text.count("Phiếu kết quả:") == sum(1 for u in sub["units"] if u["rank"])
    # The departments' own top five, titled with their kind; X1, ranked alone in its
    # league, has no top-five list of one.
    assert "Năm đơn vị cao nhất: Sở, ban, ngành" in text
    assert "Năm đơn vị thấp nhất: Sở, ban, ngành" in text
    assert "Năm đơn vị cao nhất: Xã" not in text


def test_the_printed_report_in_english_and_refused_where_it_has_no_meaning(
    client: TestClient, campaign: None
) -> None:
    en = client.get(URL, params={"format": "pdf", "lang": "en"})
    text = " ".join(text_of(en.content).split())
    assert "Satisfaction survey report" in text
    assert "League table: Department" in text
    unit = client.get("/api/v1/campaigns/C-PDF/units/S1/indices", params={"format": "pdf"})
    assert unit.status_code == 422
    assert "printed report covers a campaign" in unit.text


def _comment(client: TestClient, csrf: str, sid: str, action: str, **data: str) -> Any:
    return client.post(
        f"/dash/campaigns/C-PDF/comments/{sid}/comment/{action}",
        data={"csrf": csrf, "back": "page=1", **data},
        follow_redirects=False,
    )


def test_the_sample_the_rules_the_late_cases_and_the_footer_in_words(
    client: TestClient, campaign: None
) -> None:
    csrf = sign_in(client, "lan@sonv")
    r = client.post(
        f"/dash/campaigns/C-PDF/responses/{ids[-1]}/exclude",
        data={"csrf": csrf, "reason_code": "speeding", "note": "12 giây"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    pdf = client.get(URL, params={"format": "pdf"}).content
    pages = pages_of(pdf)
    text = " ".join(pages)
    # Responses by channel (the excluded one is not counted) and exclusions by reason,
    # without the coordinator's own note.
    assert (
        "Số phiếu theo kênh khảo sát Máy tính bảng tại quầy: 4; Điện thoại, máy tính (mã QR): 2"
        in text
    )
    assert "1 phiếu bị cán bộ điều phối loại khỏi kết quả" in text
    assert "Làm quá nhanh, không kịp đọc câu hỏi 1" in text
    assert "12 giây" not in text
    # The publishing rules as sentences, not a dump of method keys.
    assert "Đơn vị có tiêu chí dưới 2 câu trả lời hợp lệ" in text
    assert "làm tròn 2 chữ số thập phân" in text
    assert "Mỗi loại đơn vị được xếp hạng riêng (Sở, ban, ngành, Xã, phường, đặc khu)" in text
    assert "sipas: factors_mean" not in text
    assert "rank Competition" not in text
    # Late-case follow-up as the provinces write it, on S2's sheet (its one late case
    # was told, not apologised to), and in the headline section.
    sub = client.get(URL, params={"parent": "P"}).json()
    s2 = next(u for u in sub["units"] if u["unit"] == "S2")
    assert s2["perception"]["late_notified.yes"]["value"] == 100
    median = sub["leagues"]["department"]["median"]["perception"]
    sheet = next(p for p in pages if "Phiếu kết quả: Sở Y tế" in p)
    assert (
        "Trong số hồ sơ trả muộn hơn hẹn, tỷ lệ người dân, tổ chức được thông báo về việc "
        f"trễ hẹn là 100,00% (giá trị trung vị là {vi(median['late_notified.yes'])}); "
        f"tỷ lệ nhận được thư xin lỗi là 0,00% (giá trị trung vị là "
        f"{vi(median['late_apology.yes'])})."
    ) in sheet
    assert "Xử lý hồ sơ trễ hẹn" in text
    # Every page: the status, the campaign, its number of the total.
    for n, page in enumerate(pages, 1):
        assert "KẾT QUẢ NỘI BỘ — CHƯA CÔNG BỐ" in page
        assert "(C-PDF)" in page
        assert f"Trang {n} / {len(pages)}" in page


def test_the_criteria_heat_table_prints_every_units_criteria(
    client: TestClient, campaign: None
) -> None:
    pages = pages_of(client.get(URL, params={"format": "pdf"}).content)
    sub = client.get(URL, params={"parent": "P"}).json()
    heat = next(p for p in pages if "Bảng nhiệt các tiêu chí: Sở, ban, ngành" in p)
    assert "TC1 TC2 TC3" in heat
    assert "GY4" in heat
    for u in (u for u in sub["units"] if u["kind"] == "department"):
        row = " ".join(vi(u["items"][c]["value"])[:-1] for c in ("TC1", "TC2", "TC3"))
        assert f"{u['name']} {row}" in heat
    reader = pypdf.PdfReader(io.BytesIO(client.get(URL, params={"format": "pdf"}).content))
    index = next(i for i, p in enumerate(pages) if "Bảng nhiệt" in p)
    box = reader.pages[index].mediabox
    assert float(box.width) > float(box.height)  # landscape, to be read at A4


def test_a_coordinator_chooses_comments_for_the_report_never_a_hidden_one(
    client: TestClient, session: Session, campaign: None
) -> None:
    csrf = sign_in(client, "lan@sonv")
    thanks, abuse = ids[0], ids[1]
    before = " ".join(pages_of(client.get(URL, params={"format": "pdf"}).content))
    assert "Đã nhận được 3 ý kiến góp ý bằng văn bản tự do." in before
    assert THANKS not in before  # nothing printed until chosen
    r = _comment(client, csrf, thanks, "choose")
    assert r.status_code == 303
    assert "done=chosen" in r.headers["location"]
    assert "Ý kiến sẽ được in trong báo cáo PDF." in client.get(r.headers["location"]).text
    assert _comment(client, csrf, thanks, "choose").status_code == 409
    assert _comment(client, csrf, abuse, "choose").status_code == 303
    listed = client.get("/dash/campaigns/C-PDF/comments", params={"state": "chosen"}).text
    assert THANKS in listed
    assert ABUSE in listed
    assert SLOW not in listed
    # Hiding a chosen comment takes it out of the report; a hidden one cannot be chosen.
    assert _comment(client, csrf, abuse, "hide", reason="Xúc phạm").status_code == 303
    assert _comment(client, csrf, abuse, "choose").status_code == 409
    text = " ".join(pages_of(client.get(URL, params={"format": "pdf"}).content))
    assert "Đã nhận được 3 ý kiến" in text
    assert f"“{THANKS}” — Sở Tư pháp" in text
    assert ABUSE not in text
    assert SLOW not in text
    en = " ".join(pages_of(client.get(URL, params={"format": "pdf", "lang": "en"}).content))
    assert "3 free-text comments were received." in en
    assert THANKS in en
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("comment.%"))
    ).all()
    assert sorted(actions) == ["comment.choose", "comment.choose", "comment.hide"]
    assert _comment(client, csrf, thanks, "unchoose").status_code == 303
    assert _comment(client, csrf, thanks, "unchoose").status_code == 409
    after = " ".join(pages_of(client.get(URL, params={"format": "pdf"}).content))
    assert THANKS not in after


def _render(session: Session, catalog: Catalog, report: dict[str, Any], lang: str) -> str:
    c = session.scalar(select(Campaign).where(Campaign.code == "C-PDF"))
    assert c is not None
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    return " ".join(" ".join(pages_of(printed.render(report, None, c, q, lang))).split())


def test_rank_intervals_labels_and_change_are_printed_when_the_report_has_them(
    client: TestClient, session: Session, catalog: Catalog, campaign: None
) -> None:
    plain = client.get(URL, params={"parent": "P"}).json()
    # The live report has them (the edition of an older version may not): printed from
    # the report alone, the PDF shows them exactly when the report has them.
    assert any(u["rank_interval"] for u in plain["units"])
    for u in plain["units"]:
        del u["rank_interval"], u["vs_median"]
    plain["methods"] = {k: v for k, v in plain["methods"].items() if k != "rank_interval"}
    without = _render(session, catalog, plain, "vi")
    assert not re.search(r"\d \(\d+–\d+\)", without)  # no interval where none is given
    assert "▲" not in without
    assert "Thay đổi" not in without
    marked = copy.deepcopy(plain)
    labels = iter(("above", "indistinguishable", "below"))
    for u in marked["units"]:
        if u["rank"] is not None:
            u["rank_interval"] = [u["rank"], u["rank"] + 1]
            u["vs_median"] = next(labels, "below")
            u["change"] = {"campaign": "C-2025", "points": -1.234, "rank": 1}
    text = _render(session, catalog, marked, "vi")
    s1 = next(u for u in marked["units"] if u["unit"] == "S1")
    r = s1["rank"]
    assert f"{r} ({r}–{r + 1}) {'▲' if s1['vs_median'] == 'above' else ''}".strip() in text
    assert "▲ cao hơn trung vị · ● không khác biệt rõ so với trung vị · ▼ thấp hơn trung vị" in (
        text
    )
    assert f"Hạng {r} ({r}–{r + 1}) trên 2 (Sở, ban, ngành)" in text  # the result sheet
    assert "Khoảng hạng (ví dụ 3 (2–6))" in text  # and the rule explained
    assert f"{vi(s1['sipas']['value'])} −1,23 (+1)" in text  # the change column
    assert "−1,23 điểm phần trăm so với đợt C-2025, +1 bậc" in text
    en = _render(session, catalog, marked, "en")
    assert "▲ above the median" in en
    assert "−1.23 points since C-2025, +1 places" in en


def test_a_campaign_over_several_units_has_its_own_headline(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    """A campaign whose scope is a list of agencies (the demo's, many provinces') is
    headlined by the campaign as a whole: every indicator over all its responses."""
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    units = []
    for code, kind in (("S1", "department"), ("S2", "department"), ("X1", "commune")):
        units.append(make_unit(session, code, kind, p))
        make_counter(session, f"k-{code}", units[-1])
    make_campaign(session, catalog, "C-MANY", units)
    levels = {"k-S1": [5, 5, 4], "k-S2": [2, 3], "k-X1": [4]}
    for counter, answers in levels.items():
        for level in answers:
            b = body(catalog, counter=counter, answers=valid_answers(catalog, level=level))
            assert client.post("/api/v1/submissions", json=b).status_code == 201
    report = client.get("/api/v1/campaigns/C-MANY/indices").json()
    overall = report["overall"]
    assert (overall["unit"], overall["kind"], overall["n"]) == ("C-MANY", "campaign", 6)
    # Pooled over the six responses: 4 of 6 answered 4 or 5 to every criterion.
    assert overall["sipas"]["value"] == pytest.approx(100 * 4 / 6)
    assert overall["sipas"]["ci"][0] < overall["sipas"]["value"] < overall["sipas"]["ci"][1]
    # A report of one unit's sub-units, or of one level, has none: it is not the campaign.
    assert "overall" not in client.get("/api/v1/campaigns/C-MANY/indices?level=department").json()
    text = " ".join(
        text_of(client.get("/api/v1/campaigns/C-MANY/indices?format=pdf").content).split()
    )
    assert "Chỉ số hài lòng chung (SIPAS)" in text
    assert vi(overall["sipas"]["value"]) in text
    # Its charts say which league's medians they are set against: the report's main one.
    assert report["league"] == "department"
    assert "Trung vị: của các đơn vị thuộc nhóm Sở, ban, ngành." in text


def test_counts_are_written_as_each_language_writes_them() -> None:
    assert (printed.count(5000, "vi"), printed.count(5000, "en")) == ("5.000", "5,000")
    assert printed.count(999, "vi") == "999"


def test_a_published_editions_pdf_keeps_the_sample_it_was_published_with(
    client: TestClient, session: Session, catalog: Catalog, campaign: None
) -> None:
    """Comments chosen and responses excluded after publication change the live report,
    never the PDF of a published edition."""
    from app.access.service import Principal
    from app.reporting import editions

    csrf = sign_in(client, "lan@sonv")
    thanks, slow = ids[0], ids[4]
    assert _comment(client, csrf, thanks, "choose").status_code == 303
    c = session.scalar(select(Campaign).where(Campaign.code == "C-PDF"))
    assert c is not None
    editions.publish(session, catalog, Principal("admin@p", "admin", None), c, interim=True)
    assert _comment(client, csrf, thanks, "unchoose").status_code == 303
    assert _comment(client, csrf, slow, "choose").status_code == 303
    live = " ".join(pages_of(client.get(URL, params={"format": "pdf"}).content))
    assert SLOW in live
    assert THANKS not in live
    first = " ".join(pages_of(client.get(URL, params={"format": "pdf", "edition": 1}).content))
    assert f"“{THANKS}” — Sở Tư pháp" in first
    assert SLOW not in first


def test_a_unit_ranked_alone_in_its_league_is_not_compared_with_itself(
    client: TestClient, campaign: None
) -> None:
    report = client.get(URL, params={"parent": "P"}).json()
    alone = [u for u in report["units"] if u["league"] == "commune"]
    assert [u["unit"] for u in alone] == ["X1"]
    assert (alone[0]["rank"], alone[0]["rank_interval"], alone[0]["vs_median"]) == (1, [1, 1], None)
    others = [u for u in report["units"] if u["league"] == "department" and u["rank"]]
    assert len(others) == 2
    assert all(u["vs_median"] for u in others)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_criterion_label_is_printed_whole_and_the_unit_names_on_one_line(
    client: TestClient, session: Session, catalog: Catalog, campaign: None, lang: str
) -> None:
    """The charts wrap a long criterion (TC2, TC3, TC4 differ only in their last words:
    cut at 60 characters they read alike) instead of cutting it, and the league table
    leaves a department's name room for one line."""
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    report = client.get(URL, params={"parent": "P"}).json()
    long_name = "Sở Nông nghiệp và Môi trường tỉnh Lai Châu"
    for u in report["units"]:
        if u["unit"] == "S1":
            u["name"] = long_name
    c = session.scalar(select(Campaign).where(Campaign.code == "C-PDF"))
    assert c is not None
    head = next(u for u in report["units"] if u["unit"] == "S1")
    pdf = printed.render(report, head, c, q, lang)
    text = " ".join(" ".join(pages_of(pdf)).split())
    labels = {}
    for code in q.criteria:
        words = q.questions[code].text.get(lang) or q.questions[code].text["vi"]
        label = " ".join(unicodedata.normalize("NFC", f"{code}. {words}").split())
        assert label in text, label  # complete, wrapped where it is long
        labels[code] = label
    assert "…" not in text
    assert len(set(labels.values())) == len(labels)
    raw = text_of(pdf)
    league = raw.split("Bảng xếp hạng" if lang == "vi" else "League table", 1)[1]
    assert any(long_name in line for line in league.splitlines())  # never broken
