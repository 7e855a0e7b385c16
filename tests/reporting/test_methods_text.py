"""`methods` in both languages: the same rules (keys) and Vietnamese texts without
English sentences."""

import re

import pytest

from app.reporting.methods_text import METHODS, METHODS_VI

# Words an English sentence cannot do without and Vietnamese never uses.
ENGLISH = {
    "the",
    "of",
    "and",
    "is",
    "are",
    "with",
    "from",
    "by",
    "for",
    "to",
    "in",
    "on",
    "its",
    "their",
    "each",
    "when",
    "which",
    "that",
    "not",
    "or",
    "as",
    "a",
    "an",
    "be",
    "gets",
}
# Names that stay as they are in either language: codes, settings, people, formulas.
KEPT = re.compile(r"`[^`]*`|\b\w*[_=]\w*\b|\b[A-Z][A-Z0-9_]+\b|Cronbach's|Wilson|Student|Feldt")


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", KEPT.sub(" ", text).lower()))


def test_both_languages_have_the_same_rules() -> None:
    assert list(METHODS_VI) == list(METHODS)
    assert all(METHODS_VI[k].strip() and METHODS[k].strip() for k in METHODS)


@pytest.mark.parametrize("key", list(METHODS_VI))
def test_the_vietnamese_text_has_no_english_sentence(key: str) -> None:
    english = words(METHODS_VI[key]) & ENGLISH
    assert not english, f"methods_vi[{key!r}] has English words: {sorted(english)}"
    assert words(METHODS[key]) & ENGLISH  # the check does find English where it is


def test_every_rule_names_its_codes_in_both_languages() -> None:
    # The codes a reader looks up (a rule's name in `aggregate`, `scoring`, flags) are
    # the same in both texts.
    for key in METHODS:
        codes = set(re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b|\btop2box\b|\bmean20\b", METHODS[key]))
        missing = {c for c in codes if c not in METHODS_VI[key]}
        assert not missing, (key, missing)
    for rule in ("pooled", "mean_of_units", "weighted"):
        assert rule in METHODS["aggregate"]
        assert rule in METHODS_VI["aggregate"]
    assert "hồ sơ" in METHODS_VI["aggregate"]
    assert "deff" in METHODS_VI["aggregate"]
