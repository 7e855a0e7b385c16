"""The `sipas` command as a coordinator runs it, in a fresh process and database."""

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.core.config import ROOT
from tests.dbutil import fresh_database


@pytest.fixture(scope="module")
def run() -> Iterator[Callable[..., subprocess.CompletedProcess[str]]]:
    with fresh_database() as url:
        env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200"}

        def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "app.cli", *args],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
                input=stdin,
            )

        assert _run("db", "upgrade").returncode == 0
        yield _run


def test_units_import_reports_rows_and_imports_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name,kind,parent\nP,Tỉnh P,province,\nX,Xã X,commune,NOPE\n", encoding="utf-8"
    )
    r = run("units", "import", str(bad))
    assert r.returncode == 1
    assert (
        "line 3, column parent: parent 'NOPE' is neither in the file nor in the database"
        in r.stderr
    )
    assert "Traceback" not in r.stderr
    ok = run("units", "import", str(ROOT / "data" / "provinces-2025.csv"))
    assert ok.returncode == 0, ok.stderr
    assert "34 unit(s) created" in ok.stdout


def test_campaign_create_names_a_bad_version(run) -> None:  # type: ignore[no-untyped-def]
    r = run(
        "campaign",
        "create",
        "C-BAD",
        "--name",
        "x",
        "--starts",
        "2026-01-01",
        "--ends",
        "2026-12-31",
        "--unit",
        "01",
        "--version",
        "4",
    )
    assert r.returncode == 1
    assert "questionnaire: unknown questionnaire sipas-2017 v4" in r.stderr
    ok = run(
        "campaign",
        "create",
        "HN-2026",
        "--name",
        "SIPAS Hà Nội 2026",
        "--starts",
        "2026-01-01",
        "--ends",
        "2026-12-31",
        "--unit",
        "01",
        "--open",
    )
    assert ok.returncode == 0, ok.stderr
    assert "campaign HN-2026 created (open)" in ok.stdout


def test_demo_twice_is_safe(run) -> None:  # type: ignore[no-untyped-def]
    first = run("demo", "--submissions", "300", "--seed", "5")
    assert first.returncode == 0, first.stderr
    assert "300 new submission(s)" in first.stdout
    assert "DEMO-2026" in first.stdout
    second = run("demo", "--submissions", "300", "--seed", "5")
    assert second.returncode == 0, second.stderr
    assert "0 new submission(s); 300 already present" in second.stdout
    # The demo chooses comments, hides an abusive one and excludes the two responses
    # sent twice on its first run only.
    assert "reviewed as quantri@demo: 3 comment(s) chosen for the report" in first.stdout
    assert "2 response(s) sent twice excluded" in first.stdout
    assert "reviewed as" not in second.stdout
    listing = run("campaign", "list")
    assert "DEMO-2026" in listing.stdout
    assert "300 submissions" in listing.stdout
    assert "sipas counters list --unit DEMO" in first.stdout
    counters = run("counters", "list", "--unit", "DEMO", "--base-url", "https://sipas.example")
    assert counters.returncode == 0, counters.stderr
    links = [line for line in counters.stdout.splitlines() if "https://sipas.example/s/" in line]
    # Every counter of the demo, not the 4 the demo prints: the 33 one-stop counters
    # and the 20 communes' household interviewers' counters.
    assert len(links) == 53
    assert "\thttps://sipas.example/s/demo-s01-q1" in counters.stdout
    assert "\thttps://sipas.example/s/demo-x01-hgd" in counters.stdout
    assert "DEMO-H2026 (open) over 20 communes, 150 new interview(s)" in first.stdout
    assert "DEMO-H2026 (open) over 20 communes, 0 new interview(s)" in second.stdout


