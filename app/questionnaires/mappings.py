"""Mappings between questionnaire versions: `questionnaires/mappings/<a>-v<N>__<b>-v<M>.yaml`.

A mapping says which index indicators of one questionnaire (its overall index, its
groups, factors or aspects, its scored items) correspond to which of another, each
pair `exact` or `approximate`, and why every other indicator has no counterpart. A
report compared with a campaign on another questionnaire reads it (app/reporting/
comparison.py): a change where indicators correspond, a plain statement where they do
not. The catalog loads and checks every mapping with the questionnaires; a broken one
raises `QuestionnaireError` naming the file and the place in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from app.questionnaires.catalog import Questionnaire

Text = dict[str, str]
Match = Literal["exact", "approximate"]
LANGUAGES = ("vi", "en")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Side(_Strict):
    questionnaire: str
    version: int = Field(ge=1)


class Pair(_Strict):
    from_: str = Field(alias="from")
    to: str
    match: Match
    note: Text


class Unmatched(_Strict):
    codes: list[str] = Field(min_length=1)
    note: Text


class UnmatchedSides(_Strict):
    from_: list[Unmatched] = Field(default_factory=list, alias="from")
    to: list[Unmatched] = Field(default_factory=list)


class MappingModel(_Strict):
    from_: Side = Field(alias="from")
    to: Side
    note: Text
    pairs: list[Pair] = Field(min_length=1)
    unmatched: UnmatchedSides = UnmatchedSides()


def indicator_key(q: Questionnaire, code: str) -> str:
    """Where an index indicator sits in a report unit: `sipas` (the root), `factors.X`
    (a group, factor or aspect), `items.X` (a criterion) or `overall_items.X`."""
    if code == q.tree.root:
        return "sipas"
    if code in q.tree.nodes:
        return f"factors.{code}"
    if code in q.criteria:
        return f"items.{code}"
    return f"overall_items.{code}"


def indicators(q: Questionnaire) -> list[str]:
    """Every index indicator of `q` a report gives a figure for, in report order: the
    root, the groups, the scored items."""
    return [q.tree.root, *(g.code for g in q.groups), *q.index_items]


@dataclass(frozen=True)
class Correspondence:
    """One indicator of the current questionnaire and its counterpart in the other."""

    code: str
    counterpart: str
    match: Match
    note: Text


@dataclass(frozen=True)
class Comparison:
    """A mapping read from the side of the report being compared (`current`) towards the
    campaign it is compared with (`previous`)."""

    source: Path
    current: tuple[str, int]
    previous: tuple[str, int]
    note: Text
    pairs: tuple[Correspondence, ...]  # in the current questionnaire's report order
    unmatched: tuple[tuple[tuple[str, ...], Text], ...]  # current codes and why


@dataclass(frozen=True)
class Mapping:
    source: Path
    model: MappingModel

    @property
    def ends(self) -> tuple[tuple[str, int], tuple[str, int]]:
        m = self.model
        return (m.from_.questionnaire, m.from_.version), (m.to.questionnaire, m.to.version)

    def towards(self, current: Questionnaire) -> Comparison:
        """This mapping read from `current`'s side (either end)."""
        m = self.model
        forward = (current.slug, current.version) == self.ends[1]
        order = {c: i for i, c in enumerate(indicators(current))}
        if forward:
            pairs = [Correspondence(p.to, p.from_, p.match, p.note) for p in m.pairs]
            unmatched = m.unmatched.to
        else:
            pairs = [Correspondence(p.from_, p.to, p.match, p.note) for p in m.pairs]
            unmatched = m.unmatched.from_
        return Comparison(
            self.source,
            (current.slug, current.version),
            self.ends[0] if forward else self.ends[1],
            m.note,
            tuple(sorted(pairs, key=lambda p: order.get(p.code, len(order)))),
            tuple((tuple(u.codes), u.note) for u in unmatched),
        )


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for p in parts:
        p = p.rstrip("_") if isinstance(p, str) else p
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _texts(model: MappingModel) -> list[tuple[str, Text]]:
    out = [("note", model.note)]
    out += [(f"pairs[{i}].note", p.note) for i, p in enumerate(model.pairs)]
    for side, entries in (("from", model.unmatched.from_), ("to", model.unmatched.to)):
        out += [(f"unmatched.{side}[{i}].note", u.note) for i, u in enumerate(entries)]
    return out


