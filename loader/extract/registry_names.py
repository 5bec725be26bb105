"""Pass 1 of finding actors: the registry's names in a digest.

Every name and alias of the curated registry (mappings/actors.yaml and the
gazetteer), found by one spaCy PhraseMatcher over the digest's tokens (built
once per registry object), leftmost-longest, so "Azerbaijan Popular Front
Party" wins over "Azerbaijan". Also the helpers every pass shares: how a
registry entry becomes an Actor and how spellings fold together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.tokens import Span as TokenSpan

from voxgraph.loader.extract.facts import Actor, Mention
from voxgraph.loader.extract.nlp import pipeline
from voxgraph.loader.read.digest import Span
from voxgraph.loader.registry import Entry, Registry
from voxgraph.names import normalise_name

T = TypeVar("T")
# What each registry gives every digest (its name pattern, spelling indexes),
# built once per Registry object rather than once per digest. Keyed by id();
# the Registry itself is kept so that the id cannot be reused.
_PER_REGISTRY: dict[tuple[int, str], tuple[Registry, object]] = {}


def per_registry(registry: Registry, what: str, build: Callable[[Registry], T]) -> T:
    """`build(registry)`, computed once per registry object."""
    key = (id(registry), what)
    cached = _PER_REGISTRY.get(key)
    if cached is None or cached[0] is not registry:
        cached = _PER_REGISTRY[key] = (registry, build(registry))
    return cached[1]  # type: ignore[return-value]


def actor_from_entry(entry: Entry) -> Actor:
    return Actor(key=entry.id, label=entry.label, type=entry.type, in_registry=True)


@lru_cache(maxsize=1 << 16)
def spelling_key(name: str) -> str:
    """Fold transliteration variants together: 'İbadoğlu' and 'Ibadoghlu' ->
    'ibadoglu', 'Qasimzade' -> 'gasimzade' (Azerbaijani q is English g),
    'Pashinian' -> 'pashinyan'."""
    name = normalise_name(name).replace("ı", "i").replace("ə", "e")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"ian\b", "yan", name)  # Pashinian, Pashinyan
    return re.sub(r"[^a-z ]", "", name.replace("gh", "g").replace("q", "g"))


# -- 1. registry names ---------------------------------------------------------


def is_short_name(entry: Entry, name: str) -> bool:
    """A one-word name of a person ('Karimli', 'Nurlan'): resolved in pass 3."""
    return entry.type == "Person" and " " not in name.strip() and name != entry.label


def _apostrophe_variants(name: str) -> set[str]:
    """The series writes both apostrophes: 'Workers’ Table' and "Workers' Table"."""
    return {name, name.replace("'", "’"), name.replace("’", "'")}


class _RegistryMatcher:
    """Every name and alias of the registry as one spaCy PhraseMatcher, built
    once per registry (not per digest). Names of three or more words match in
    any case ("state security service"), one-word names only as written
    ("Baku", not "baku"), and two-word names in lower case only where the
    registry writes them so: "the presidential administration" describes,
    "the Presidential Administration" names. A name that two entries share
    stands for neither."""

    def __init__(self, registry: Registry):
        nlp = pipeline()
        self.entries: dict[str, Entry] = {}
        self.single: set[str] = set()  # one-word names, as written, apostrophes folded
        self.lower: set[str] = set()  # names the registry itself writes in lower case
        patterns: set[str] = set()  # as written: the tokenizer splits 'U.N.' and 'u.n.' apart
        for entry in registry.entries:
            for name in entry.names:
                named = registry.by_name.get(normalise_name(name), [])
                if len(named) == 1 and not is_short_name(entry, name):
                    self.entries[normalise_name(name)] = entry
                    patterns |= _apostrophe_variants(name)
                    if " " not in name.strip():
                        self.single.add(name.strip().replace("’", "'"))
                    if name.islower():
                        self.lower.add(normalise_name(name))
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("NAME", [nlp.make_doc(pattern) for pattern in sorted(patterns)])

    def matches(self, doc: Doc) -> list[tuple[Entry, TokenSpan]]:
        """Every registry name in `doc` (overlapping ones too), with its entry."""
        found = []
        for _, start, end in self.matcher(doc):
            words = doc[start:end]
            if _glued(words):
                continue
            surface = words.text
            if " " not in surface and surface.replace("’", "'") not in self.single:
                continue  # one-word names match as written
            if len(words) == 2 and surface.islower() and normalise_name(surface) not in self.lower:
                continue  # 'the presidential administration': a description, not the name
            entry = self.entries.get(normalise_name(surface))
            if entry is not None:
                found.append((entry, words))
        return found


def _glued(words: TokenSpan) -> bool:
    """A name that is part of a longer word: 'UN' in 'UN-mandated', 'OSCE' in
    'OSCE/ODIHR', 'Baku' in 'Baku-based'."""
    doc, end = words.doc, words.end
    if end + 1 < len(doc) and not words[-1].whitespace_ and doc[end].text in ("-", "/"):
        following = doc[end + 1]
        return doc[end].text == "/" or following.text[:1].islower()
    return False


def registry_mentions(doc: Doc, registry: Registry) -> list[Mention]:
    """Registry names, leftmost-longest; inside a name that is no place, the
    other registry names it holds too ('Ganja' in 'Ganja Court of Appeals')."""
    matcher = per_registry(registry, "matcher", _RegistryMatcher)
    matches = sorted(matcher.matches(doc), key=lambda m: (m[1].start, -len(m[1])))
    mentions: list[Mention] = []
    reach = -1
    outer: list[tuple[Entry, TokenSpan]] = []
    for entry, words in matches:
        if words.start >= reach:
            outer.append((entry, words))
            reach = words.end
    for entry, words in outer:
        mentions.append(_registry_mention(entry, words))
        if entry.is_place:
            continue
        for inner, part in matches:
            inside = words.start <= part.start and part.end <= words.end and len(part) < len(words)
            if inside and inner != entry:
                mentions.append(_registry_mention(inner, part))
    return mentions


def _registry_mention(entry: Entry, words: TokenSpan) -> Mention:
    return Mention(actor_from_entry(entry), Span(words.start_char, words.end_char), words.text)


def outermost(mentions: list[Mention]) -> list[Mention]:
    """The mentions not inside a longer one ('Ganja' in 'Ganja Court of Appeals').

    A span is inside another exactly when a distinct span that starts no
    later ends no earlier: with the distinct spans sorted by start, longest
    first, that is when the largest end seen before it reaches its end.
    """
    inside: set[Span] = set()
    reach = -1
    for span in sorted({m.span for m in mentions}, key=lambda s: (s.begin, -s.end)):
        if reach >= span.end:
            inside.add(span)
        reach = max(reach, span.end)
    return [m for m in mentions if m.span not in inside]


def surname_keys(registry: Registry) -> set[str]:
    return per_registry(registry, "surname keys", _build_surname_keys)


def _build_surname_keys(registry: Registry) -> set[str]:
    return {
        spelling_key(n.split()[-1]) for e in registry.entries if e.type == "Person" for n in e.names
    }
