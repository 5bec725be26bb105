"""Folding names so that spellings of one name compare equal, from strict to lenient.

`normalise_name` folds only case, apostrophes and spacing: the key under which the
registry and the extractors look a name up.

Comparing names across transliterations: İbadoğlu, Ibadoglu and Ibadoghlu are one name.
Azerbaijani names reach English through several systems (Azerbaijani Latin,
Russian-style, English-style), so the same person is written Qubad İbadoğlu,
Gubad Ibadoglu or Gubad Ibadoghlu, Əliyev or Aliyev or Aliev. `fold` maps every
such spelling onto one skeleton; `similarity` compares skeletons with
rapidfuzz. Folding is lossy on purpose (it is only ever used to compare).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# Letters that NFKD does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"ə": "a", "ı": "i", "ł": "l", "ø": "o", "ß": "ss", "’": "", "'": ""})
# Azerbaijani q/c/x and the English digraphs for ğ, ş, ç, x, c; the Russian-style -iev.
_SPELLINGS = (
    ("gh", "g"),
    ("kh", "x"),
    ("sh", "s"),
    ("ch", "c"),
    ("j", "c"),
    ("q", "g"),
    ("yev", "ev"),
    ("iy", "i"),
    ("e", "a"),  # ə is written a (Aliyev) or e (Hikmet, Kerimli)
)


def normalise_name(name: str) -> str:
    """Fold case, apostrophes and spacing so that spellings compare equal."""
    name = name.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", name).strip().casefold()


def fold(name: str) -> str:
    """A lower-case ASCII skeleton of `name` that transliteration variants share."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for written, folded in _SPELLINGS:
        text = text.replace(written, folded)
    text = re.sub(r"(.)\1+", r"\1", text)  # Mammadov ~ Mamadov
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    """0 to 1: how alike two names are once folded, in any word order."""
    return fuzz.token_sort_ratio(fold(a), fold(b)) / 100


def best_similarity(names: list[str] | tuple[str, ...], others: list[str]) -> tuple[float, str]:
    """The highest similarity between any of `names` and any of `others`, and that other name."""
    best, match = 0.0, ""
    for name in names:
        for other in others:
            score = similarity(name, other)
            if score > best:
                best, match = score, other
    return best, match