def _check(model: MappingModel, ends: tuple[Questionnaire, Questionnaire]) -> list[str]:
    """Every code an indicator of its side, none mapped twice, none left out, and every
    note in Vietnamese and English."""
    problems: list[str] = []
    for where, text in _texts(model):
        missing = [lang for lang in LANGUAGES if not (text.get(lang) or "").strip()]
        extra = sorted(set(text) - set(LANGUAGES))
        if missing:
            problems.append(f"{where}: missing or empty text in {', '.join(missing)}")
        if extra:
            problems.append(f"{where}: language {', '.join(extra)} is not vi or en")
    for side, q in zip(("from", "to"), ends, strict=True):
        known = set(indicators(q))
        seen: dict[str, str] = {}
        places = [
            (f"pairs[{i}].{side}", p.from_ if side == "from" else p.to)
            for i, p in enumerate(model.pairs)
        ]
        entries = model.unmatched.from_ if side == "from" else model.unmatched.to
        places += [
            (f"unmatched.{side}[{i}].codes[{j}]", code)
            for i, u in enumerate(entries)
            for j, code in enumerate(u.codes)
        ]
        for where, code in places:
            if code not in known:
                problems.append(
                    f"{where}: {code!r} is not an indicator of {q.slug} v{q.version} "
                    "(its overall index, a node of its index tree or a scored item)"
                )
            elif code in seen:
                problems.append(f"{where}: {code!r} is mapped twice (already at {seen[code]})")
            else:
                seen[code] = where
        left = [c for c in indicators(q) if c not in seen]
        if left:
            problems.append(
                f"unmatched.{side}: {', '.join(left)} of {q.slug} v{q.version} "
                "neither in a pair nor listed here with the reason it has no counterpart"
            )
    return problems


def load_mapping(path: Path, find: dict[tuple[str, int], Questionnaire]) -> Mapping:
    """Load and validate one mapping file against the questionnaires it names."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _error(path, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    except yaml.YAMLError as exc:
        raise _error(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise _error(path, ["expected a mapping at the top level"])
    try:
        model = MappingModel.model_validate(raw)
    except ValidationError as exc:
        raise _error(
            path,
            [
                f"{_loc(e['loc'])}: {'unknown key' if e['type'] == 'extra_forbidden' else e['msg']}"
                for e in exc.errors()
            ],
        ) from exc
    problems: list[str] = []
    ends = []
    for side, s in (("from", model.from_), ("to", model.to)):
        q = find.get((s.questionnaire, s.version))
        if q is None:
            problems.append(f"{side}: no questionnaire {s.questionnaire} v{s.version}")
        ends.append(q)
    if not problems and ends[0] is ends[1]:
        problems.append("to: the same questionnaire as `from` (it compares with itself as is)")
    expected = (
        f"{model.from_.questionnaire}-v{model.from_.version}__"
        f"{model.to.questionnaire}-v{model.to.version}.yaml"
    )
    if path.stem + ".yaml" != expected:
        problems.append(
            f"file name: a mapping from {expected.split('__')[0]} belongs in {expected}"
        )
    if not problems and ends[0] is not None and ends[1] is not None:
        problems += _check(model, (ends[0], ends[1]))
    if problems:
        raise _error(path, problems)
    return Mapping(path, model)


def _error(path: Path, problems: list[str]) -> Exception:
    from app.questionnaires.catalog import QuestionnaireError

    return QuestionnaireError(f"{path}:\n" + "\n".join(f"  {p}" for p in problems))
