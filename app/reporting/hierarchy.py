"""The index tree as documents lay it out: which inner node is a factor, an aspect or a
group (from the tree's shape, app/core/labels.py), and for a tree deeper than one level
the aspects as headings with their groups under them, so a table or a chart shows the
hierarchy rather than one flat list of "factors"."""

from dataclasses import dataclass

from app.core import labels
from app.questionnaires.catalog import Questionnaire


@dataclass(frozen=True)
class Heading:
    """An aspect (a node under the overall index) and the nodes shown under it: itself
    first, then its groups, in the order of `Questionnaire.groups`."""

    code: str
    title: str
    members: tuple[str, ...]


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()))


def kinds(q: Questionnaire) -> dict[str, str]:
    """Each inner node's kind: factor, aspect or group (a NODE_KIND key)."""
    return labels.node_kinds({g.code: g.parent for g in q.groups}, q.tree.root)


def headings(q: Questionnaire, lang: str) -> list[Heading]:
    """The aspects with their groups, in order; empty when every node hangs from the
    overall index (sipas-2017's factors: nothing to group)."""
    kind = kinds(q)
    if "aspect" not in kind.values():
        return []
    out: list[tuple[str, str, list[str]]] = []
    for g in q.groups:
        if kind[g.code] == "aspect" or not out:
            out.append((g.code, _pick(g.title, lang), []))
        out[-1][2].append(g.code)
    return [Heading(code, title, tuple(members)) for code, title, members in out]


def legend(q: Questionnaire, lang: str) -> list[str]:
    """One line per aspect naming it and its groups ("Lĩnh vực <code>: <title> — Nhóm
    tiêu chí: <code>: <title> · …"); empty for a flat tree."""
    titles = {g.code: _pick(g.title, lang) for g in q.groups}
    aspect, group = labels.node_kind("aspect", lang), labels.node_kind("group", lang)
    lines = []
    for h in headings(q, lang):
        under = " · ".join(f"{c}: {titles[c]}" for c in h.members[1:])
        lines.append(f"{aspect} {h.code}: {h.title} — {group}: {under}")
    return lines
