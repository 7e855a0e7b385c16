"""Questionnaires as data: load, validate and look up `questionnaires/<slug>/v<N>.yaml`.

Every file is checked at start-up and in the tests. A broken file raises
`QuestionnaireError` whose message names the file and the place in it
(`sections[2].questions[0].show_if`), so whoever edits the YAML can fix it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Connection, event
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from analysis.tree import Aggregation, IndexTree, ItemScale, Node

CODE = r"^[A-Za-z0-9_]+$"
Code = Annotated[str, Field(pattern=CODE, max_length=40)]
Text = dict[str, str]
FILE_NAME = re.compile(r"^v(\d+)\.ya?ml$")
# The root of a tree derived from factor sections.
ROOT = "sipas"
# A report's rate of a rating question's satisfied (top two) levels, beside each level's.
TOP = "top2"
TOP_LABEL = {"vi": "Hai mức cao nhất", "en": "Top two levels"}


# How a criterion is scored: the questionnaire says which, a report may override it.
Rule = Literal["top2box", "mean20", "rescaled"]


class QuestionnaireError(ValueError):
    """A questionnaire file is malformed; the message says where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    code: Code
    label: Text


class ScaleOption(_Strict):
    code: int
    label: Text


class Scale(_Strict):
    options: list[ScaleOption] = Field(min_length=2)
    not_applicable: ScaleOption

    @property
    def values(self) -> list[int]:
        return [o.code for o in self.options]


class NamedScale(_Strict):
    """A scale other than the main one (`scales:`): 3-, 4-level or yes/no ratings, each
    with its own satisfied values (needed when an item on it is scored) and, if it has
    one, its own not-applicable code."""

    options: list[ScaleOption] = Field(min_length=2)
    not_applicable: ScaleOption | None = None
    satisfied: list[int] = Field(default_factory=list)

    @property
    def values(self) -> list[int]:
        return [o.code for o in self.options]


class TreeNode(_Strict):
    """One inner node of `scoring.tree`: a group, an aspect or the overall index."""

    code: Code
    title: Text
    aggregate: Aggregation = "mean"
    # The children (node or item codes), or for `top2box_of` the one item it scores.
    of: list[Code] = Field(default_factory=list)
    item: Code | None = None
    # Other aggregations a report may choose for this node instead of `aggregate`.
    choices: list[Aggregation] = Field(default_factory=list)


class TreeSpec(_Strict):
    """`scoring.tree`: the index as a tree of items, groups, aspects and the overall."""

    root: Code
    nodes: list[TreeNode] = Field(min_length=1)


class TimelinessRule(_Strict):
    """Which question and options give the early / on-time / late rates."""

    question: Code
    early: Code
    on_time: Code
    late: Code


class Scoring(_Strict):
    satisfied: list[int] = Field(min_length=1)
    criterion: Rule = "top2box"
    factor: Literal["criteria_mean", "overall_item"] = "criteria_mean"
    sipas: Literal["factors_mean", "overall_item"] = "factors_mean"
    overall_item: Code | None = None
    min_sample: int = Field(default=30, ge=1)
    timeliness: TimelinessRule | None = None
    # Declared index tree; without it the tree is derived from the factor sections.
    tree: TreeSpec | None = None


class EndsForm(_Strict):
    """An eligibility question: these answers end the form with `text` (nothing is sent)."""

    when: list[Code] = Field(min_length=1)
    text: Text


class Question(_Strict):
    code: Code
    kind: Literal["scale", "single", "multi", "text"] = "scale"
    required: bool = True
    text: Text
    # kind scale: the name of its scale in `scales` (None: the main `scale`).
    scale: Code | None = None
    ends_form: EndsForm | None = None
    options: list[Option] = Field(default_factory=list)
    show_if: dict[Code, list[Code]] | None = None
    min_choices: int | None = Field(default=None, ge=0)
    max_choices: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=1, le=10_000)
    # kind text: the answer is a citizen's comment (listed, exported and counted as one);
    # other free text (a procedure's name) is an answer, not a comment.
    comment: bool = False

    @model_validator(mode="after")
    def _kind_fits(self) -> Question:
        choice = self.kind in ("single", "multi")
        if choice and not self.options:
            raise ValueError(f"question {self.code!r} of kind {self.kind} has no options")
        if not choice and self.options:
            raise ValueError(f"question {self.code!r} of kind {self.kind} cannot have options")
        if self.kind != "multi" and (self.min_choices is not None or self.max_choices is not None):
            raise ValueError(
                f"min_choices/max_choices only apply to multi (question {self.code!r})"
            )
        if self.kind != "text" and self.max_length is not None:
            raise ValueError(f"max_length only applies to text (question {self.code!r})")
        if self.kind != "text" and self.comment:
            raise ValueError(f"comment only applies to text (question {self.code!r})")
        if self.kind != "scale" and self.scale is not None:
            raise ValueError(f"scale only applies to kind scale (question {self.code!r})")
        if self.kind != "single" and self.ends_form is not None:
            raise ValueError(f"ends_form only applies to single (question {self.code!r})")
        return self

    @cached_property
    def option_codes(self) -> list[str]:
        # Cached (the model is frozen): every submission checks its answers against it.
        return [o.code for o in self.options]


