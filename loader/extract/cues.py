"""The cue words of mappings/cues.yaml, as the extractors use them.

The lists are data a curator extends (role nouns, verbs of saying, heads of
organisation names, media); this module only reads them. The rules compare
them with spaCy's tokens and lemmas; only the media phrases are matched in
text, by `Cues.medium`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from voxgraph.paths import MAPPINGS

CUES = MAPPINGS / "cues.yaml"


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex group matching any of the words, longest first, spacing free."""
    escaped = (re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return "(?:" + "|".join(escaped) + ")"


@dataclass(frozen=True)
class Cues:
    role_nouns: tuple[str, ...]
    kin_nouns: tuple[str, ...]
    function_words: frozenset[str]
    title_words: frozenset[str]
    role_verbs: frozenset[str]
    demonyms: dict[str, str | None]  # 'Armenian' -> 'armenia', the country it names
    government_nouns: frozenset[str]
    regime_nouns: frozenset[str]
    ruler_titles: tuple[str, ...]
    governed_places: dict[str, str]  # 'Karabakh' -> the registry id of the body governing it
    speech_lemmas: frozenset[str]
    predicate_lemmas: frozenset[str]
    negating_lemmas: frozenset[str]
    speech_nouns: frozenset[str]
    support_objects: frozenset[str]
    support_verbs: frozenset[str]
    medium_nouns: frozenset[str]
    voice_nouns: frozenset[str]
    organisation_nouns: frozenset[str]
    person_passives: frozenset[str]
    person_event_nouns: frozenset[str]
    patronymics: dict[str, str]  # 'oghlu' -> 'm', 'gizi' -> 'f'
    surname_endings: dict[str, str]  # 'ova' -> 'f', 'ov' -> 'm', longest first
    organization_heads: dict[str, str]  # head noun -> vox: class
    organization_nouns: dict[str, str]  # lower-case noun before a quoted name -> vox: class
    media: tuple[tuple[str, str], ...]  # (phrase, vox: medium concept), first match wins

    def is_role_noun(self, word: str) -> bool:
        word = word.casefold()
        nouns = {n.casefold() for n in self.role_nouns}
        return word in nouns or (word.endswith("s") and word[:-1] in nouns)

    def medium(self, words: str) -> str | None:
        """The medium the first listed phrase found in `words` names, if any."""
        for phrase, concept in self.media:
            if re.search(rf"\b{alternation([phrase])}\b", words, re.IGNORECASE):
                return concept
        return None


@cache
def load_cues(path: Path = CUES) -> Cues:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Cues(
        role_nouns=tuple(raw["role_nouns"]),
        kin_nouns=tuple(raw["kin_nouns"]),
        function_words=frozenset(raw["function_words"]),
        title_words=frozenset(raw["title_words"]),
        role_verbs=frozenset(raw["role_verbs"]),
        demonyms=dict(raw["demonyms"]),
        government_nouns=frozenset(raw["government_nouns"]),
        regime_nouns=frozenset(raw["regime_nouns"]),
        ruler_titles=tuple(raw["ruler_titles"]),
        governed_places=dict(raw["governed_places"]),
        speech_lemmas=frozenset(raw["speech_lemmas"]),
        predicate_lemmas=frozenset(raw["predicate_lemmas"]),
        negating_lemmas=frozenset(raw["negating_lemmas"]),
        speech_nouns=frozenset(raw["speech_nouns"]),
        support_objects=frozenset(raw["support_objects"]),
        support_verbs=frozenset(raw["support_verbs"]),
        medium_nouns=frozenset(raw["medium_nouns"]),
        voice_nouns=frozenset(raw["voice_nouns"]),
        organisation_nouns=frozenset(raw["organisation_nouns"]),
        person_passives=frozenset(raw["person_passives"]),
        person_event_nouns=frozenset(raw["person_event_nouns"]),
        patronymics=dict(raw["patronymics"]),
        surname_endings=dict(sorted(raw["surname_endings"].items(), key=lambda i: -len(i[0]))),
        organization_heads=dict(raw["organization_heads"]),
        organization_nouns=dict(raw["organization_nouns"]),
        media=tuple((phrase, concept) for phrase, concept in raw["media"]),
    )