def test_the_demo_says_where_to_sign_in_and_with_what(run) -> None:  # type: ignore[no-untyped-def]
    r = run("demo", "--submissions", "200", "--seed", "8")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "start the server (sipas serve) and sign in at http://127.0.0.1:8000/login" in lines
    people = {
        m[1]: (m[2], m[3], m[4])
        for line in lines
        if (m := re.fullmatch(r"  (\S+@demo) +password (\S+) +(\w+) +area: (.+)", line))
    }
    assert set(people) == {"quantri@demo", "dieuphoi@demo", "sotuphap@demo"}
    assert people["quantri@demo"][1:] == ("admin", "every unit")
    assert people["dieuphoi@demo"][1:] == ("coordinator", "DEMO Tỉnh Minh Hòa (demo)")
    assert people["sotuphap@demo"][1:] == ("viewer", "DEMO-S02 Sở Tư pháp")
    assert "  http://127.0.0.1:8000/dash/campaigns/DEMO-2026/results?compare=DEMO-2025" in lines
    assert "public results of DEMO-2025, edition 1 (no sign-in):" in lines
    assert "  http://127.0.0.1:8000/results/DEMO-2025" in lines
    # A second run: the same accounts with new passwords, and the edition kept.
    again = run("demo", "--submissions", "200", "--seed", "8")
    assert again.returncode == 0, again.stderr
    assert "public results of DEMO-2025, edition 1 (no sign-in):" in again.stdout
    new = re.search(r"  dieuphoi@demo +password (\S+)", again.stdout)
    assert new is not None
    assert new[1] != people["dieuphoi@demo"][0]
    listed = run("editions", "DEMO-2025")
    assert len(listed.stdout.splitlines()) == 1, listed.stdout


def test_comments_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    assert run("demo", "--submissions", "400", "--seed", "9").returncode == 0
    found = run("comments", "list", "DEMO-2026", "--search", "do an hai")
    assert found.returncode == 0, found.stderr
    rows = [line for line in found.stdout.splitlines() if "Đồ ăn hại" in line]
    assert rows, found.stdout
    rid = rows[0].split()[0]
    assert re.fullmatch(r"[0-9a-f-]{36}", rid)
    assert run("comments", "hide", "DEMO-2026", rid).returncode == 2  # --reason is required
    hidden = run("comments", "hide", "DEMO-2026", rid, "--reason", "Lời lẽ xúc phạm")
    assert hidden.returncode == 0, hidden.stderr
    assert f"comment comment of {rid}: hidden" in hidden.stdout
    refused = run("comments", "choose", "DEMO-2026", rid)
    assert refused.returncode == 1
    assert "is hidden and cannot be chosen for the report" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = run("comments", "list", "DEMO-2026", "--state", "hidden")
    assert rid in listed.stdout
    assert "hidden by cli: Lời lẽ xúc phạm" in listed.stdout
    assert run("comments", "show", "DEMO-2026", rid).returncode == 0
    kind = next(
        line.split()[0]
        for line in run("comments", "list", "DEMO-2026", "--search", "cam on").stdout.splitlines()
        if "cảm ơn" in line
    )
    assert run("comments", "choose", "DEMO-2026", kind).returncode == 0
    chosen = run("comments", "list", "DEMO-2026", "--state", "chosen")
    # Beside those the demo chose on its first run.
    assert re.match(r"\d+ comment\(s\) \(chosen\)", chosen.stdout.splitlines()[0])
    assert kind in chosen.stdout
    assert run("comments", "unchoose", "DEMO-2026", kind).returncode == 0
    again = run("comments", "unchoose", "DEMO-2026", kind)
    assert again.returncode == 1
    assert "is not in the report" in again.stderr
    bad = run("comments", "list", "DEMO-2026", "--state", "secret")
    assert bad.returncode == 1
    assert "state" in bad.stderr
    assert run("comments", "choose", "DEMO-2026", "nope").returncode == 1


