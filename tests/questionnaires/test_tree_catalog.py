"""The index tree in the questionnaire files: sipas-2017's derived tree gives today's
figures to the bit, sipas-2023's declared tree gives the 2024 arithmetic, and every
mistake in a tree is refused with its place in the file."""

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from analysis.tree import evaluate, evaluate_one
from app.core.config import ROOT
from app.counts.tally import answer_moments, count_answers
from app.questionnaires.answers import check_answers
from app.questionnaires.catalog import Catalog, Questionnaire, QuestionnaireError, load_file
from app.reporting.figures import KeySpace, figures

SIPAS_2023 = ROOT / "questionnaires" / "sipas-2023" / "v1.yaml"


def _random_units(q: Questionnaire, seed: int, units: int = 40) -> list[list[dict[str, Any]]]:
    """Responses per unit with every scale answer (not applicable and blanks included)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(units):
        rows = []
        for _ in range(int(rng.integers(0, 25))):
            row: dict[str, Any] = {}
            for code in q.scale_items:
                v = int(rng.integers(-1, 6))  # -1: left blank
                if v >= 0:
                    row[code] = v
            rows.append(row)
        out.append(rows)
    return out


@pytest.mark.parametrize("rule", ["top2box", "mean20", "rescaled"])
@pytest.mark.parametrize(
    "variant",
    [{}, {"factor": "overall_item"}, {"sipas": "overall_item"}],
    ids=["criteria_mean", "factor_overall_item", "sipas_overall_item"],
)
def test_sipas_2017_tree_gives_the_reports_figures_to_the_bit(
    catalog: Catalog, rule: str, variant: dict[str, str]
) -> None:
    base = catalog.get("sipas-2017", 1)
    assert base is not None
    # Its own slug: moment layouts are cached per questionnaire version.
    model = base.model.model_copy(
        update={
            "scoring": base.model.scoring.model_copy(update=variant),
            "slug": "-".join(["sipas-2017", *variant]),
        }
    )
    q = Questionnaire(model=model, source=base.source)
    ks = KeySpace(q)
    counts: list[Counter[str]] = []
    moments = []
    for rows in _random_units(q, seed=len(rule) + len(variant)):
        c: Counter[str] = Counter()
        m = np.zeros(ks.layout.size, dtype=np.int64)
        for r in rows:
            c.update(count_answers(q, r, "web"))
            m += answer_moments(q, r)
        counts.append(c)
        moments.append(m if rows else None)
    report = figures(ks, ks.matrix(counts, moments), rule)  # type: ignore[arg-type]
    tree = evaluate(q.tree, counts, rule)  # type: ignore[arg-type]
    assert any(not np.isnan(v) for v in tree["sipas"].value)
    for u, entry in enumerate(report.entries):
        for f in q.factors:
            want = entry["factors"][f.code]["value"]
            got = tree[f.code].value[u]
            assert (want is None and np.isnan(got)) or want == got, (u, f.code)  # bit for bit
        want = entry["sipas"]["value"]
        got = tree["sipas"].value[u]
        assert (want is None and np.isnan(got)) or want == got, u
        for code in q.criteria:
            want = entry["items"][code]["value"]
            assert (want is None and np.isnan(tree[code].value[u])) or want == tree[code].value[u]


def test_sipas_2023_reproduces_the_2024_arithmetic(catalog: Catalog) -> None:
    """Policy 83.84 over 23 items, service 84.09 over 16: the published SIPAS 2024 is
    (23 × 83.84 + 16 × 84.09) / 39 = 83.94; the simple mean would be 83.97."""
    q = catalog.get("sipas-2023", 1)
    assert q is not None
    counts: Counter[str] = Counter()
    for item in q.tree.leaves("policy"):
        counts.update({f"{item}=5": 4000, f"{item}=4": 4384, f"{item}=2": 1616, f"{item}=0": 50})
    for item in q.tree.leaves("service"):
        counts.update({f"{item}=4": 8409, f"{item}=3": 1591})
    v = evaluate_one(q.tree, counts)
    assert v["policy"] == pytest.approx(83.84)
    assert v["service"] == pytest.approx(84.09)
    assert round(v["sipas"], 2) == 83.94  # type: ignore[arg-type]
    assert v["sipas"] == pytest.approx((23 * 83.84 + 16 * 84.09) / 39)
    simple = evaluate_one(q.tree, counts, choose={"sipas": "mean"})
    assert round(simple["sipas"], 2) == 83.97  # type: ignore[arg-type]


def test_sipas_2023_has_the_ministrys_indicators(catalog: Catalog) -> None:
    q = catalog.get("sipas-2023", 1)
    assert q is not None
    tree = q.tree
    assert len(tree.leaves("policy")) == 23
    assert len(tree.leaves("service")) == 16
    groups = {c: len(tree.leaves(c)) for c in tree.nodes if c.startswith("I")}
    assert groups == {
        "I_A": 2, "I_B": 2, "I_C": 9, "I_D": 10,
        "II_A": 3, "II_B": 4, "II_C": 3, "II_D": 3, "II_E": 3,
    }  # fmt: skip
    # Satisfaction: 39 items + 9 groups + 2 aspects + 1 SIPAS = 51.
    assert sum(tree.counts().values()) == 51
    # Expectation: the ten 4-level items of Câu 10.
    expectations = [
        c
        for s in q.model.sections
        if s.report == "expectations"
        for c in (x.code for x in s.questions)
    ]
    assert len(expectations) == 10
    # Perception, one indicator per rated item, option of a choice, yes/no experience:
    # Câu 1 (9) + 2 (7 channels) + 3 (7) + 4 (4) + 5 (3) + 6 (3) + 7 (3) + 8 (7) = 43,
    # the Ministry's 42 if "another channel" is counted once (sipas-sources.md §4.2 F6).
    perception = 0
    for s in q.model.sections:
        if s.report != "perception" or s.code in tree.nodes:
            continue
        for question in s.questions:
            if question.kind == "scale":
                perception += 1
            elif question.option_codes == ["yes", "no"]:
                perception += 1
            else:
                perception += len(question.options)
    assert perception == 43
    assert q.answers_of("C1_economy") == frozenset({1, 2, 3, 4})
    assert q.answers_of("P01") == frozenset({0, 1, 2, 3, 4, 5})
    assert q.declares_tree


def write_2023(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(SIPAS_2023.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "sipas-2023" / "v1.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _node(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(n for n in data["scoring"]["tree"]["nodes"] if n["code"] == code)


def set_node(code: str, **values: Any):  # type: ignore[no-untyped-def]
    return lambda d: _node(d, code).update(values)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (set_node("I_A", of=["P01", "P02", "PX"]), "nodes[3] (I_A).of: 'PX' is neither a node nor an item"),
        (set_node("service", of=["II_A", "II_B", "II_C", "II_D", "II_E", "policy"]),
         "nodes[2] (service).of: node 'policy' is already under 'sipas'"),
        (set_node("I_B", of=["P03", "P04", "policy"]), "cycle: policy → I_B → policy"),
        (set_node("I_B", of=["P03", "P04", "P01"]), "nodes[4] (I_B).of: item 'P01' is already under 'I_A'"),
        (lambda d: d["scales"]["interest"].update(satisfied=[]) or _node(d, "I_A")["of"].append("C1_economy"),
         "scales.interest.satisfied: none, but item 'C1_economy' is scored on it"),
        (set_node("I_A", aggregate="top2box_of", of=[], item="HL"),
         "nodes[3] (I_A).item: top2box_of names 'HL', which is not an item"),
        (lambda d: d["scoring"]["tree"].update(root="index"), "scoring.tree.root: root 'index' is not a node"),
        (set_node("I_A", of=["P01", "P02", "gender"]), "'gender' is a single question; only scale questions"),
        (set_node("sipas", choices=["top2box_of"]), "nodes[0] (sipas).choices: 'top2box_of' cannot replace"),
        (lambda d: d["sections"][0]["questions"][0]["ends_form"].update(when=["minor"]),
         "(adult).ends_form.when: no option minor"),
        (lambda d: d["sections"][2]["questions"][0].update(scale="likert7"),
         "(C1_economy).scale: 'likert7' is not a scale in `scales`"),
        (lambda d: d["sections"][2].update(factor=True),
         "sections[2] (c1).factor: a questionnaire with scoring.tree has no factor sections"),
    ],
    ids=["unknown", "node-twice", "cycle", "item-twice", "no-satisfied", "missing-item", "root",
         "not-scale", "bad-choice", "ends-form", "unknown-scale", "factor-and-tree"],
)  # fmt: skip
def test_a_broken_tree_is_named_with_its_place(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QuestionnaireError) as err:
        load_file(write_2023(tmp_path, mutate))
    assert expected in str(err.value)
    assert "sipas-2023/v1.yaml" in str(err.value)


def test_a_minor_ends_the_form_and_a_full_answer_is_taken(catalog: Catalog) -> None:
    q = catalog.get("sipas-2023", 1)
    assert q is not None
    minor = check_answers(q, {"adult": "no"})
    assert [(e.loc, e.key) for e in minor] == [("answers.adult", "answer_ends_form")]
    adult = {"adult": "yes", "C1_economy": 4, "P01": 5, "S39": 0, "C5": "some", "C8_school": "no"}
    assert check_answers(q, adult) == []
    wrong = check_answers(q, {"adult": "yes", "C1_economy": 5, "C10_digital": 0})
    assert [(e.loc, e.key) for e in wrong] == [
        ("answers.C1_economy", "answer_not_on_scale_no_na"),
        ("answers.C10_digital", "answer_not_on_scale_no_na"),
    ]
    assert "integer 1–4" in str(wrong[0].msg)


def test_sipas_2023_tree_from_tallied_responses_matches_a_hand_count(catalog: Catalog) -> None:
    """Responses counted as the fold counts them (count_answers), then the tree: the
    same figures as counting satisfied answers by hand."""
    q = catalog.get("sipas-2023", 1)
    assert q is not None
    rng = np.random.default_rng(2023)
    items = q.tree.scored_items
    rows = []
    for _ in range(60):
        row: dict[str, Any] = {"adult": "yes"}
        for code in items:
            v = int(rng.integers(-1, 6))
            if v >= 0:
                row[code] = v
        rows.append(row)
    counts: Counter[str] = Counter()
    for r in rows:
        counts.update(count_answers(q, r, "web"))
    got = evaluate_one(q.tree, counts)

    def item(code: str) -> float:
        valid = [r[code] for r in rows if r.get(code, 0) != 0]
        return 100 * sum(v >= 4 for v in valid) / len(valid)

    def group(code: str) -> float:
        return sum(item(i) for i in q.tree.nodes[code].children) / len(q.tree.nodes[code].children)

    def aspect(code: str) -> float:
        groups = q.tree.nodes[code].children
        sizes = [len(q.tree.nodes[g].children) for g in groups]
        return sum(n * group(g) for n, g in zip(sizes, groups, strict=True)) / sum(sizes)

    for g in ("I_A", "I_C", "II_E"):
        assert got[g] == pytest.approx(group(g))
    assert got["policy"] == pytest.approx(aspect("policy"))
    assert got["sipas"] == pytest.approx((23 * aspect("policy") + 16 * aspect("service")) / 39)
    assert got["sipas"] == pytest.approx(sum(item(i) for i in items) / 39)


def test_paper_labels_follow_each_questions_own_scale(catalog: Catalog) -> None:
    from app.collection.paper import option_labels

    q = catalog.get("sipas-2023", 1)
    assert q is not None
    labels = option_labels(q)
    assert labels["C1_economy"]["khá quan tâm theo dõi"] == 2
    assert "hài lòng" not in labels["C1_economy"]
    assert labels["P01"]["hài lòng"] == 4
    assert labels["P01"]["không biết / không trả lời"] == 0
