"""The questionnaire files: the shipped one is complete, a broken one is named and explained."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.config import ROOT
from app.questionnaires.catalog import Catalog, QuestionnaireError, load_file

SHIPPED = ROOT / "questionnaires" / "sipas-2017" / "v1.yaml"


def test_sipas_2017_has_the_22_criteria_in_5_factors(catalog: Catalog) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    assert [(f.code, len(f.items)) for f in q.factors] == [
        ("TC", 4),
        ("TT", 5),
        ("CC", 6),
        ("KQ", 3),
        ("GY", 4),
    ]
    assert len(q.criteria) == 22
    assert [f.overall_item for f in q.factors] == ["HL_TC", "HL_TT", "HL_CC", "HL_KQ", "HL_GY"]
    assert q.model.scoring.overall_item == "HL"
    assert q.model.scoring.satisfied == [4, 5]
    assert q.not_applicable == 0
    assert q.scale_values == [1, 2, 3, 4, 5]


def test_late_follow_up_is_only_asked_when_late(catalog: Catalog) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    for code in ("late_notified", "late_apology"):
        assert q.visible(code, {"timeliness": "late"})
        assert not q.visible(code, {"timeliness": "on_time"})
        assert not q.visible(code, {})
    assert q.questions["expectations"].max_choices == 3
    assert q.questions["info_channels"].kind == "multi"


def test_every_text_is_in_vietnamese_and_english(catalog: Catalog) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    for question in q.questions.values():
        assert set(question.text) == {"vi", "en"}, question.code
        for option in question.options:
            assert all(option.label.values()), (question.code, option.code)
    assert q.questions["TC1"].text["vi"].startswith("Nơi ngồi chờ")


def _write(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "sipas-2017" / "v1.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _section(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in data["sections"] if s["code"] == code)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: _section(d, "TC")["questions"][0].update(colour="red"),
            "sections[1].questions[0].colour: unknown key",
        ),
        (lambda d: _section(d, "TT")["questions"][1].update(code="TT1"), "duplicate code 'TT1'"),
        (
            lambda d: _section(d, "transaction")["questions"][7].update(
                show_if={"timing": ["late"]}
            ),
            "(late_notified).show_if: points at 'timing'",
        ),
        (
            lambda d: _section(d, "transaction")["questions"][7].update(
                show_if={"timeliness": ["never"]}
            ),
            "(late_notified).show_if: 'timeliness' has no option never",
        ),
        (
            lambda d: _section(d, "CC")["questions"][2]["text"].pop("en"),
            "sections[3].questions[2] (CC3).text: missing translation en",
        ),
        (lambda d: _section(d, "KQ").update(questions=[]), "sections[4] (KQ): has no items"),
        (
            lambda d: _section(d, "GY").update(overall_item="HL_XX"),
            "(GY).overall_item: 'HL_XX' is not a scale question",
        ),
        (
            lambda d: d["scoring"].update(criterion="median"),
            "scoring.criterion: Input should be 'top2box', 'mean20' or 'rescaled'",
        ),
        (lambda d: d.update(version=2), "belongs in sipas-2017/v2.yaml"),
        (
            lambda d: _section(d, "TC").update(breaks=["TC1", "CC2"]),
            "sections[1] (TC).breaks: 'TC1' is not a question of this section after its first",
        ),
    ],
)
def test_a_broken_file_is_rejected_with_its_place(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, mutate)
    with pytest.raises(QuestionnaireError) as exc:
        load_file(path)
    assert str(path) in str(exc.value)
    assert expected in str(exc.value)


def test_invalid_yaml_and_encoding_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "sipas-2017"
    folder.mkdir()
    (folder / "v1.yaml").write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="v1.yaml: not valid YAML"):
        Catalog.load(tmp_path)
    (folder / "v1.yaml").write_bytes("title: Bình".encode("latin-1"))
    with pytest.raises(QuestionnaireError, match="not UTF-8"):
        Catalog.load(tmp_path)


def test_all_broken_files_are_reported_together(tmp_path: Path) -> None:
    for slug in ("a-one", "b-two"):
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "v1.yaml").write_text("slug: x\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as exc:
        Catalog.load(tmp_path)
    assert "a-one/v1.yaml" in str(exc.value)
    assert "b-two/v1.yaml" in str(exc.value)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="no questionnaire files"):
        Catalog.load(tmp_path)


def test_breaks_cut_sections_into_screens_without_touching_what_is_scored(
    catalog: Catalog,
) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    parts = [p.code for p in q.parts]
    assert parts[:4] == ["transaction", "transaction-2", "transaction-3", "TC"]
    assert len(parts) == 17
    # Every question once, in the same order; factors are still whole sections.
    assert [x.code for p in q.parts for x in p.questions] == list(q.questions)
    assert [f.items for f in q.factors][0] == ("TC1", "TC2", "TC3", "TC4")