class Section(_Strict):
    code: Code
    title: Text
    factor: bool = False
    # Where the section's choice questions appear in the indices report.
    report: Literal["perception", "expectations", "respondents"] = "perception"
    overall_item: Code | None = None
    questions: list[Question]
    # Presentation only: the questions that begin a new screen (a "part") inside
    # this section, so a long section fits a phone. Scoring never looks at it.
    breaks: list[Code] = Field(default_factory=list)


class QuestionnaireModel(_Strict):
    slug: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    version: int = Field(ge=1)
    basis: str | None = None
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(min_length=1)
    title: Text
    intro: Text
    scale: Scale
    scales: dict[Code, NamedScale] = Field(default_factory=dict)
    scoring: Scoring
    sections: list[Section] = Field(min_length=1)


@dataclass(frozen=True)
class Factor:
    """A factor of the satisfaction index with its criterion codes."""

    code: str
    title: Text
    items: tuple[str, ...]
    overall_item: str | None


@dataclass(frozen=True)
class Group:
    """An inner node of the index tree below the overall index, as the reports read it:
    a factor of sipas-2017, a group or an aspect of sipas-2023.

    `items` are the items directly under it when all its children are items (Cronbach's
    alpha is computed over them; for a 2017 factor: its criteria, whatever the factor
    rule); `leaves` every item its value reads; `item` the one item of a ``top2box_of``
    node (a 2017 factor's own overall item, scored or not)."""

    code: str
    title: Text
    items: tuple[str, ...]
    leaves: tuple[str, ...]
    children: tuple[str, ...]
    parent: str | None
    aggregation: Aggregation
    item: str | None