def test_paper_import_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    units = tmp_path / "u.csv"
    units.write_text("code,name,kind,parent\nPP,Tỉnh PP,province,\n", encoding="utf-8")
    assert run("units", "import", str(units)).returncode == 0
    created = run(
        "campaign",
        "create",
        "PAPER-1",
        "--name",
        "Paper",
        "--starts",
        "2026-01-01",
        "--ends",
        "2026-12-31",
        "--unit",
        "PP",
        "--open",
    )
    assert created.returncode == 0, created.stderr
    scale = ",".join(["4"] * 28)
    from app.questionnaires.catalog import get_catalog

    q = get_catalog().get("sipas-2017", 1)
    assert q is not None
    head = (
        "form,date,unit,respondent_type,service_field,submission_place,info_channels,timeliness,"
        "harassment,extra_payment," + ",".join(q.scale_items)
    )
    good = f"1,2026-02-01,PP,citizen,land,one_stop,internet;mass_media,on_time,no,no,{scale}"
    bad = f"2,2026-02-01,PP,citizen,land,one_stop,internet,late,no,no,{scale}"
    sheet = tmp_path / "forms.csv"
    sheet.write_text("\n".join([head, good, bad]) + "\n", encoding="utf-8")
    r = run("submissions", "import", "PAPER-1", str(sheet))
    assert r.returncode == 1
    assert "line 3, column late_notified: an answer is required" in r.stderr
    sheet.write_text("\n".join([head, good]) + "\n", encoding="utf-8")
    ok = run("submissions", "import", "PAPER-1", str(sheet))
    assert ok.returncode == 0, ok.stderr
    assert "1 form(s) imported, 0 already present" in ok.stdout


