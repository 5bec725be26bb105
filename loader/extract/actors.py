"""Find the actors and places a digest names, and the roles it states for them.

Mentions are found in three passes:

1. Registry names. Every name and alias of the curated registry
   (mappings/actors.yaml), longest first, so "Azerbaijan Popular Front Party"
   wins over "Azerbaijan".
2. Names in no registry, recognised by the way the series introduces people
   and organisations (the cue words are in mappings/cues.yaml): a role noun
   before the name ("activist Nemat Abbasov", "President of Russia Vladimir
   Putin", "Ibadoghlu’s brother, Galib Toghrul Bey"), an appositive or a
   relative clause after it ("Nurlan Libre, a journalist", "Rail Abbasov,
   who ..."), a verb of saying or of arrest ("Elchin Amirbeyov stressed",
   "said Dmitry Peskov", "X was detained"), or the head noun of an
   organisation's name ("the Workers’ Table Trade Unions Confederation"). A
   run of capitalised words without such a cue is no actor: a wrong actor
   costs more than a missing one.
3. Short references. A bare surname ("Karimli wrote:", "Karimli’s post")
   refers back to the last person of that surname named in full before it,
   so that Ilham, Jahangir and Kamran Aliyev stay apart; failing that, to the
   one registry person it can name.

Spellings that differ only by transliteration (Ibadoglu, Ibadoghlu,
İbadoğlu) or by a middle name (Emin Shaig Ibrahimov, Emin Ibrahimov) name one
person. An actor in no registry is keyed by the slug of its fullest name in
the digest, so that it gets the same IRI in every digest that names it so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import TypeVar

from spacy.tokens import Doc

from loader.extract.cues import Cues, alternation, load_cues
from loader.extract.facts import Actor, Mention, RoleClaim
from loader.extract.nlp import analyse
from loader.parse import Digest, Span
from loader.registry import Entry, Registry, normalise_name
from voxgraph.iris import slug

# A word: letters, with digits and hyphens inside ("Nagorno-Karabakh"), never
# an apostrophe, so that "Karimli’s" is the word "Karimli".
WORD = re.compile(r"[^\W\d_](?:[\w-]*[^\W_])?")
UPPER = "A-ZÀ-ÖØ-ÞÇĞİÖŞÜƏ"


T = TypeVar("T")
# What each registry gives every digest (its name pattern, spelling indexes),
# built once per Registry object rather than once per digest. Keyed by id();
# the Registry itself is kept so that the id cannot be reused.
_PER_REGISTRY: dict[tuple[int, str], tuple[Registry, object]] = {}


def _per_registry(registry: Registry, what: str, build: Callable[[Registry], T]) -> T:
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


def find_mentions(digest: Digest, registry: Registry, doc: Doc | None = None) -> list[Mention]:
    """Every actor and place the digest names, in text order. `doc` is the
    digest's analysis (loader/extract/nlp.py), made here if not given."""
    doc = doc if doc is not None else analyse(digest)
    text = digest.text
    full = _registry_mentions(text, registry)
    # Headings are titles, not prose: no cue there introduces anyone.
    headings = [s.title_span for s in digest.sections]
    full += _new_people(text, [m.span for m in full] + headings, registry, doc)
    places = [m.span for m in full if m.actor.type in ("Place", "Country")]
    full += _new_organizations(text, [m.span for m in full] + headings, places)
    full = _merge_variants(full, registry)
    full += _short_references(text, full, registry)
    return sorted(full, key=lambda m: m.span.begin)


# -- 1. registry names ---------------------------------------------------------