@dataclass(frozen=True)
class Part:
    """One screen of the questionnaire: a section, or a piece of one (`breaks`)."""

    section: Section
    questions: tuple[Question, ...]
    piece: int  # 1 for the section's first screen
    pieces: int

    @property
    def code(self) -> str:
        return self.section.code if self.piece == 1 else f"{self.section.code}-{self.piece}"


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire version with the look-ups the service needs."""

    model: QuestionnaireModel
    source: Path

    @property
    def slug(self) -> str:
        return self.model.slug

    @property
    def version(self) -> int:
        return self.model.version

    @property
    def languages(self) -> list[str]:
        return self.model.languages

    @cached_property
    def questions(self) -> dict[str, Question]:
        """Every question by code, in presentation order."""
        return {q.code: q for s in self.model.sections for q in s.questions}

    @cached_property
    def parts(self) -> tuple[Part, ...]:
        """The screens a respondent goes through, in order."""
        out: list[Part] = []
        for s in self.model.sections:
            pieces: list[list[Question]] = []
            for q in s.questions:
                if not pieces or q.code in s.breaks:
                    pieces.append([])
                pieces[-1].append(q)
            out += [Part(s, tuple(p), i + 1, len(pieces)) for i, p in enumerate(pieces)]
        return tuple(out)

    @cached_property
    def factors(self) -> tuple[Factor, ...]:
        return tuple(
            Factor(s.code, s.title, tuple(q.code for q in s.questions), s.overall_item)
            for s in self.model.sections
            if s.factor
        )

    @cached_property
    def criteria(self) -> tuple[str, ...]:
        """The items of the index, in order: the criteria of all factors, or the items
        a declared tree's means read (not an item only a ``top2box_of`` node scores)."""
        if self.declares_tree:
            return self.members
        return tuple(code for f in self.factors for code in f.items)

    @cached_property
    def groups(self) -> tuple[Group, ...]:
        """The tree's inner nodes below the root, parents before children (the factors,
        for a questionnaire without a declared tree), then any the root does not reach."""
        tree = self.tree
        if not self.declares_tree:
            return tuple(
                Group(
                    f.code,
                    f.title,
                    f.items,
                    tree.leaves(f.code),
                    tree.nodes[f.code].children or (tree.nodes[f.code].item or "",),
                    tree.root,
                    tree.nodes[f.code].aggregation,
                    f.overall_item,
                )
                for f in self.factors
            )
        parent = {c: n.code for n in tree.nodes.values() for c in n.children}
        order = [c for c in tree.walk() if c in tree.nodes and c != tree.root]
        order += [c for c in tree.nodes if c not in order and c != tree.root]
        out = []
        for code in order:
            node = tree.nodes[code]
            direct = node.children if all(c in tree.items for c in node.children) else ()
            out.append(
                Group(
                    code,
                    self.node_title(code),
                    direct,
                    tree.leaves(code),
                    node.children,
                    parent.get(code),
                    node.aggregation,
                    node.item,
                )
            )
        return tuple(out)

    @cached_property
    def members(self) -> tuple[str, ...]:
        """The items the composites (the groups and the overall index that are means)
        are means of, once each, in order: their pair moments are kept per unit."""
        tree = self.tree
        codes = [tree.root, *(g.code for g in self.groups)]
        return tuple(
            dict.fromkeys(
                leaf
                for c in codes
                if tree.nodes[c].aggregation != "top2box_of"
                for leaf in tree.leaves(c)
            )
        )

    @cached_property
    def index_items(self) -> tuple[str, ...]:
        """Every item a report scores: the criteria, then the overall items (a factor's or
        the index's own question; a declared tree's ``top2box_of`` items)."""
        if self.declares_tree:
            extra = [n.item for n in self.tree.nodes.values() if n.item]
        else:
            sc = self.model.scoring
            extra = [f.overall_item for f in self.factors if f.overall_item]
            extra += [sc.overall_item] if sc.overall_item else []
        return (*self.criteria, *(c for c in dict.fromkeys(extra) if c not in self.criteria))

    @cached_property
    def alpha_groups(self) -> tuple[Group, ...]:
        """The groups Cronbach's alpha is kept for: those whose children are items."""
        return tuple(g for g in self.groups if g.items)

    @cached_property
    def item_values(self) -> frozenset[int]:
        """Every value an index item can be scored on (not-applicable excluded)."""
        return frozenset(v for c in self.index_items for v in self.tree.items[c].values)

    def satisfied_mask(self, codes: Sequence[str], x: Any) -> Any:
        """Of a responses × `codes` matrix of answers, which are each item's satisfied
        values (one comparison per distinct scale, not per item)."""
        import numpy as np

        out = np.zeros(np.shape(x), dtype=bool)
        by_scale: dict[tuple[int, ...], list[int]] = {}
        for i, c in enumerate(codes):
            by_scale.setdefault(self.tree.items[c].satisfied, []).append(i)
        for satisfied, cols in by_scale.items():
            if len(cols) == len(codes):
                out = np.isin(x, satisfied)
            else:
                out[:, cols] = np.isin(x[:, cols], satisfied)
        return out

    def item_scale(self, code: str) -> ItemScale:
        """The scale item `code` is scored on: values, satisfied values, not-applicable."""
        return self.tree.items[code]

    @cached_property
    def scale_items(self) -> tuple[str, ...]:
        """Every question on the satisfaction scale (criteria and overall items), in order."""
        return tuple(c for c, q in self.questions.items() if q.kind == "scale")

    @cached_property
    def scale_values(self) -> list[int]:
        return self.model.scale.values

    @cached_property
    def scale_answers(self) -> frozenset[int]:
        """Every valid scale answer: the scale values and not-applicable."""
        return frozenset([*self.scale_values, self.not_applicable])

    @property
    def not_applicable(self) -> int:
        return self.model.scale.not_applicable.code

    def scale_of(self, code: str) -> tuple[list[ScaleOption], ScaleOption | None, list[int]]:
        """Options, not-applicable option (None: none) and satisfied values of the
        scale that question `code` (of kind scale) is answered on."""
        name = self.questions[code].scale
        if name is None:
            m = self.model
            return m.scale.options, m.scale.not_applicable, m.scoring.satisfied
        named = self.model.scales[name]
        return named.options, named.not_applicable, named.satisfied

    def answers_of(self, code: str) -> frozenset[int]:
        """Every valid answer to scale question `code`: its values and not-applicable."""
        found = self._answers.get(code)
        if found is None:
            options, na, _ = self.scale_of(code)
            found = frozenset([o.code for o in options] + ([na.code] if na else []))
            self._answers[code] = found
        return found

    @cached_property
    def _answers(self) -> dict[str, frozenset[int]]:
        # answers_of per scale question, built once: each submission asks for every one.
        return {}

    @property
    def declares_tree(self) -> bool:
        """Whether the file declares `scoring.tree` (else it is derived from factors)."""
        return self.model.scoring.tree is not None

    @cached_property
    def tree(self) -> IndexTree:
        """The index tree: declared in `scoring.tree`, or derived from the factor sections
        (factor = mean of its criteria or its overall item; SIPAS = mean of the factors or
        the overall item, as `scoring` says)."""
        items = {}
        for code, question in self.questions.items():
            if question.kind == "scale" and question.scale in (None, *self.model.scales):
                options, na, satisfied = self.scale_of(code)
                items[code] = ItemScale(
                    tuple(o.code for o in options), tuple(satisfied), na.code if na else None
                )
        spec = self.model.scoring.tree
        if spec is not None:
            nodes = {
                n.code: Node(n.code, tuple(n.of), n.aggregate, n.item, tuple(n.choices))
                for n in spec.nodes
            }
            return IndexTree(spec.root, nodes, items)
        sc = self.model.scoring
        derived: dict[str, Node] = {}
        for f in self.factors:
            if sc.factor == "overall_item" and f.overall_item:
                derived[f.code] = Node(f.code, aggregation="top2box_of", item=f.overall_item)
            else:
                derived[f.code] = Node(f.code, f.items)
        if sc.sipas == "overall_item" and sc.overall_item:
            derived[ROOT] = Node(ROOT, aggregation="top2box_of", item=sc.overall_item)
        else:
            derived[ROOT] = Node(ROOT, tuple(f.code for f in self.factors))
        return IndexTree(ROOT, {ROOT: derived.pop(ROOT), **derived}, items)

    def node_title(self, code: str) -> Text:
        """The title of a tree node (a factor's section title when derived)."""
        spec = self.model.scoring.tree
        if spec is not None:
            found = {n.code: n.title for n in spec.nodes}
            if code in found:
                return found[code]
        for f in self.factors:
            if f.code == code:
                return f.title
        if code in self.questions:
            return self.questions[code].text
        return dict.fromkeys(self.languages, "SIPAS")

    def report_questions(self, block: str) -> list[Question]:
        """Questions reported in `block` (perception, expectations, respondents): choice
        questions, and rating questions that are not items of the index (their levels'
        shares)."""
        scored = set(self.index_items)
        return [
            q
            for s in self.model.sections
            if not s.factor and s.report == block
            for q in s.questions
            if q.kind in ("single", "multi") or (q.kind == "scale" and q.code not in scored)
        ]

    def report_options(self, question: Question) -> list[Option]:
        """The answers a report gives a rate for, with their labels: a choice question's
        options; a rating question's levels, then its top two (satisfied) levels."""
        if question.kind != "scale":
            return list(question.options)
        options, _, satisfied = self.scale_of(question.code)
        out = [Option(code=str(o.code), label=o.label) for o in options]
        if satisfied:
            out.append(Option(code=TOP, label=TOP_LABEL))
        return out

    def answer_codes(self, code: str) -> list[str]:
        """The answers a report counts for question `code`: its option codes, or for a
        rating question its scale's values (not-applicable left out)."""
        question = self.questions[code]
        if question.kind == "scale":
            return [str(o.code) for o in self.scale_of(code)[0]]
        return list(question.option_codes)

    def visible(self, code: str, answers: dict[str, Any]) -> bool:
        """Whether question `code` is asked, given the answers so far."""
        cond = self.questions[code].show_if
        if not cond:
            return True
        for ref, allowed in cond.items():
            given = answers.get(ref)
            chosen = given if isinstance(given, list) else [given]
            if not any(c in allowed for c in chosen):
                return False
        return True

    def public(self) -> dict[str, Any]:
        """The JSON shape of `GET /api/v1/questionnaires/{slug}/{version}`."""
        m = self.model
        scale = [{"code": o.code, "label": o.label} for o in m.scale.options]
        na = {"code": m.scale.not_applicable.code, "label": m.scale.not_applicable.label}
        criteria = set(self.criteria)

        def question(q: Question) -> dict[str, Any]:
            out: dict[str, Any] = {
                "code": q.code,
                "kind": q.kind,
                "text": q.text,
                "required": q.required,
                "options": [{"code": o.code, "label": o.label} for o in q.options],
                "show_if": q.show_if,
            }
            if q.kind == "multi":
                out["min_choices"] = q.min_choices
                out["max_choices"] = q.max_choices
            if q.kind == "text":
                out["max_length"] = q.max_length
            if q.scale is not None:
                out["scale"] = q.scale
            if q.ends_form is not None:
                out["ends_form"] = q.ends_form.model_dump()
            return out

        return {
            "slug": m.slug,
            "version": m.version,
            "basis": m.basis,
            "languages": m.languages,
            "title": m.title,
            "intro": m.intro,
            "scale": {"options": scale, "not_applicable": na},
            **({"scales": {k: v.model_dump() for k, v in m.scales.items()}} if m.scales else {}),
            "scoring": m.scoring.model_dump(),
            "factors": [
                {
                    "code": f.code,
                    "title": f.title,
                    "overall_item": f.overall_item,
                    "items": [
                        {
                            "code": c,
                            "text": self.questions[c].text,
                            "required": self.questions[c].required,
                        }
                        for c in f.items
                    ],
                }
                for f in self.factors
            ],
            "questions": [question(q) for q in self.questions.values() if q.code not in criteria],
            "sections": [
                {
                    "code": s.code,
                    "title": s.title,
                    "factor": s.factor,
                    "questions": [q.code for q in s.questions],
                }
                for s in m.sections
            ],
        }


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _texts(model: QuestionnaireModel) -> Iterator[tuple[str, Text]]:
    yield "title", model.title
    yield "intro", model.intro
    for i, o in enumerate(model.scale.options):
        yield f"scale.options[{i}].label", o.label
    yield "scale.not_applicable.label", model.scale.not_applicable.label
    for name, named in model.scales.items():
        for i, o in enumerate(named.options):
            yield f"scales.{name}.options[{i}].label", o.label
        if named.not_applicable is not None:
            yield f"scales.{name}.not_applicable.label", named.not_applicable.label
    if model.scoring.tree is not None:
        for ni, n in enumerate(model.scoring.tree.nodes):
            yield f"scoring.tree.nodes[{ni}] ({n.code}).title", n.title
    for si, s in enumerate(model.sections):
        yield f"sections[{si}].title", s.title
        for qi, q in enumerate(s.questions):
            where = f"sections[{si}].questions[{qi}] ({q.code})"
            yield f"{where}.text", q.text
            for oi, opt in enumerate(q.options):
                yield f"{where}.options[{oi}].label", opt.label
            if q.ends_form is not None:
                yield f"{where}.ends_form.text", q.ends_form.text


