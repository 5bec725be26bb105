"""The capitalised words of a digest that may make names, and what the
passes share about them (which words never belong to a name, which nouns
introduce a person, which spans are taken already)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from voxgraph.loader.extract.cues import Cues
from voxgraph.loader.extract.facts import Mention
from voxgraph.loader.extract.registry_names import spelling_key
from voxgraph.loader.read.digest import Span


@dataclass(frozen=True)
class Word:
    """A word of the digest: one token, or tokens joined by inner hyphens
    ('Nagorno-Karabakh', 'Ter-Petrosyan'); never the possessive ('Karimli’s'
    is the word 'Karimli')."""

    text: str
    begin: int  # character offsets
    end: int
    first: int  # token indices, [first, last]
    last: int


def name_words(doc: Doc) -> list[Word]:
    words: list[Word] = []
    tokens = list(doc)
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if not token.is_alpha:
            i += 1
            continue
        j, text = i, token.text
        while (
            j + 2 < n
            and not tokens[j].whitespace_
            and tokens[j + 1].text == "-"
            and not tokens[j + 1].whitespace_
            and tokens[j + 2].is_alpha
        ):
            text += "-" + tokens[j + 2].text
            j += 2
        words.append(Word(text, token.idx, token.idx + len(text), i, j))
        i = j + 1
    return words


def capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def capital_runs(text: str, words: list[Word], taken: list[Span]) -> list[list[Word]]:
    """Runs of capitalised words, one space apart, outside the taken spans."""
    runs: list[list[Word]] = []
    previous: Word | None = None
    inside = Taken(taken)
    for word in words:
        if not word.text[0].isupper() or word.begin in inside:
            previous = None
            continue
        if previous is not None and text[previous.end : word.begin] == " ":
            runs[-1].append(word)
        else:
            runs.append([word])
        previous = word
    return runs


def inside_any(offset: int, spans: Iterable[Span]) -> bool:
    return any(s.begin <= offset < s.end for s in spans)


class Taken:
    """Spans already taken, for 'is this offset inside one?' in log time."""

    def __init__(self, spans: Iterable[Span]):
        merged: list[list[int]] = []
        for span in sorted(spans, key=lambda s: s.begin):
            if merged and span.begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], span.end)
            else:
                merged.append([span.begin, span.end])
        self.begins = [b for b, _ in merged]
        self.ends = [e for _, e in merged]

    def __contains__(self, offset: int) -> bool:
        index = bisect_right(self.begins, offset) - 1
        return index >= 0 and offset < self.ends[index]


def not_name_word(word: str, cues: Cues) -> bool:
    return (
        word in cues.function_words
        or word in cues.title_words
        or word in cues.organization_heads
        or cues.is_role_noun(word)
        or not capitalised(word)
    )


def is_person_noun(token: Token, cues: Cues, kin: bool = True) -> bool:
    """A role noun ('activist', 'Minister', 'activists') or, with `kin`, a
    relative ('son', 'brother'): nouns that introduce a person."""
    return cues.is_role_noun(token.text) or (kin and token.lower_ in cues.kin_nouns)


def glued_to_name(doc: Doc, first: int, cues: Cues) -> bool:
    """Whether the word just before token `first` (one space apart) is part of a name."""
    if first == 0:
        return False
    previous = doc[first - 1]
    return (
        previous.whitespace_ == " " and previous.is_alpha and not not_name_word(previous.text, cues)
    )


def surname_of(mention: Mention) -> str:
    """The surname of a person: the last word of the label, which names people
    given name first (see `_given_first`)."""
    return spelling_key(mention.actor.label.split()[-1])