@cache
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of all names, longest first; multi-word names match in
    any case ("state security service"), single words only as written. A name
    glued to a lower-case word ("UN-mandated") or to another name by a slash
    ("OSCE/ODIHR") is part of a longer word, not a mention."""
    parts = []
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name).replace("'", "['’‘]").replace(r"\ ", r"\s+")
        parts.append(escaped if " " in name else f"(?-i:{escaped})")
    alternatives = "|".join(parts)
    return re.compile(rf"(?<![\w’'])(?:{alternatives})(?![\w]|(?-i:-[a-z])|/\w)", re.IGNORECASE)


def _is_short_name(entry: Entry, name: str) -> bool:
    """A one-word name of a person ('Karimli', 'Nurlan'): resolved in pass 3."""
    return entry.type == "Person" and " " not in name.strip() and name != entry.label


class _RegistryNames:
    """The registry names pass 1 looks for, with the pattern that finds them.

    Which names sit inside a longer one is worked out once per distinct
    surface (a registry name as written), not once per occurrence: that
    search tries every name of the registry and cost more than the rest of
    the mapping together.
    """

    def __init__(self, registry: Registry):
        self.registry = registry
        self.names = tuple(
            sorted({n for e in registry.entries for n in e.names if not _is_short_name(e, n)})
        )
        self.pattern = _name_pattern(self.names) if self.names else None
        self._embedded: dict[tuple[str, Entry], list[tuple[Entry, int, int, str]]] = {}

    def embedded(self, surface: str, entry: Entry) -> list[tuple[Entry, int, int, str]]:
        """Registry names inside `surface` (entry, begin, end, as written), offsets
        relative to it: 'Ganja' in 'Ganja Court of Appeals', 'Council of Europe'
        in 'Venice Commission of the Council of Europe'."""
        key = (surface, entry)
        if key not in self._embedded:
            found = []
            for name in self.names:
                if len(name) >= len(surface):
                    continue
                for match in _name_pattern((name,)).finditer(surface):
                    named = self.registry.by_name.get(normalise_name(match.group(0)), [])
                    if len(named) == 1 and named[0] != entry:
                        found.append((named[0], match.start(), match.end(), match.group(0)))
            self._embedded[key] = found
        return self._embedded[key]


def _registry_mentions(text: str, registry: Registry) -> list[Mention]:
    index = _per_registry(registry, "names", _RegistryNames)
    if index.pattern is None:
        return []
    mentions = []
    for match in index.pattern.finditer(text):
        named = registry.by_name.get(normalise_name(match.group(0)), [])
        if len(named) == 1:
            span = Span(match.start(), match.end())
            mentions.append(Mention(actor_from_entry(named[0]), span, match.group(0)))
            if not named[0].is_place:
                offset = match.start()
                mentions += [
                    Mention(actor_from_entry(inner), Span(offset + b, offset + e), surface)
                    for inner, b, e, surface in index.embedded(match.group(0), named[0])
                ]
    return mentions


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


# -- 2. names in no registry -----------------------------------------------------


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def _runs(text: str, taken: list[Span]) -> list[list[re.Match[str]]]:
    """Runs of capitalised words, one space apart, outside the taken spans."""
    runs: list[list[re.Match[str]]] = []
    previous: re.Match[str] | None = None
    for word in WORD.finditer(text):
        if not word.group()[0].isupper() or _inside(word.start(), taken):
            previous = None
            continue
        if previous is not None and text[previous.end() : word.start()] == " ":
            runs[-1].append(word)
        else:
            runs.append([word])
        previous = word
    return runs


def _inside(offset: int, spans: Iterable[Span]) -> bool:
    return any(s.begin <= offset < s.end for s in spans)


@cache
def _person_cues() -> dict[str, re.Pattern[str]]:
    """The words around a capitalised run that make it a person's name (see
    module doc); what verbs say about it is read from the parse (`_verb_cue`)."""
    cues = load_cues()
    i = re.IGNORECASE
    return {
        # "activist ", "Prosecutor General ", "French President ", "Doctor "
        "role": re.compile(rf"\b(?P<role>{cues.role})\s+$", i),
        # "Chairperson of APFP ", "head of the autonomous republic, "
        "role_of": re.compile(
            rf"\b(?P<role>{cues.role})\s+(?:of|for|to)\s+(?P<complement>(?:[\w’'-]+\s+){{0,7}}?"
            r"(?:[\w’'-]+\s*,?)?)\s*$",
            i,
        ),
        # "his son, ", "Ibadoghlu’s brother, ", "his lawyer, "
        "kin": re.compile(rf"\b(?:{cues.kin}|{cues.role}),\s+$", i),
        # ", a journalist", ", the Head of", ", press secretary of"
        "appositive": re.compile(
            rf"^,\s+(?:(?:a|an|the)\s+)?(?:[\w’'-]+\s+){{0,3}}?{cues.role}\b", i
        ),
        "who": re.compile(r"^,\s+who\b"),
        "article_before": re.compile(r"\b(?:the|a|an)\s+$", i),
        # "outlet ", "newspaper ": what follows names an organisation
        "organization_noun": re.compile(
            rf"\b({alternation(list(cues.organization_nouns))})\s+$", i
        ),
        "list_join": re.compile(r"^(?:,\s*(?:and\s+)?|\s+and\s+)$"),
    }


def _verb_cue(doc: Doc, span: Span) -> bool:
    """Whether the parse makes a name a person: the subject of a verb of
    saying ("Elchin Amirbeyov stressed", "“…,” said Dmitry Peskov"), the one
    "according to" names, or the one a verb of arrest, trial or release
    happens to ("Rail Abbasov was arrested", "police detained Tural Mammadli")."""
    cues = load_cues()
    name = doc.char_span(span.begin, span.end, alignment_mode="expand")
    if name is None:
        return False
    head = name.root
    while head.dep_ in ("conj", "appos") and head.head.i != head.i:
        head = head.head  # "Nemat Abbasov and Amrah Tahmazov were detained"
    verb, lemma = head.head, head.head.lemma_.lower()
    if head.dep_ == "nsubj" and lemma in cues.speech_lemmas:
        return True
    if head.dep_ in ("nsubjpass", "dobj") and lemma in cues.person_passives:
        return True
    return head.dep_ == "pobj" and verb.lower_ == "to" and verb.head.lower_ == "according"


def _ner_person(doc: Doc, span: Span) -> bool:
    """Whether the named-entity recogniser takes the whole of a span for a person."""
    words = doc.char_span(span.begin, span.end, alignment_mode="expand")
    return words is not None and all(t.ent_type_ == "PERSON" for t in words)


def _has_verb(doc: Doc, begin: int, end: int) -> bool:
    """Whether a stretch of text has a verb in it: then it is a clause, not a title."""
    words = doc.char_span(begin, end, alignment_mode="contract")
    return words is not None and any(t.pos_ in ("VERB", "AUX") for t in words)


def _not_name_word(word: str, cues: Cues) -> bool:
    return (
        word in cues.function_words
        or word in cues.title_words
        or word in cues.organization_heads
        or cues.is_role_noun(word)
        or not _capitalised(word)
    )


def _new_people(text: str, taken: list[Span], registry: Registry, doc: Doc) -> list[Mention]:
    """Persons in no registry, each introduced by a cue (see module doc)."""
    cues = load_cues()
    pattern = _person_cues()
    known_surnames = _surname_keys(registry)
    found: list[Mention] = []
    for run in _runs(text, taken):
        words = list(run)
        while words and _not_name_word(words[0].group(), cues):
            words.pop(0)
        if not words or any(_not_name_word(w.group(), cues) for w in words):
            continue
        begin = words[0].start()
        before = text[max(0, begin - 160) : begin]
        if pattern["article_before"].search(before):
            continue  # "the Executive Power": names of people take no article
        kind = pattern["organization_noun"].search(before)
        if kind and len(words) <= 4:
            # "the independent outlet Kanal Azad": an organisation, not a person
            span = Span(words[0].start(), words[-1].end())
            found.append(_organization_mention(text, span, cues, kind[1]))
            continue
        role_of = pattern["role_of"].search(before)
        if role_of and _has_verb(doc, begin - len(before) + role_of.start("complement"), begin):
            role_of = None
        if role_of and words[0] is run[0] and len(words) > 2:
            words = words[-2:]  # "Minister of Defense Zakir Hasanov": the name ends the run
        elif _continues_a_name(text, run, words, cues) and not (
            found
            and found[-1].actor.type == "Person"
            and pattern["list_join"].match(text[found[-1].span.end : begin])
        ):
            continue  # but "Orkhan Gasimov and Elchin Rustamli" is a list of people
        if len(words) > 4:
            continue
        span = Span(words[0].start(), words[-1].end())
        key = text[span.begin : span.end]
        patronymic = re.match(r" +([^\W\d_]+)\b", text[span.end : span.end + 20])
        if patronymic and patronymic[1].casefold() in cues.patronymics and len(words) > 2:
            # "Guliyev Tural Rasim oghlu": the father's name is no part of the key
            key = text[span.begin : words[-2].end()]
            span = Span(span.begin, span.end + patronymic.end())
        if len(words) == 1:
            # One word is a name only after a capitalised title ("Secretary of
            # State Blinken"), and only if it is no surname named elsewhere.
            title = pattern["role"].search(before) or role_of
            if not title or not title["role"][0].isupper():
                continue
            if spelling_key(words[0].group()) in known_surnames | _keys_of_last_words(found):
                continue
            if _glued_to_name(text, span.begin, cues):
                continue  # "the defunct Nagorno-Karabakh Republic"
        elif role_of and not role_of["complement"].strip() and not _ner_person(doc, span):
            continue  # "deputy minister of Digital Development": the office, not a name
        elif not (
            _has_person_cue(text, span, found, role_of, pattern)
            or _verb_cue(doc, span)
            or _ner_person(doc, span)
        ):
            continue
        surface = text[span.begin : span.end]
        found.append(Mention(Actor(slug(key), key, "Person"), span, surface))
    found += _repeated_organizations(text, taken + [m.span for m in found], found)
    people = [m for m in found if m.actor.type == "Person"]
    return found + _variants(text, taken + [m.span for m in found], people, cues)


def _organization_mention(text: str, span: Span, cues: Cues, noun: str) -> Mention:
    surface = text[span.begin : span.end]
    kind = cues.organization_nouns[normalise_name(noun)]
    return Mention(Actor(slug(surface), surface, kind), span, surface)


def _repeated_organizations(text: str, taken: list[Span], found: list[Mention]) -> list[Mention]:
    """Later mentions of an organisation introduced by its noun ('Ses Media')."""
    repeats = []
    organizations = {m.surface: m.actor for m in found if m.actor.type != "Person"}
    for index, mention in enumerate(found):
        if mention.surface in organizations:  # "the deputy editor of Ses Media"
            found[index] = Mention(organizations[mention.surface], mention.span, mention.surface)
    for org in [m for m in found if m.actor.type != "Person"]:
        for match in re.finditer(rf"(?<![\w-]){re.escape(org.surface)}(?![\w-])", text):
            span = Span(match.start(), match.end())
            if not _inside(span.begin, taken) and all(span != m.span for m in found + repeats):
                repeats.append(Mention(org.actor, span, org.surface))
    return repeats


def _continues_a_name(
    text: str, run: list[re.Match[str]], words: list[re.Match[str]], cues: Cues
) -> bool:
    """Whether a run is the tail of a longer name: 'Civic Dignity' in 'the
    Movement for Civic Dignity', 'City Executive Power' after 'Ganja'."""
    start = words[0].start()
    connected = re.search(r"(\S+) (?:of|for|on|and)(?: the)? $", text[max(0, start - 60) : start])
    if connected and connected.group(1)[0].isupper() and not cues.is_role_noun(connected.group(1)):
        return True
    return words[0] is not run[0] and _glued_to_name(text, run[0].start(), cues)