def _check(model: QuestionnaireModel) -> list[str]:
    """Cross-references that a schema alone cannot express."""
    problems = _check_texts(model) + _check_scale(model)
    section_problems, earlier = _check_sections(model)
    return problems + section_problems + _check_scoring(model, earlier)


def _check_texts(model: QuestionnaireModel) -> list[str]:
    """Every text in every language of the file, none empty."""
    problems: list[str] = []
    langs = set(model.languages)
    for where, text in _texts(model):
        missing = sorted(langs - text.keys())
        extra = sorted(text.keys() - langs)
        if missing:
            problems.append(f"{where}: missing translation {', '.join(missing)}")
        if extra:
            problems.append(f"{where}: language {', '.join(extra)} is not in `languages`")
        problems += [f"{where}.{lang}: empty text" for lang, t in text.items() if not t.strip()]
    return problems


def _check_scale(model: QuestionnaireModel) -> list[str]:
    """Distinct scale codes, and the satisfied ones among them."""
    problems: list[str] = []
    values = model.scale.values
    if len(set(values)) != len(values) or model.scale.not_applicable.code in values:
        problems.append("scale: option codes must be distinct, and differ from not_applicable")
    if not set(model.scoring.satisfied) <= set(values):
        problems.append(f"scoring.satisfied: {model.scoring.satisfied} are not all scale values")
    for name, named in model.scales.items():
        codes = named.values
        na = named.not_applicable
        if len(set(codes)) != len(codes) or (na is not None and na.code in codes):
            problems.append(
                f"scales.{name}: option codes must be distinct, and differ from not_applicable"
            )
        if not set(named.satisfied) <= set(codes):
            problems.append(f"scales.{name}.satisfied: {named.satisfied} are not all scale values")
    return problems