def test_report_prints_a_table_and_writes_csv(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("demo", "--submissions", "400", "--seed", "9").returncode == 0
    table = run("report", "DEMO-2026", "--level", "department")
    assert table.returncode == 0, table.stderr
    assert "Sở Tư pháp" in table.stdout
    assert "median" in table.stdout
    out = tmp_path / "r.csv"
    written = run("report", "DEMO-2026", "--format", "csv", "-o", str(out))
    assert written.returncode == 0, written.stderr
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("campaign,unit,name,kind,unit_n,rank,flags,indicator,value")
    book = tmp_path / "r.xlsx"
    written = run(
        "report", "DEMO-2026", "--level", "department", "--format", "xlsx", "-o", str(book)
    )
    assert written.returncode == 0, written.stderr
    import openpyxl

    ranking = openpyxl.load_workbook(book)["Xếp hạng"]
    assert "Sở Tư pháp" in [c.value for c in ranking["C"]]
    wide = run("report", "DEMO-2026", "--level", "department", "--format", "wide", "--sep", ";")
    assert wide.returncode == 0, wide.stderr
    assert wide.stdout.startswith("Nhóm xếp hạng;Hạng;Mã đơn vị")
    needs_file = run("report", "DEMO-2026", "--format", "xlsx")
    assert needs_file.returncode == 1
    assert "-o FILE.xlsx" in needs_file.stderr
    bad = run("report", "NOPE")
    assert bad.returncode == 1
    assert "campaign 'NOPE' does not exist" in bad.stderr
    # The printed report, with the change since last year's campaign.
    pdf = tmp_path / "bao-cao.pdf"
    args = ("--level", "department", "--compare", "DEMO-2025", "--format", "pdf")
    written = run("report", "DEMO-2026", *args, "-o", str(pdf))
    assert written.returncode == 0, written.stderr
    import pypdf

    text = " ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "Bảng xếp hạng: Sở, ban, ngành" in " ".join(text.split())
    assert "so với đợt DEMO-2025" in " ".join(text.split())
    assert run("report", "DEMO-2026", "--format", "pdf").returncode == 1  # needs -o
    # Weighted by dossiers: the demo gives its scope units dossier counts, so the
    # campaign's own figure is post-stratified (the refusal without counts is in
    # tests/reporting/test_weighted.py).
    weighted = run("report", "DEMO-2026", "--aggregate", "weighted", "--format", "json")
    assert weighted.returncode == 0, weighted.stderr
    overall = json.loads(weighted.stdout)["overall"]
    assert overall["aggregate"] == "weighted"
    strata = overall["weighting"]["strata"]
    assert abs(sum(s["weight"] for s in strata) - 1) < 1e-9
    assert all(s["transactions"] > 0 for s in strata)
    # The table prints the campaign's figure and how it was aggregated, at the
    # published precision (two decimals), under the units.
    lines = run("report", "DEMO-2026", "--aggregate", "weighted").stdout.splitlines()
    line = next(t for t in lines if t.startswith("Whole campaign DEMO-2026 (weighted)"))
    low, high = overall["sipas"]["ci"]
    assert f"n={overall['n']}, SIPAS {overall['sipas']['value']:.2f}" in line
    assert f"[{low:.2f}–{high:.2f}]" in line
    assert f"deff {overall['weighting']['deff']:.2f}" in line
    pooled = run("report", "DEMO-2026").stdout
    assert "Whole campaign DEMO-2026 (pooled): n=" in pooled
    assert "deff" not in pooled
    assert "Whole campaign" not in table.stdout  # a level lists no campaign figure
    bogus = run("report", "DEMO-2026", "--aggregate", "heaviest")
    assert bogus.returncode == 1
    assert "--aggregate: 'heaviest' is not one of pooled, mean_of_units, weighted" in bogus.stderr


def test_questionnaire_check_names_the_broken_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = run("questionnaires", "check")
    assert good.returncode == 0
    assert "sipas-2017 v1: 22 criteria in 5 factors" in good.stdout
    broken = tmp_path / "sipas-2017"
    broken.mkdir()
    text = (ROOT / "questionnaires" / "sipas-2017" / "v1.yaml").read_text(encoding="utf-8")
    (broken / "v1.yaml").write_text(
        text.replace("show_if: {timeliness: [late]}", "show_if: {timing: [late]}", 1),
        encoding="utf-8",
    )
    r = run("questionnaires", "check", str(tmp_path))
    assert r.returncode == 1
    assert "sipas-2017/v1.yaml" in r.stderr
    assert "(late_notified).show_if: points at 'timing'" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_bad_database_url_is_one_line_not_a_traceback() -> None:
    env = {**os.environ, "DATABASE_URL": "", "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "campaign", "list"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "error: the database at '' failed" in done.stderr
    assert "Traceback" not in done.stderr


def test_kiosk_and_qr_commands(run: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    assert run("demo", "--submissions", "0").returncode == 0
    enrolled = run(
        "kiosk", "enrol", "demo-s01-q1", "--label", "Tablet 1", "--base-url", "https://x.vn"
    )
    assert enrolled.returncode == 0
    assert "https://x.vn/kiosk/enrol?token=" in enrolled.stdout
    assert "Tablet 1" in run("kiosk", "list").stdout
    assert run("kiosk", "on", "no-such").returncode == 1
    with tempfile.TemporaryDirectory() as tmp:
        svg = run("qr", "DEMO-2026", "--format", "svg", "-o", tmp, "--counter", "demo-s01-q1")
        assert svg.returncode == 0, svg.stderr
        assert (Path(tmp) / "sipas-demo-s01-q1.svg").read_text().startswith("<svg")
        pdf = run("qr", "DEMO-2026", "-o", f"{tmp}/all.pdf")
        assert pdf.returncode == 0, pdf.stderr
        assert (Path(tmp) / "all.pdf").read_bytes().startswith(b"%PDF")
    bad = run("qr", "DEMO-2026", "--format", "gif", "-o", "x")
    assert bad.returncode == 1
    assert "--format must be pdf, svg or png" in bad.stderr


def test_first_admin_and_api_keys_from_the_command_line(
    run: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    short = run("users", "create-admin", "--login", "a@x", "--password-stdin", stdin="short\n")
    assert short.returncode == 1
    assert "password: at least 10 characters" in short.stderr
    ok = run(
        "users",
        "create-admin",
        "--login",
        "Lan@SoNV",
        "--name",
        "Lan",
        "--password-stdin",
        stdin="a long passphrase\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert "admin lan@sonv created (every unit)" in ok.stdout
    again = run("users", "create-admin", "--login", "lan@sonv", "--password-stdin", stdin="x" * 12)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    reset = run("users", "set-password", "LAN@sonv", "--password-stdin", stdin="another long one\n")
    assert reset.returncode == 0, reset.stderr
    assert run("users", "disable", "lan@sonv").returncode == 0
    assert "disabled" in run("users", "list").stdout
    assert run("users", "enable", "lan@sonv").returncode == 0
    assert "does not exist" in run("users", "disable", "nobody").stderr
    # Rich prints tabs as spaces; compare word by word.
    assert "lan@sonv admin * active Lan" in " ".join(run("users", "list").stdout.split())
    key = run("keys", "create", "--label", "PAR team")
    assert key.returncode == 0
    secret = key.stdout.strip().splitlines()[-1]
    assert secret.startswith("sipas_")
    listed = " ".join(run("keys", "list").stdout.split())
    assert secret not in listed
    assert f"{secret[6:14]}… read PAR team active never used" in listed
    pusher = run("keys", "create", "--label", "One-stop shop", "--scope", "write")
    assert pusher.returncode == 0, pusher.stderr
    assert "write API key 2" in pusher.stdout
    assert "write One-stop shop active" in " ".join(run("keys", "list").stdout.split())
    wrong = run("keys", "create", "--label", "x", "--scope", "admin")
    assert wrong.returncode == 1
    assert "scope" in wrong.stderr
    assert run("keys", "revoke", "1").returncode == 0
    assert "revoked" in run("keys", "list").stdout
    assert "does not exist" in run("keys", "revoke", "99").stderr


def test_publish_unpublish_and_editions_from_the_command_line(run) -> None:  # type: ignore[no-untyped-def]
    assert run("demo", "--submissions", "60", "--seed", "3").returncode == 0
    still_open = run("publish", "DEMO-2026")
    assert still_open.returncode == 1
    assert "interim" in still_open.stderr
    first = run("publish", "DEMO-2026", "--interim")
    assert first.returncode == 0, first.stderr
    assert "interim edition 1 published" in first.stdout
    no_note = run("publish", "DEMO-2026", "--interim")
    assert no_note.returncode == 1
    assert "note" in no_note.stderr
    second = run("publish", "DEMO-2026", "--interim", "--note", "two more days")
    assert "interim edition 2 published" in second.stdout, second.stderr
    assert run("unpublish", "DEMO-2026").returncode == 2  # --reason is required
    gone = run("unpublish", "DEMO-2026", "--reason", "announced too early")
    assert "2 edition(s) withdrawn" in gone.stdout, gone.stderr
    listed = run("editions", "DEMO-2026")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert "withdrawn: announced too early" in lines[1]
    assert "two more days" in lines[1]


def test_campaign_complaint_contact_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    units = tmp_path / "u.csv"
    units.write_text("code,name,kind,parent\nHL,Tỉnh HL,province,\n", encoding="utf-8")
    assert run("units", "import", str(units)).returncode == 0
    created = run(
        "campaign",
        "create",
        "HOT-CLI",
        "--name",
        "Hotline",
        "--starts",
        "2026-01-01",
        "--ends",
        "2026-12-31",
        "--unit",
        "HL",
        "--complaint-phone",
        "0203 3825 999",
    )
    assert created.returncode == 0, created.stderr
    bad = run("campaign", "complaint", "HOT-CLI", "--url", "javascript:alert(1)")
    assert bad.returncode == 1
    assert "is not a web address (starting with https:// or http://)" in bad.stderr
    ok = run("campaign", "complaint", "HOT-CLI", "--phone", "1900 1234", "--url", "https://pakn.vn")
    assert ok.returncode == 0, ok.stderr
    assert "complaints to 1900 1234 · https://pakn.vn" in ok.stdout
    cleared = run("campaign", "complaint", "HOT-CLI")
    assert "(none: the generic text only)" in cleared.stdout


def test_campaign_template_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    units = tmp_path / "u.csv"
    units.write_text(
        "code,name,kind,parent\nTT,Tỉnh TT,province,\nTT-S1,Sở Một,department,TT\n",
        encoding="utf-8",
    )
    assert run("units", "import", str(units)).returncode == 0
    created = run(
        "campaign", "create", "TPL-CLI", "--name", "T", "--starts", "2026-01-01",
        "--ends", "2026-12-31", "--unit", "TT", "--open",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    paper_csv = tmp_path / "paper.csv"
    r = run("campaign", "template", "TPL-CLI", "-o", str(paper_csv))
    assert r.returncode == 0, r.stderr
    text = paper_csv.read_bytes().decode("utf-8-sig")
    assert text.startswith("Số phiếu;Ngày;Mã đơn vị;Tên đơn vị;")
    assert ";TT-S1;Sở Một;" in text
    targets = tmp_path / "t.xlsx"
    r = run(
        "campaign", "template", "TPL-CLI", "--kind", "targets", "--lang", "en", "-o", str(targets)
    )
    assert r.returncode == 0, r.stderr
    assert targets.read_bytes()[:4] == b"PK\x03\x04"
    # The untouched template imports nothing and breaks nothing.
    empty = run("submissions", "import", "TPL-CLI", str(paper_csv))
    assert empty.returncode == 0, empty.stderr
    assert "0 form(s) imported" in empty.stdout
    bad = run("campaign", "template", "TPL-CLI", "--format", "ods", "-o", str(targets))
    assert bad.returncode == 1


def test_export_microdata_and_an_editions_report(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("demo", "--submissions", "120", "--seed", "5").returncode == 0
    import openpyxl
    import pypdf
    import pyreadstat

    sav = tmp_path / "m.sav"
    written = run("export", "DEMO-2026", "--format", "sav", "-o", str(sav))
    assert written.returncode == 0, written.stderr
    assert f"wrote {sav}" in written.stdout
    frame, meta = pyreadstat.read_sav(sav)
    # Every response of the campaign (earlier tests' demos add to it), and the progress
    # bar (on stderr, so stdout stays clean) counted them.
    assert len(frame) >= 120
    assert f"{len(frame)}/{len(frame)}" in written.stderr
    assert meta.column_names_to_labels["unit"] == "Mã đơn vị"
    # One unit and those under it: only its responses, here as a workbook in English.
    book = tmp_path / "m.xlsx"
    dept = next(d for d in frame["unit_department"] if d)
    mine = int((frame["unit_department"] == dept).sum())
    assert 0 < mine < len(frame)
    written = run(
        "export", "DEMO-2026", "--format", "xlsx", "--unit", dept, "--lang", "en", "-o", str(book)
    )
    assert written.returncode == 0, written.stderr
    names, labels, *body = openpyxl.load_workbook(book).worksheets[0].iter_rows(values_only=True)
    col = names.index("unit_department")
    assert labels[col] == "Department"
    assert len(body) == mine
    assert {r[col] for r in body} == {dept}
    bad = run("export", "DEMO-2026", "--format", "sas", "-o", str(tmp_path / "m.sas"))
    assert bad.returncode == 1
    assert "--format: 'sas' is not one of csv, xlsx, sav, dta" in bad.stderr
    nobody = run("export", "DEMO-2026", "--format", "csv", "--unit", "NOPE", "-o", str(sav))
    assert nobody.returncode == 1
    assert "unit 'NOPE' does not exist" in nobody.stderr
    # A published edition's documents, as the API's ?edition=N. This module's database
    # is shared, and another test may have published (and withdrawn) editions of
    # DEMO-2026 already: publish one more and read that one.
    published = run("publish", "DEMO-2026", "--interim", "--note", "for the export test")
    assert published.returncode == 0, published.stderr
    found = re.search(r"edition (\d+) published", published.stdout)
    assert found is not None, published.stdout
    n = found.group(1)
    doc = run("report", "DEMO-2026", "--edition", n, "--format", "json")
    assert doc.returncode == 0, doc.stderr
    assert json.loads(doc.stdout)["edition"]["number"] == int(n)
    pdf = tmp_path / "e.pdf"
    args = ("--edition", n, "--level", "department", "--format", "pdf", "-o", str(pdf))
    written = run("report", "DEMO-2026", *args)
    assert written.returncode == 0, written.stderr
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).split())
    assert f"bản công bố số {n}" in text
    assert "NỘI BỘ" not in text
    later = str(int(n) + 5)
    missing = run("report", "DEMO-2026", "--edition", later, "--format", "json")
    assert missing.returncode == 1
    assert f"no edition {later}" in missing.stderr
    recomputed = run("report", "DEMO-2026", "--edition", "1", "--scoring", "mean20")
    assert recomputed.returncode == 1
    assert "--scoring: edition 1 is the results as published" in recomputed.stderr