def _glued_to_name(text: str, begin: int, cues: Cues) -> bool:
    """Whether the word just before `begin` (one space apart) is part of a name."""
    previous = re.search(r"(?<![\w’'.,;:”)])([^\W\d_][\w-]*) $", text[max(0, begin - 40) : begin])
    word = previous.group(1) if previous else ""
    return bool(word) and word[0].isupper() and not _not_name_word(word, cues)


def _variants(text: str, taken: list[Span], people: list[Mention], cues: Cues) -> list[Mention]:
    """Other spellings of the people found, without a cue of their own: a
    middle name added or dropped ('Emin Shaig Ibrahimov', 'Emin Ibrahimov')."""
    ends = {_ends(m.surface) for m in people}
    found = []
    for run in _runs(text, taken):
        words = [w for w in run if not _not_name_word(w.group(), cues)]
        if 1 < len(words) <= 4 and words == run[len(run) - len(words) :]:
            span = Span(words[0].start(), words[-1].end())
            surface = text[span.begin : span.end]
            if _ends(surface) in ends:
                found.append(Mention(Actor(slug(surface), surface, "Person"), span, surface))
    return found


def _has_person_cue(
    text: str,
    span: Span,
    found: list[Mention],
    role_of: re.Match[str] | None,
    pattern: dict[str, re.Pattern[str]],
) -> bool:
    before = text[max(0, span.begin - 160) : span.begin]
    after = text[span.end : span.end + 160]
    if role_of or any(pattern[k].search(before) for k in ("role", "kin")):
        return True
    if any(pattern[k].match(after) for k in ("appositive", "who")):
        return True
    # The next name of a list: "activists Nemat Abbasov, Amrah Tahmazov, and ..."
    return bool(found) and bool(pattern["list_join"].match(text[found[-1].span.end : span.begin]))