def _check_sections(model: QuestionnaireModel) -> tuple[list[str], dict[str, Question]]:
    """Unique codes, factors of scale items; returns the questions by code, in order."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    earlier: dict[str, Question] = {}
    for si, s in enumerate(model.sections):
        where_s = f"sections[{si}] ({s.code})"
        if s.code in seen:
            problems.append(f"{where_s}: duplicate code {s.code!r}, already used at {seen[s.code]}")
        seen.setdefault(s.code, where_s)
        if not s.questions:
            problems.append(
                f"{where_s}: has no items" if s.factor else f"{where_s}: has no questions"
            )
        if s.overall_item and not s.factor:
            problems.append(f"{where_s}.overall_item: only a factor has an overall item")
        for qi, q in enumerate(s.questions):
            where = f"sections[{si}].questions[{qi}] ({q.code})"
            problems += _check_question(where, s, q, seen, earlier, model.scales.keys())
            earlier[q.code] = q
        own = [q.code for q in s.questions]
        for code in s.breaks:
            if code not in own[1:]:
                problems.append(
                    f"{where_s}.breaks: {code!r} is not a question of this section after its first"
                )
    return problems, earlier


def _check_question(
    where: str,
    s: Section,
    q: Question,
    seen: dict[str, str],
    earlier: dict[str, Question],
    scales: AbstractSet[str],
) -> list[str]:
    """One question: its code, kind, options, and show_if pointing at an earlier choice."""
    problems: list[str] = []
    if q.code in seen:
        problems.append(f"{where}: duplicate code {q.code!r}, already used at {seen[q.code]}")
    seen.setdefault(q.code, where)
    if s.factor and q.kind != "scale":
        problems.append(f"{where}: a factor's items must be of kind scale")
    if q.scale is not None and q.scale not in scales:
        problems.append(f"{where}.scale: {q.scale!r} is not a scale in `scales`")
    if s.factor and q.scale is not None:
        problems.append(f"{where}.scale: a factor's items are on the main scale")
    if q.ends_form is not None:
        bad_end = sorted(set(q.ends_form.when) - set(q.option_codes))
        if bad_end:
            problems.append(f"{where}.ends_form.when: no option {', '.join(bad_end)}")
        if q.show_if or not q.required:
            problems.append(f"{where}.ends_form: the question must be required and always asked")
    opts = q.option_codes
    dups = sorted({c for c in opts if opts.count(c) > 1})
    if dups:
        problems.append(f"{where}.options: duplicate option code {', '.join(dups)}")
    if q.max_choices is not None and q.max_choices > len(opts):
        problems.append(f"{where}.max_choices: larger than the number of options")
    for ref, allowed in (q.show_if or {}).items():
        target = earlier.get(ref)
        if target is None:
            problems.append(
                f"{where}.show_if: points at {ref!r}, which is not a question asked before it"
            )
            continue
        if target.kind not in ("single", "multi"):
            problems.append(f"{where}.show_if: {ref!r} is not a choice question")
            continue
        bad = sorted(set(allowed) - set(target.option_codes))
        if bad:
            problems.append(f"{where}.show_if: {ref!r} has no option {', '.join(bad)}")
    return problems


def _check_scoring(model: QuestionnaireModel, earlier: dict[str, Question]) -> list[str]:
    """Overall items, the timeliness question and the scoring rules name real questions."""
    problems: list[str] = []
    scale_codes = {c for c, q in earlier.items() if q.kind == "scale"}
    for si, s in enumerate(model.sections):
        if s.overall_item and s.overall_item not in scale_codes:
            problems.append(
                f"sections[{si}] ({s.code}).overall_item: {s.overall_item!r} is not a scale question"
            )
    factors = [s for s in model.sections if s.factor]
    if model.scoring.tree is not None:
        problems += _check_tree(model, model.scoring.tree, earlier)
        problems += [
            f"sections[{si}] ({s.code}).factor: a questionnaire with scoring.tree has no "
            "factor sections (the tree says how items are grouped)"
            for si, s in enumerate(model.sections)
            if s.factor
        ]
    elif not factors:
        problems.append("sections: no factor (a section with `factor: true`), and no scoring.tree")
    sc = model.scoring
    if sc.overall_item and sc.overall_item not in scale_codes:
        problems.append(f"scoring.overall_item: {sc.overall_item!r} is not a scale question")
    if sc.timeliness is not None:
        t = earlier.get(sc.timeliness.question)
        if t is None or t.kind != "single":
            problems.append(
                f"scoring.timeliness.question: {sc.timeliness.question!r} is not a single-choice question"
            )
        else:
            for role in ("early", "on_time", "late"):
                if getattr(sc.timeliness, role) not in t.option_codes:
                    problems.append(
                        f"scoring.timeliness.{role}: {sc.timeliness.question!r} has no option "
                        f"{getattr(sc.timeliness, role)!r}"
                    )
    if sc.sipas == "overall_item" and not sc.overall_item:
        problems.append("scoring.sipas: overall_item requires scoring.overall_item")
    if sc.factor == "overall_item":
        problems += [
            f"scoring.factor: overall_item requires factor {s.code!r} to name its overall_item"
            for s in factors
            if not s.overall_item
        ]
    return problems


def _check_tree(
    model: QuestionnaireModel, spec: TreeSpec, earlier: dict[str, Question]
) -> list[str]:
    """`scoring.tree`: the checks of analysis/tree.py, placed in the file, and every
    scored item on a scale with satisfied values."""
    problems: list[str] = []
    where_of: dict[str, str] = {}
    for ni, n in enumerate(spec.nodes):
        where = f"scoring.tree.nodes[{ni}] ({n.code})"
        if n.code in where_of:
            problems.append(f"{where}: duplicate node {n.code!r}, already at {where_of[n.code]}")
        where_of.setdefault(n.code, where)
        if n.code in earlier and earlier[n.code].kind != "scale":
            problems.append(f"{where}: {n.code!r} is a question, not a node")
    q = Questionnaire(model=model, source=Path())
    tree = q.tree
    for problem in tree.problems():
        if problem.field == "items":
            continue  # the scales are checked below, with their place in the file
        if problem.node is None:
            problems.append(f"scoring.tree.{problem.field}: {problem.message}")
        else:
            field = {"children": "of"}.get(problem.field, problem.field)
            problems.append(f"{where_of[problem.node]}.{field}: {problem.message}")
    for child in {c for n in spec.nodes for c in n.of} | {n.item for n in spec.nodes if n.item}:
        question = earlier.get(child)
        if question is not None and question.kind != "scale":
            problems.append(
                f"scoring.tree: {child!r} is a {question.kind} question; only scale "
                "questions are items of the tree"
            )
    if tree.root in tree.nodes and not problems:
        scored = tree.scored_items
        for code in scored:
            name = earlier[code].scale
            named = model.scales[name] if name is not None else None
            if named is not None and not named.satisfied:
                problems.append(
                    f"scales.{name}.satisfied: none, but item {code!r} is scored on it "
                    "(scoring.tree)"
                )
            values = named.values if named is not None else model.scale.values
            if min(values) < 1 or max(values) > 100:
                # The fold keeps answers as small positive integers, 0 meaning none.
                place = f"scales.{name}.options" if named is not None else "scale.options"
                problems.append(
                    f"{place}: item {code!r} is scored on it (scoring.tree), so its values "
                    "must be whole numbers from 1 to 100"
                )
    return list(dict.fromkeys(problems))


def check_raw(raw: Any) -> tuple[QuestionnaireModel | None, list[str]]:
    """Validate a questionnaire given as data (a parsed YAML file, or what
    app/questionnaires/xlsform.py reads from a spreadsheet): the model, or None, and
    every problem as `place: message` (the place as in `sections[2].questions[0]`)."""
    if not isinstance(raw, dict):
        return None, ["(top level): expected a mapping at the top level"]
    try:
        model = QuestionnaireModel.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(f"{_loc(err['loc'])}: {msg}")
        return None, problems
    return model, _check(model)


def read_yaml(text: bytes | str, name: str) -> Any:
    """Parse questionnaire YAML; QuestionnaireError names `name` if it is not YAML."""
    try:
        return yaml.safe_load(text.decode("utf-8") if isinstance(text, bytes) else text)
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(
            f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    except yaml.YAMLError as exc:
        raise QuestionnaireError(f"{name}: not valid YAML: {exc}") from exc


def load_file(path: Path) -> Questionnaire:
    """Load and validate one questionnaire file."""
    raw = read_yaml(path.read_bytes(), str(path))
    if not isinstance(raw, dict):
        raise QuestionnaireError(f"{path}: expected a mapping at the top level")
    model, problems = check_raw(raw)
    if model is not None:
        m = FILE_NAME.match(path.name)
        if path.parent.name != model.slug or not m or int(m.group(1)) != model.version:
            problems.append(
                f"file name: slug {model.slug!r} version {model.version} belongs in "
                f"{model.slug}/v{model.version}.yaml"
            )
    if problems or model is None:
        raise QuestionnaireError(f"{path}:\n" + "\n".join(f"  {p}" for p in problems))
    return Questionnaire(model=model, source=path)


class Catalog:
    """Every questionnaire version found under a directory."""

    def __init__(self, items: dict[tuple[str, int], Questionnaire]):
        self._items = items

    @classmethod
    def load(cls, directory: Path) -> Catalog:
        """Load every `<slug>/v<N>.yaml`; report all broken files at once."""
        items: dict[tuple[str, int], Questionnaire] = {}
        errors: list[str] = []
        for path in sorted(directory.glob("*/v*.y*ml")):
            try:
                q = load_file(path)
            except QuestionnaireError as exc:
                errors.append(str(exc))
                continue
            items[(q.slug, q.version)] = q
        if errors:
            raise QuestionnaireError("\n".join(errors))
        if not items:
            raise QuestionnaireError(f"{directory}: no questionnaire files (<slug>/v<N>.yaml)")
        return cls(items)

    def get(self, slug: str, version: int) -> Questionnaire | None:
        return self._items.get((slug, version))

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(sorted(self._items.values(), key=lambda q: (q.slug, q.version)))

    def versions(self, slug: str) -> list[int]:
        return sorted(v for s, v in self._items if s == slug)

    def option_codes(self, question: str) -> list[str]:
        """The option codes of `question` in any version, in the order first given."""
        codes: dict[str, None] = {}
        for q in self:
            if (found := q.questions.get(question)) is not None:
                codes.update(dict.fromkeys(found.option_codes))
        return list(codes)


@lru_cache
def file_catalog() -> Catalog:
    """The questionnaire files of the configured directory (read once per process)."""
    from app.core.config import get_settings

    return Catalog.load(get_settings().QUESTIONNAIRE_DIR)


def load_source(source: str, name: str) -> Questionnaire:
    """One uploaded version (its stored YAML), validated as a file is."""
    model, problems = check_raw(read_yaml(source, name))
    if problems or model is None:
        raise QuestionnaireError(f"{name}:\n" + "\n".join(f"  {p}" for p in problems))
    return Questionnaire(model=model, source=Path(name))


class _Uploaded:
    """The uploaded versions this process has loaded (table questionnaire_source), and
    when it last looked. Every app process (and the command line) looks again at most
    every `EVERY` seconds, on the first statement of a session's transaction, so a
    version saved by one process is served by all of them within that time."""

    EVERY = 2.0

    def __init__(self) -> None:
        self.digests: frozenset[tuple[int, str]] = frozenset()
        self.catalog: Catalog | None = None
        self.checked = 0.0
        self.lock = threading.Lock()

    def forget(self) -> None:
        with self.lock:
            self.digests, self.catalog, self.checked = frozenset(), None, 0.0


_uploaded = _Uploaded()


def _table_exists(conn: Connection) -> bool:
    # A query that cannot fail: a failed one would abort a PostgreSQL transaction.
    if conn.dialect.name == "postgresql":
        found = conn.execute(sql("SELECT to_regclass('questionnaire_source')")).scalar()
    else:
        found = conn.execute(
            sql("SELECT name FROM sqlite_master WHERE name = 'questionnaire_source'")
        ).scalar()
    return found is not None


def sync_uploaded(conn: Connection, force: bool = False) -> None:
    """Bring this process's catalog up to date with table questionnaire_source."""
    now = time.monotonic()
    if not force and now - _uploaded.checked < _uploaded.EVERY:
        return
    with _uploaded.lock:
        if not force and time.monotonic() - _uploaded.checked < _uploaded.EVERY:
            return  # another thread looked while this one waited
        _uploaded.checked = now
        # Asked each time, with a query that cannot fail: a database not yet migrated
        # (or migrated down) has no table, and a failed query would abort the
        # transaction of the session that triggered the look.
        if not _table_exists(conn):
            return
        rows = conn.execute(sql("SELECT id, digest FROM questionnaire_source")).all()
        digests = frozenset((r[0], r[1]) for r in rows)
        if digests == _uploaded.digests and _uploaded.catalog is not None:
            return
        files = file_catalog()
        items = {(q.slug, q.version): q for q in files}
        sources = conn.execute(
            sql("SELECT id, slug, version, source FROM questionnaire_source ORDER BY id")
        ).all()
        for _id, slug, version, source in sources:
            if (slug, version) in items:
                continue  # a file of the same version wins (`questionnaires check` says so)
            try:
                items[(slug, version)] = load_source(source, f"uploaded {slug} v{version}")
            except QuestionnaireError:
                continue  # validated when saved; a later code change may refuse it
        _uploaded.digests, _uploaded.catalog = digests, Catalog(items)


@event.listens_for(Session, "after_begin")
def _look_for_uploads(session: Session, _transaction: Any, conn: Connection) -> None:
    sync_uploaded(conn)


def get_catalog() -> Catalog:
    """The process-wide catalog: the questionnaire files and the uploaded versions."""
    return _uploaded.catalog or file_catalog()