def _keys_of_last_words(mentions: Iterable[Mention]) -> set[str]:
    return {spelling_key(m.surface.split()[-1]) for m in mentions if m.actor.type == "Person"}


@cache
def _organization_pattern() -> re.Pattern[str]:
    """A run of capitalised words, joined by 'of', 'for', 'and', 'on', 'the'."""
    word = rf"[{UPPER}][\w-]*(?<=s)’|[{UPPER}][\w-]*"
    return re.compile(
        rf"(?<![\w’'])(?:(?:{word}) (?:(?:of|for|and|on) (?:the )?)?)*(?:{word})(?![\w])"
    )


def _new_organizations(text: str, taken: list[Span], places: list[Span]) -> list[Mention]:
    """Organisations in no registry, by the head noun of their name.

    Conservative: a part of a larger body ("Press Service Department at the
    Ministry"), anything overlapping a name already found, and names after or
    before a possessive are left out.
    """
    cues = load_cues()
    found = []
    for match in _organization_pattern().finditer(text):
        words = list(WORD.finditer(text, match.start(), match.end()))
        while words and (
            words[0].group() in cues.function_words
            or cues.is_role_noun(words[0].group())
            or words[0].group().islower()
        ):
            words.pop(0)
        heads = [w.group() for w in words if w.group() in cues.organization_heads]
        if len(words) < 2 or not heads:
            continue
        span = Span(words[0].start(), match.end())
        # A name found already ends the run: "Movement for Civic Dignity Javid Rzayev"
        later = [s.begin for s in taken if span.begin < s.begin < span.end and s not in places]
        if later:
            span = Span(span.begin, text.rindex(" ", span.begin, min(later)))
            if re.search(r"\b(?:of|for|on|and|the)$", text[span.begin : span.end]):
                continue  # "Foreign Affairs Department of the Prosecutor General’s Office"
            words = [w for w in words if w.end() <= span.end]
            heads = [w.group() for w in words if w.group() in cues.organization_heads]
            if len(words) < 2 or not heads:
                continue
        if any(s.begin < span.end and span.begin < s.end for s in taken if s not in places):
            continue  # places may be part of the name: "Baku Grave Crimes Court"
        before, after = text[max(0, span.begin - 3) : span.begin], text[span.end : span.end + 12]
        if re.search(r"['’]s?\s$", before) or re.match(r"['’]s\b|\s+at\s+(?:the\s+)?[A-Z]", after):
            continue
        surface = text[span.begin : span.end].rstrip("’")
        actor = Actor(slug(surface), surface, cues.organization_heads[heads[0]])
        found.append(Mention(actor, Span(span.begin, span.begin + len(surface)), surface))
    found += _quoted_organizations(text, taken + [m.span for m in found], cues)
    return found


def _quoted_organizations(text: str, taken: list[Span], cues: Cues) -> list[Mention]:
    """'public organization “Citizen Consciousness”' -> an Organization."""
    nouns = alternation(list(cues.organization_nouns))
    found = []
    for match in re.finditer(rf"\b({nouns})\s+“([^“”]{{2,60}}?)[,.]?”", text, re.IGNORECASE):
        span = Span(match.start(2), match.end(2))
        if _inside(span.begin, taken):
            continue
        kind = cues.organization_nouns[normalise_name(match.group(1))]
        surface = match.group(2)
        found.append(Mention(Actor(slug(surface), surface, kind), span, surface))
    return found


def _merge_variants(mentions: list[Mention], registry: Registry) -> list[Mention]:
    """New names that are spellings of a registry name become that entry; new
    names of one person in this digest ('Emin Ibrahimov', 'Emin Shaig
    Ibrahimov') take the fullest of them as label and key."""
    by_spelling, by_ends = _per_registry(registry, "spellings", _spellings)
    fullest: dict[tuple[str, str], str] = {}
    for m in mentions:
        if not m.actor.in_registry and m.actor.type == "Person":
            key = _ends(m.actor.label)  # the name without a patronymic
            if len(m.actor.label) > len(fullest.get(key, "")):
                fullest[key] = m.actor.label
    organizations = sorted(
        {m.actor.label for m in mentions if not m.actor.in_registry and m.actor.type != "Person"},
        key=len,
    )
    merged = []
    for m in mentions:
        actor = m.actor
        if not actor.in_registry and actor.type != "Person":
            # "European Court" is the "European Court of Human Rights" named before or after
            longer = [o for o in organizations if o.startswith(actor.label + " ")]
            if longer:
                actor = Actor(slug(longer[-1]), longer[-1], actor.type)
        if not actor.in_registry:
            entry = by_spelling.get(spelling_key(m.surface))
            if entry is None and actor.type == "Person":
                entry = by_ends.get(_ends(m.surface))
            if entry is not None:
                actor = actor_from_entry(entry)
            elif actor.type == "Person":
                label = fullest[_ends(actor.label)]
                actor = Actor(slug(label), label, "Person")
        merged.append(Mention(actor, m.span, m.surface))
    return merged


def _spellings(
    registry: Registry,
) -> tuple[dict[str, Entry], dict[tuple[str, str], Entry]]:
    """The registry by spelling key of its multi-word names, and its persons by
    (given name, surname)."""
    by_spelling = {
        spelling_key(n): e for e in registry.entries for n in e.names if len(n.split()) > 1
    }
    by_ends = {_ends(n): e for e in registry.entries if e.type == "Person" for n in e.names}
    return by_spelling, by_ends


def _ends(name: str) -> tuple[str, str]:
    """First and last word of a name, spelling-folded: (given name, surname)."""
    words = spelling_key(name).split()
    return (words[0], words[-1]) if len(words) > 1 else ("", words[0] if words else "")


# -- 3. short references ---------------------------------------------------------


def _surname_keys(registry: Registry) -> set[str]:
    return _per_registry(registry, "surname keys", _build_surname_keys)


def _build_surname_keys(registry: Registry) -> set[str]:
    return {
        spelling_key(n.split()[-1]) for e in registry.entries if e.type == "Person" for n in e.names
    }


def _short_name_index(
    registry: Registry,
) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    """Persons by spelling key of their one-word names, and by that of their surnames."""
    short_names: dict[str, list[Entry]] = {}
    surnames: dict[str, list[Entry]] = {}
    for entry in registry.entries:
        for name in entry.names:
            if _is_short_name(entry, name):
                short_names.setdefault(spelling_key(name), []).append(entry)
            elif entry.type == "Person" and " " in name:
                bucket = surnames.setdefault(spelling_key(name.split()[-1]), [])
                if entry not in bucket:
                    bucket.append(entry)
    return short_names, surnames


def _short_references(text: str, full: list[Mention], registry: Registry) -> list[Mention]:
    """Bare surnames (and registered one-word names) of persons.

    A surname refers to the last person of that surname named in full before
    it; failing that, to the registry person whose one-word alias it is, or
    the one registry person of that surname; failing that, to the one person
    of that surname named later in the digest.
    """
    cues = load_cues()
    people = [m for m in full if m.actor.type == "Person" and len(m.surface.split()) > 1]
    short_names, surnames = _per_registry(registry, "short names", _short_name_index)
    local = _keys_of_last_words(people)
    taken = [m.span for m in full]
    found = []
    for word in WORD.finditer(text):
        key = spelling_key(word.group())
        if not _capitalised(word.group()) or _inside(word.start(), taken):
            continue
        if key not in local and key not in short_names and key not in surnames:
            continue
        if _glued_to_name(text, word.start(), cues) or re.match(
            rf" [{UPPER}]\w", text[word.end() :]
        ):
            continue  # "Gubad Bey" is not Galib Toghrul Bey
        actor = _antecedent_person(people, key, word.start())
        if actor is None:
            entries = short_names.get(key) or surnames.get(key) or []
            actor = actor_from_entry(entries[0]) if len(entries) == 1 else None
        if actor is None:
            later = {m.actor for m in people if _surname_of(m) == key}
            actor = later.pop() if len(later) == 1 else None
        if actor is not None:
            found.append(Mention(actor, Span(word.start(), word.end()), word.group()))
    return found


def _surname_of(mention: Mention) -> str:
    return spelling_key(mention.surface.split()[-1])


def _antecedent_person(people: list[Mention], key: str, offset: int) -> Actor | None:
    for mention in reversed(people):
        if mention.span.begin < offset and _surname_of(mention) == key:
            return mention.actor
    return None


# -- references by description ---------------------------------------------------


def last_person(mentions: list[Mention], offset: int, since: int = 0) -> Actor | None:
    """The last person named before `offset` (and at or after `since`): what
    'He stated' refers to."""
    for mention in reversed(mentions):
        if since <= mention.span.begin < offset and mention.actor.type == "Person":
            return mention.actor
    return None


def described(mentions: list[Mention], offset: int, noun: str) -> Actor | None:
    """The actor a definite description refers to: 'the ministry', 'the
    Party', 'the embassy' -> the last actor named before `offset` whose name
    has that noun."""
    word = re.compile(rf"\b{re.escape(noun)}\b", re.IGNORECASE)
    for mention in reversed(mentions):
        named = word.search(mention.actor.label) or word.search(mention.surface)
        if named and mention.span.begin < offset and mention.actor.type != "Person":
            return mention.actor
    return None


# -- roles -----------------------------------------------------------------------


@cache
def _role_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cues = load_cues()
    # A capitalised word or a listed modifier: "Labor rights activist", "French President"
    opener = alternation(sorted(cues.function_words))
    modifier = rf"(?:{alternation(cues.title_modifiers)}|(?-i:(?!{opener}\b)[{UPPER}][\w’'-]*))"
    complement = r"(?:\s+(?:of|for|to|at|in)\s+[^,.;:()“”]{1,80}?)?"
    # Before a name the complement is short and has no clause in it:
    # "Chairperson of APFP", "Human Rights Ombudsman of Nagorno Karabakh".
    short = r"(?:(?!(?:that|which|who|this|in)\b)[\w’'-]+ +){0,5}?[\w’'-]+"
    before = re.compile(
        rf"(?<![\w’'])(?P<title>(?:{modifier} +){{0,4}}{cues.role}"
        rf"(?: +(?:of|for|to) +{short})?) *,? +$",
        re.IGNORECASE,
    )
    after = re.compile(
        rf"^,\s+(?:who\s+(?:serves|served|works|worked|is|was)\s+as\s+)?(?:(?:a|an|the)\s+)?"
        rf"(?P<title>(?:{modifier}\s+){{0,3}}{cues.role}{complement}(?:\s*“[^”]*”)?)"
        r"(?:\s*[,.;(“]|(?<=”))",
        re.IGNORECASE,
    )
    return before, after


def find_roles(digest: Digest, mentions: list[Mention], doc: Doc | None = None) -> list[RoleClaim]:
    """Roles the text states for the persons it names: 'Chairperson of APFP
    Ali Karimli', 'Nurlan Libre, a journalist', 'Elchin Amirbeyov, who serves
    as the representative of ...'. The organization is the last organization
    (not a country or place) named inside the title, or the one a description
    there ('the Party') refers to."""
    cues = load_cues()
    before_pattern, after_pattern = _role_patterns()
    text = digest.text
    doc = doc if doc is not None else analyse(digest)
    claims = []
    for mention in mentions:
        if mention.actor.type != "Person":
            continue
        begin, end = mention.span.begin, mention.span.end
        window = text[max(0, begin - 160) : begin]
        before = before_pattern.search(window)
        after = after_pattern.match(text[end : end + 200])
        title_begin = begin - len(window) + before.start("title") if before else 0
        if before and not _has_verb(doc, title_begin, title_begin + len(before["title"])):
            title_begin = begin - len(window) + before.start("title")
            title_span = Span(title_begin, title_begin + len(before["title"]))
            role_span = Span(title_span.begin, end)
        elif after:
            title_span = Span(end + after.start("title"), end + after.end("title"))
            role_span = Span(begin, title_span.end)
        else:
            continue
        title = re.sub(r"\s+", " ", text[title_span.begin : title_span.end]).strip()
        if title.casefold().endswith("s") and cues.is_role_noun(title.split()[-1]):
            title = title[:-1]  # "activists Nemat Abbasov, ..." -> activist
        title = re.sub(r",”$", "”", title)
        if any(c.actor == mention.actor and slug(c.title) == slug(title) for c in claims):
            continue  # "Veteran Jahangir Aliyev ... Veteran Aliyev"
        claims.append(
            RoleClaim(mention.actor, title, _organization_in(mentions, title_span, text), role_span)
        )
    return claims


def _organization_in(mentions: list[Mention], span: Span, text: str) -> Actor | None:
    inside = [
        m.actor
        for m in outermost(mentions)
        if span.begin <= m.span.begin < span.end
        and m.actor.type not in ("Person", "Place", "Country")  # vox:roleIn is an Organization
    ]
    if inside:
        return inside[-1]
    description = re.search(r"\bthe\s+([A-Z]\w+)\s*$", text[span.begin : span.end])
    return described(mentions, span.begin, description.group(1)) if description else None
