"""Find the actors and places a digest names, and the roles it states for them.

Mentions are found in three passes:

1. Registry names. Every name and alias of the curated registry
   (mappings/actors.yaml), found by one spaCy PhraseMatcher over the digest's
   tokens (built once per process), leftmost-longest, so "Azerbaijan Popular
   Front Party" wins over "Azerbaijan".
2. Names in no registry: runs of capitalised words of the digest's tokens
   that spaCy's analysis makes a name. For people, the parse gives the cue
   (the word lists are in mappings/cues.yaml): a role or kin noun as the
   name's compound or in apposition ("activist Nemat Abbasov", "Minister of
   Digital Development Rashad Nabiyev", "his son, Farid Aliyev", "Nurlan
   Libre, a journalist", "X, the head of Y"), the end of a role's complement
   ("Chairperson of APFP Ali Karimli", "Member of the Milli Majlis Elshad
   Musayev"), a relative clause on "who", a role after "as" ("the
   appointment of X as the head of …"), the next name of a list of people,
   a verb of saying or of arrest ("Elchin Amirbeyov stressed", "X was
   detained"); or the named-entity recogniser takes it for a person. The
   series' habits: a surname first before a patronymic ("Guliyev Tural Rasim
   oghlu") or by its ending ("Mammadov Elvin"), keyed given name first.
   Organisations by the head noun of their name ("the Workers’ Table Trade
   Unions Confederation"); a longer name that only qualifies a registry body
   is another body ("National Security Service of Armenia"). A run without
   such a cue is no actor, and a person only described ("an activist", "his
   sister") is never given a name: a wrong actor costs more than a missing
   one.
3. Short references. A bare surname or given name ("Karimli wrote:",
   "Karimli’s post", "Tural") refers to the person of that name named in full
   last before it in the digest (else the only one named after it), so that
   Ilham, Jahangir and Kamran Aliyev stay apart; a title before it
   ("President Aliyev") names the registry person with that role; failing
   all that, the one registry person it can name.

Spellings that differ only by transliteration (Ibadoglu, Ibadoghlu,
İbadoğlu) or by a middle name (Emin Shaig Ibrahimov, Emin Ibrahimov) name one
person. An actor in no registry is keyed by the slug of its fullest name in
the digest, so that it gets the same IRI in every digest that names it so.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from voxgraph.iris import slug
from voxgraph.loader.extract.cues import Cues, alternation, load_cues
from voxgraph.loader.extract.facts import Actor, Mention, RoleClaim
from voxgraph.loader.extract.nlp import analyse, pipeline
from voxgraph.loader.read.digest import Digest, Span
from voxgraph.loader.registry import Entry, Registry
from voxgraph.names import normalise_name

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
    words = _words(doc)
    full = _registry_mentions(doc, registry)
    # Headings are titles, not prose: no cue there introduces anyone.
    headings = [s.title_span for s in digest.sections]
    full += _new_people(doc, words, [m.span for m in full] + headings, registry)
    places = [m.span for m in full if m.actor.type in ("Place", "Country")]
    bodies = [m.span for m in full if m.actor.type not in ("Person", "Place", "Country")]
    organizations, swallowed = _new_organizations(
        doc, words, [m.span for m in full] + headings, places, bodies
    )
    full = [m for m in full if m.span not in swallowed] + organizations
    full += _described_bodies(doc, [m.span for m in full], full)
    full = _merge_variants(full, registry)
    full += _short_references(doc, words, full, registry)
    return sorted(full, key=lambda m: m.span.begin)


# -- 1. registry names ---------------------------------------------------------


def _is_short_name(entry: Entry, name: str) -> bool:
    """A one-word name of a person ('Karimli', 'Nurlan'): resolved in pass 3."""
    return entry.type == "Person" and " " not in name.strip() and name != entry.label


def _apostrophe_variants(name: str) -> set[str]:
    """The series writes both apostrophes: 'Workers’ Table' and "Workers' Table"."""
    return {name, name.replace("'", "’"), name.replace("’", "'")}


class _RegistryMatcher:
    """Every name and alias of the registry as one spaCy PhraseMatcher, built
    once per registry (not per digest). Names of several words match in any
    case ("state security service"), one-word names only as written ("Baku",
    not "baku"). A name that two entries share stands for neither."""

    def __init__(self, registry: Registry):
        nlp = pipeline()
        self.entries: dict[str, Entry] = {}
        self.single: set[str] = set()  # one-word names, as written, apostrophes folded
        patterns: set[str] = set()  # as written: the tokenizer splits 'U.N.' and 'u.n.' apart
        for entry in registry.entries:
            for name in entry.names:
                named = registry.by_name.get(normalise_name(name), [])
                if len(named) == 1 and not _is_short_name(entry, name):
                    self.entries[normalise_name(name)] = entry
                    patterns |= _apostrophe_variants(name)
                    if " " not in name.strip():
                        self.single.add(name.strip().replace("’", "'"))
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("NAME", list(nlp.tokenizer.pipe(sorted(patterns))))

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


def _registry_mentions(doc: Doc, registry: Registry) -> list[Mention]:
    """Registry names, leftmost-longest; inside a name that is no place, the
    other registry names it holds too ('Ganja' in 'Ganja Court of Appeals')."""
    matcher = _per_registry(registry, "matcher", _RegistryMatcher)
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


# -- 2. names in no registry -----------------------------------------------------


@dataclass(frozen=True)
class _Word:
    """A word of the digest: one token, or tokens joined by inner hyphens
    ('Nagorno-Karabakh', 'Ter-Petrosyan'); never the possessive ('Karimli’s'
    is the word 'Karimli')."""

    text: str
    begin: int  # character offsets
    end: int
    first: int  # token indices, [first, last]
    last: int


def _words(doc: Doc) -> list[_Word]:
    words: list[_Word] = []
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
        words.append(_Word(text, token.idx, token.idx + len(text), i, j))
        i = j + 1
    return words


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def _runs(text: str, words: list[_Word], taken: list[Span]) -> list[list[_Word]]:
    """Runs of capitalised words, one space apart, outside the taken spans."""
    runs: list[list[_Word]] = []
    previous: _Word | None = None
    inside = _Taken(taken)
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


def _inside(offset: int, spans: Iterable[Span]) -> bool:
    return any(s.begin <= offset < s.end for s in spans)


class _Taken:
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


def _not_name_word(word: str, cues: Cues) -> bool:
    return (
        word in cues.function_words
        or word in cues.title_words
        or word in cues.organization_heads
        or cues.is_role_noun(word)
        or not _capitalised(word)
    )


def _is_person_noun(token: Token, cues: Cues, kin: bool = True) -> bool:
    """A role noun ('activist', 'Minister', 'activists') or, with `kin`, a
    relative ('son', 'brother'): nouns that introduce a person."""
    return cues.is_role_noun(token.text) or (kin and token.lower_ in cues.kin_nouns)


def _name_root(doc: Doc, names: list[_Word]) -> Token:
    """The head of a name in the parse: its word whose head lies outside it
    (the last such, for a run the parser split)."""
    first, last = names[0].first, names[-1].last
    roots = [doc[i] for i in range(first, last + 1) if not first <= doc[i].head.i <= last]
    return roots[-1] if roots else doc[last]


def _name_part(doc: Doc, names: list[_Word]) -> list[_Word]:
    """The words of a run that the parse joins into one name with its head:
    'Rashad Nabiyev' of 'Digital Development Rashad Nabiyev' (after 'Minister
    of'); the words hung elsewhere are the end of a title."""
    root = _name_root(doc, names)

    def joined(token: Token) -> bool:
        while token.i != root.i:
            if token.dep_ not in ("compound", "flat") or token.head.i <= token.i:
                return False
            token = token.head
        return True

    part = [w for w in names if joined(doc[w.last])]
    if not part or part[-1] is not names[-1]:
        return names
    entity = doc[names[-1].last]
    if entity.ent_type_ == "PERSON":
        # the recogniser sees where the name begins: 'Movement for Civic Dignity Javid Rzayev'
        begin = next(e.start for e in doc.ents if e.start <= entity.i < e.end)
        part = [w for w in part if w.first >= begin] or part
    return names[names.index(part[0]) :]


def _person_cue(doc: Doc, names: list[_Word], found: list[Mention], cues: Cues) -> bool:
    """Whether the parse makes a run of capitalised words a person's name:
    a role or kin noun as its title ('activist Nemat Abbasov', 'Minister of
    Digital Development Rashad Nabiyev') or in apposition ('Nurlan Libre, a
    journalist', 'his son, Farid Aliyev', 'X, the head of Y'), a relative
    clause on 'who' ('Rail Abbasov, who …'), the next name of a list that
    began with a person ('activists Nemat Abbasov, Amrah Tahmazov'), the
    object of 'Chairperson of APFP', a role after 'as' ('appointed X as
    ambassador'), or a verb of saying or of arrest."""
    root = _name_root(doc, names)
    first, last = names[0].first, names[-1].last
    after = doc[last + 1] if last + 1 < len(doc) else None
    if after is not None and after.lower_ in cues.patronymics and root.head == after:
        root = after  # "Guliyev Tural Rasim oghlu, an activist": the patronymic heads the name
    if (
        after is not None
        and after.lower_ == "as"
        and any(c.dep_ == "pobj" and _is_person_noun(c, cues, kin=False) for c in after.children)
    ):
        return True  # "the appointment of Fikrat Jafarzade as the head of …"
    for child in root.children:
        title = child.dep_ in ("compound", "nmod", "amod", "appos") and child.i < first
        if title and _is_person_noun(child, cues):
            return True
        if child.dep_ == "appos" and child.i > last and _is_person_noun(child, cues):
            return True
        if child.dep_ == "relcl" and any(
            g.lower_ in ("who", "whom", "whose") for g in child.subtree if g.i < child.i
        ):
            return True
    head = root.head
    if root.dep_ == "appos" and head.i < first and _is_person_noun(head, cues):
        return True
    if _role_of(root, first) is not None:
        return True
    if root.dep_ == "conj" and found and found[-1].actor.type == "Person":
        begin, end = found[-1].span.begin, found[-1].span.end
        if begin <= head.idx < end:
            return True
    return _verb_cue(root)


def _role_of(root: Token, first: int) -> Token | None:
    """The role noun whose complement ends in the name: 'Chairperson of APFP
    Ali Karimli', 'Chairman of the Milli Majlis Committee on Human Rights
    Asif Rustamov' (up through prepositions and the capitalised nouns of a
    name). Something must stand between the preposition and the name:
    'deputy minister of Digital Development' names an office, not a person."""
    cues = load_cues()
    token, steps = root, 0
    if root.dep_ == "appos" and root.head.i < first:
        token = root.head  # "Member of the Milli Majlis Elshad Musayev"
    while token.dep_ == "pobj" and token.head.dep_ == "prep" and steps < 6:
        prep, noun = token.head, token.head.head
        if token is root and prep.i + 1 >= first:
            return None
        if noun.i > prep.i or noun.pos_ not in ("NOUN", "PROPN"):
            return None
        if _is_person_noun(noun, cues, kin=False):
            return noun
        if not noun.text[0].isupper():
            return None  # "the decree of President Ilham Aliyev": a thing, not a title
        token, steps = noun, steps + 1
    return None


def _speaks(head: Token) -> bool:
    """The subject of a verb of saying, or the one "according to" names."""
    cues = load_cues()
    verb = head.head
    if head.dep_ == "nsubj" and verb.lemma_.lower() in cues.speech_lemmas:
        return True
    return head.dep_ == "pobj" and verb.lower_ == "to" and verb.head.lower_ == "according"


def _described_bodies(doc: Doc, taken: list[Span], known: list[Mention]) -> list[Mention]:
    """Bodies the digest only describes, where they speak: 'according to the
    presidential press service'. The description, without its article, is
    the name (lower-case modifiers and an organisation noun of
    mappings/cues.yaml); one that fits a body named before ('the Armenian
    ministry' after the Ministry of Defense of Armenia) is that body, left to
    the statement rules."""
    cues = load_cues()
    inside = _Taken(taken)
    found = []
    for token in doc:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in cues.organisation_nouns:
            continue
        modifiers = [t for t in token.children if t.dep_ in ("amod", "compound")]
        if not modifiers or not all(m.is_lower for m in modifiers) or not _speaks(token):
            continue
        begin = min(m.idx for m in modifiers)
        if begin in inside or token.idx in inside:
            continue
        words = [m.lower_ for m in modifiers] + [token.lower_]
        if any(
            all(w in m.actor.label.casefold() for w in words)
            for m in known
            if m.span.begin < begin and m.actor.type not in ("Person", "Place")
        ):
            continue
        span = Span(begin, token.idx + len(token))
        surface = doc.text[span.begin : span.end]
        kind = cues.organization_heads.get(token.text.capitalize(), "Organization")
        found.append(Mention(Actor(slug(surface), surface, kind), span, surface))
    return found


def _verb_cue(head: Token) -> bool:
    """The subject of a verb of saying ("Elchin Amirbeyov stressed", "“…,”
    said Dmitry Peskov"), the one "according to" names, or the one a verb of
    arrest, trial or release happens to ("Rail Abbasov was arrested", "police
    detained Tural Mammadli")."""
    cues = load_cues()
    while head.dep_ in ("conj", "appos") and head.head.i != head.i:
        head = head.head  # "Nemat Abbasov and Amrah Tahmazov were detained"
    if head.dep_ in ("nsubjpass", "dobj") and head.head.lemma_.lower() in cues.person_passives:
        return True
    return _speaks(head)


def _ner_person(doc: Doc, names: list[_Word]) -> bool:
    """Whether the named-entity recogniser takes the whole of a name for a person."""
    return all(t.ent_type_ == "PERSON" for t in doc[names[0].first : names[-1].last + 1])


def _given_first(names: list[str], patronymic: bool) -> list[str]:
    """A name in the order given name, surname: the series often writes the
    surname first, as Azerbaijani documents do ('Guliyev Tural Rasim oghlu',
    'Mammadov Elvin'): before a patronymic the order is surname, given name,
    father's name; without one, a first word with a surname ending before a
    last word without one."""
    if patronymic:
        names = names[:-1]
        return [names[1], names[0]] if len(names) == 2 else names
    if len(names) == 2 and _surname_like(names[0]) and not _surname_like(names[1]):
        return [names[1], names[0]]
    return names


def _surname_like(word: str) -> bool:
    word = word.casefold()
    return any(
        len(word) > len(ending) + 2 and word.endswith(ending)
        for ending in load_cues().surname_endings
    )


def _new_people(
    doc: Doc, words: list[_Word], taken: list[Span], registry: Registry
) -> list[Mention]:
    """Persons in no registry, each introduced by a cue of the parse or
    recognised as a person by the named-entity recogniser (see module doc)."""
    text, cues = doc.text, load_cues()
    known_surnames = _surname_keys(registry)
    found: list[Mention] = []
    for run in _runs(text, words, taken):
        names = list(run)
        while names and _not_name_word(names[0].text, cues):
            names.pop(0)
        if not names or any(_not_name_word(w.text, cues) for w in names):
            continue
        before = _token_before(doc, names[0].first)
        if before is not None and before.lower_ in ("the", "a", "an"):
            continue  # "the Executive Power": names of people take no article
        if before is not None and before.lower_ in cues.organization_nouns and len(names) <= 4:
            # "the independent outlet Kanal Azad": an organisation, not a person
            found.append(_organization_mention(text, names, cues, before.lower_))
            continue
        names = _name_part(doc, names) if names[0] is run[0] else names
        if _continues_a_name(doc, run, names, cues) and not _listed(doc, names, found):
            continue
        if len(names) > 4:
            continue
        span = Span(names[0].begin, names[-1].end)
        after = doc[names[-1].last + 1] if names[-1].last + 1 < len(doc) else None
        patronymic = after is not None and after.lower_ in cues.patronymics and len(names) > 2
        if patronymic:
            # "Guliyev Tural Rasim oghlu": the father's name is no part of the key
            span = Span(span.begin, after.idx + len(after))
        key = " ".join(_given_first([w.text for w in names], patronymic))
        if len(names) == 1:
            # One word is a name only after a capitalised title ("Secretary of
            # State Blinken"), and only if it is no surname named elsewhere.
            if before is None or not before.text[0].isupper() or not _is_person_noun(before, cues):
                continue
            if spelling_key(names[0].text) in known_surnames | _keys_of_last_words(found):
                continue
        elif not (_person_cue(doc, names, found, cues) or _ner_person(doc, names)):
            continue
        surface = text[span.begin : span.end]
        found.append(Mention(Actor(slug(key), key, "Person"), span, surface))
    found += _repeated_organizations(text, words, taken + [m.span for m in found], found)
    people = [m for m in found if m.actor.type == "Person"]
    return found + _variants(text, words, taken + [m.span for m in found], people, cues)


def _token_before(doc: Doc, first: int) -> Token | None:
    """The token before a name, over an opening quotation mark: 'the public
    organization “Citizen Consciousness”'."""
    index = first - 1
    while index >= 0 and doc[index].is_quote:
        index -= 1
    return doc[index] if index >= 0 else None


def _listed(doc: Doc, names: list[_Word], found: list[Mention]) -> bool:
    """'Orkhan Gasimov and Elchin Rustamli': the next name of a list of people."""
    if not found or found[-1].actor.type != "Person":
        return False
    between = doc.text[found[-1].span.end : names[0].begin]
    return between.strip(" ,") in ("", "and") and len(between) < 8


def _organization_mention(text: str, names: list[_Word], cues: Cues, noun: str) -> Mention:
    span = Span(names[0].begin, names[-1].end)
    surface = text[span.begin : span.end]
    kind = cues.organization_nouns[noun]
    return Mention(Actor(slug(surface), surface, kind), span, surface)


def _repeated_organizations(
    text: str, words: list[_Word], taken: list[Span], found: list[Mention]
) -> list[Mention]:
    """Later mentions of an organisation introduced by its noun ('Ses Media')."""
    repeats: list[Mention] = []
    organizations = {m.surface: m.actor for m in found if m.actor.type != "Person"}
    for index, mention in enumerate(found):
        if mention.surface in organizations:  # "the deputy editor of Ses Media"
            found[index] = Mention(organizations[mention.surface], mention.span, mention.surface)
    if not organizations:
        return repeats
    seen = {m.span for m in found}
    for run in _runs(text, words, taken):
        for i in range(len(run)):
            for j in range(i, len(run)):
                surface = text[run[i].begin : run[j].end]
                span = Span(run[i].begin, run[j].end)
                if surface in organizations and span not in seen:
                    repeats.append(Mention(organizations[surface], span, surface))
                    seen.add(span)
    return repeats


def _continues_a_name(doc: Doc, run: list[_Word], names: list[_Word], cues: Cues) -> bool:
    """Whether a run is the tail of a longer name: 'Civic Dignity' in 'the
    Movement for Civic Dignity', 'City Executive Power' after 'Ganja'."""
    index = names[0].first - 1
    if index >= 0 and doc[index].lower_ == "the":
        index -= 1
    if index >= 1 and doc[index].lower_ in ("of", "for", "on", "and"):
        word = doc[index - 1]
        if word.text[0].isupper() and word.is_alpha and not cues.is_role_noun(word.text):
            return True
    return names[0] is not run[0] and _glued_to_name(doc, run[0].first, cues)


def _glued_to_name(doc: Doc, first: int, cues: Cues) -> bool:
    """Whether the word just before token `first` (one space apart) is part of a name."""
    if first == 0:
        return False
    previous = doc[first - 1]
    return (
        previous.whitespace_ == " "
        and previous.is_alpha
        and not _not_name_word(previous.text, cues)
    )


def _variants(
    text: str, words: list[_Word], taken: list[Span], people: list[Mention], cues: Cues
) -> list[Mention]:
    """Other spellings of the people found, without a cue of their own: a
    middle name added or dropped ('Emin Shaig Ibrahimov', 'Emin Ibrahimov')."""
    ends = {_ends(m.actor.label) for m in people}
    found = []
    for run in _runs(text, words, taken):
        names = [w for w in run if not _not_name_word(w.text, cues)]
        if 1 < len(names) <= 4 and names == run[len(run) - len(names) :]:
            span = Span(names[0].begin, names[-1].end)
            surface = text[span.begin : span.end]
            if _ends(surface) in ends:
                found.append(Mention(Actor(slug(surface), surface, "Person"), span, surface))
    return found


def _keys_of_last_words(mentions: Iterable[Mention]) -> set[str]:
    return {_surname_of(m) for m in mentions if m.actor.type == "Person"}


def _new_organizations(
    doc: Doc, words: list[_Word], taken: list[Span], places: list[Span], known: list[Span]
) -> tuple[list[Mention], list[Span]]:
    """Organisations in no registry, by the head noun of their name: runs of
    capitalised words joined by 'of', 'for', 'and', 'on' (and 'the'): 'the
    Workers’ Table Trade Unions Confederation', 'Ministry of Culture'.

    Conservative: a part of a larger body ("Press Service Department at the
    Ministry"), anything overlapping a name already found, and names after or
    before a possessive are left out. But a registry name that the new name
    only qualifies ('Security Service' in 'National Security Service of
    Armenia') names another body: the new name wins, and the registry
    mentions it swallows are returned too.
    """
    text, cues = doc.text, load_cues()
    found, swallowed = [], []
    for names in _organization_runs(doc, words, cues):
        span = Span(names[0].begin, names[-1].end)
        overlapping = [s for s in taken if s.begin < span.end and span.begin < s.end]
        bodies = [s for s in overlapping if s not in places]
        head = next((w for w in names if w.text in cues.organization_heads), None)
        qualified = [
            s
            for s in bodies
            if s in known
            and head is not None
            and s.begin <= head.begin < s.end
            and _qualifies(doc, span, s, places)
        ]
        if qualified:
            swallowed += qualified
            bodies = [s for s in bodies if s not in qualified]
        later = [s.begin for s in bodies if span.begin < s.begin < span.end]
        if later:
            # a name found already ends the run: "Movement for Civic Dignity Javid Rzayev"
            span = Span(span.begin, text.rindex(" ", span.begin, min(later)))
            if re.search(r"\b(?:of|for|on|and|the)$", text[span.begin : span.end]):
                continue  # "Foreign Affairs Department of the Prosecutor General’s Office"
            names = [w for w in names if w.end <= span.end]
        heads = [w.text for w in names if w.text in cues.organization_heads]
        if len(names) < 2 or not heads:
            continue
        generic = {w.text for w in names} <= cues.title_words | set(cues.organization_heads)
        if generic and text[span.begin : span.end] == " ".join(w.text for w in names):
            continue  # "the Head of the Executive Power": a description, not a name
        if any(s.begin < span.end and span.begin < s.end for s in bodies):
            continue  # places may be part of the name: "Baku Grave Crimes Court"
        before = text[max(0, span.begin - 3) : span.begin]
        after = text[span.end : span.end + 12]
        if re.search(r"['’]s?\s$", before) or re.match(r"['’]s\b|\s+at\s+(?:the\s+)?[A-Z]", after):
            continue
        surface = text[span.begin : span.end].rstrip("’'")
        actor = Actor(slug(surface), surface, cues.organization_heads[heads[0]])
        found.append(Mention(actor, Span(span.begin, span.begin + len(surface)), surface))
    found += _quoted_organizations(text, taken + [m.span for m in found], cues)
    return found, swallowed


def _qualifies(doc: Doc, span: Span, inner: Span, places: list[Span]) -> bool:
    """Whether a longer name only qualifies a name inside it: capitalised words
    before it ('National Security Service') or 'of' and a place after it
    ('Ministry of Defense of Armenia'), nothing else. A nationality before it
    ('Azerbaijani State Security Service') says whose body it is, and the
    registry lists the national forms it knows: no other body."""
    text = doc.text
    if not (span.begin <= inner.begin and inner.end <= span.end) or inner == span:
        return False
    after = text[inner.end : span.end]
    if after:
        place = re.match(r" of (?:the )?", after)
        rest = Span(inner.end + place.end(), span.end) if place else None
        if rest is None or rest not in places:
            return False
    before = text[span.begin : inner.begin]
    if not before:
        return True
    words = doc.char_span(span.begin, inner.begin, alignment_mode="contract")
    demonyms = load_cues().demonyms
    if words is None or any(t.ent_type_ == "NORP" or t.text in demonyms for t in words):
        return False
    return re.fullmatch(r"(?:[A-Z][\w-]* )+", before) is not None


def _organization_runs(doc: Doc, words: list[_Word], cues: Cues) -> list[list[_Word]]:
    """Runs of capitalised words one space apart, joined by 'of', 'for', 'and'
    or 'on' (then perhaps 'the') when a capitalised word that is no time or
    function word follows ('Penitentiary Service on Friday' ends at
    'Service'); a plural in -s keeps its apostrophe ('Workers’ Table').
    Leading function words and role nouns are left out."""
    text = doc.text
    runs: list[list[_Word]] = []
    current: list[_Word] = []
    last: _Word | None = None  # the last word taken, capitalised or joining
    pending: list[str] = []  # joining words since the last capitalised word
    for word in words:
        capital = word.text[0].isupper()
        gap = text[last.end : word.begin] if current and last is not None else None
        plural = last is not None and last.text.endswith("s") and not pending
        adjacent = gap == " " or (gap in ("’ ", "' ") and plural)
        if capital and adjacent and not (pending and word.text in cues.function_words):
            current.append(word)
            last, pending = word, []
            continue
        joining = (not pending and word.text in ("of", "for", "and", "on")) or (
            len(pending) == 1 and word.text == "the"
        )
        if not capital and gap == " " and joining:
            pending.append(word.text)
            last = word
            continue
        if current:
            runs.append(current)
        current, last, pending = ([word], word, []) if capital else ([], None, [])
    if current:
        runs.append(current)
    trimmed = []
    for run in runs:
        while run and (run[0].text in cues.function_words or cues.is_role_noun(run[0].text)):
            run = run[1:]
        if run:
            trimmed.append(run)
    return trimmed


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
                entry = by_ends.get(_ends(actor.label))
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


def _short_references(
    doc: Doc, words: list[_Word], full: list[Mention], registry: Registry
) -> list[Mention]:
    """Bare surnames and given names of persons, and registered one-word names.

    Within the digest first: a surname (or a given name) refers to the last
    person of that surname (given name) named in full before it, so that
    Ilham, Jahangir and Kamran Aliyev stay apart; failing that, to the only
    such person the digest names later. A title before a surname ('President
    Aliyev') names the person the registry gives that title, before anyone
    else. Failing all that, the registry person whose one-word alias it is,
    or the one registry person of that surname.
    """
    cues = load_cues()
    people = [m for m in full if m.actor.type == "Person" and " " in m.actor.label]
    short_names, surnames = _per_registry(registry, "short names", _short_name_index)
    local = {_surname_of(m) for m in people} | {_given_name_of(m) for m in people}
    taken = _Taken(m.span for m in full)
    found = []
    for word in words:
        if not _capitalised(word.text) or word.begin in taken:
            continue
        key = spelling_key(word.text)
        if key not in local and key not in short_names and key not in surnames:
            continue
        following = doc[word.last + 1] if word.last + 1 < len(doc) else None
        if _glued_to_name(doc, word.first, cues) or (
            following is not None
            and doc[word.last].whitespace_
            and following.is_alpha
            and _capitalised(following.text)
        ):
            continue  # "Gubad Bey" is not Galib Toghrul Bey
        title = doc[word.first - 1] if word.first else None
        actor = None
        if title is not None and title.text[:1].isupper() and cues.is_role_noun(title.text):
            actor = _titled_entry(surnames.get(key, []), title.text)
        actor = actor or _antecedent_person(people, key, word.begin)
        if actor is None:
            entries = short_names.get(key) or surnames.get(key) or []
            actor = actor_from_entry(entries[0]) if len(entries) == 1 else None
        if actor is not None:
            found.append(Mention(actor, Span(word.begin, word.end), word.text))
    return found


def _titled_entry(entries: list[Entry], title: str) -> Actor | None:
    """The one registry person of a surname whose registered roles carry the
    title: 'President Aliyev' is the head of state, not a namesake."""
    word = title.casefold()
    titled = [e for e in entries if any(word in r.title.casefold().split() for r in e.roles)]
    return actor_from_entry(titled[0]) if len(titled) == 1 else None


def _surname_of(mention: Mention) -> str:
    """The surname of a person: the last word of the label, which names people
    given name first (see `_given_first`)."""
    return spelling_key(mention.actor.label.split()[-1])


def _given_name_of(mention: Mention) -> str:
    return spelling_key(mention.actor.label.split()[0])


def _antecedent_person(people: list[Mention], key: str, offset: int) -> Actor | None:
    """The person of that surname (or given name) named in full last before
    `offset`, else the only one named after it."""
    for mention in reversed(people):
        if mention.span.begin < offset and key in (_surname_of(mention), _given_name_of(mention)):
            return mention.actor
    for part in (_surname_of, _given_name_of):
        later = {m.actor for m in people if part(m) == key}
        if len(later) == 1:
            return later.pop()
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


def find_roles(digest: Digest, mentions: list[Mention], doc: Doc | None = None) -> list[RoleClaim]:
    """Roles the text states for the persons it names, read from the parse: a
    title before the name ('Chairperson of APFP Ali Karimli', 'Labor rights
    activist Afiaddin Mammadov', 'the chairperson of the Party, Ali
    Karimli'), in apposition after it ('Nurlan Libre, a journalist', 'X, the
    head of Y') or in a relative clause ('X, who serves as the representative
    of Y'). The organization is the last organization (not a country or
    place) named inside the title, or the one a description there ('the
    Party') refers to."""
    doc = doc if doc is not None else analyse(digest)
    text = digest.text
    claims: list[RoleClaim] = []
    for mention in mentions:
        if mention.actor.type != "Person":
            continue
        name = doc.char_span(mention.span.begin, mention.span.end, alignment_mode="expand")
        if name is None:
            continue
        found = _title_of(name)
        if found is None:
            continue
        title_span, role_span = found
        title = re.sub(r"\s+", " ", text[title_span.begin : title_span.end]).strip()
        if title.casefold().endswith("s") and load_cues().is_role_noun(title.split()[-1]):
            title = title[:-1]  # "activists Nemat Abbasov, ..." -> activist
        if title.count("“") > title.count("”"):
            title += "”"  # 'president of the organization “Citizen Consciousness,”'
        if any(c.actor == mention.actor and slug(c.title) == slug(title) for c in claims):
            continue  # "Veteran Jahangir Aliyev ... Veteran Aliyev"
        organization = _organization_in(mentions, title_span, text)
        claims.append(RoleClaim(mention.actor, title, organization, role_span))
    return claims


def _title_of(name: TokenSpan) -> tuple[Span, Span] | None:
    """(title, title and name) of the role the parse gives a name, if any."""
    cues = load_cues()
    root = name.root
    doc = name.doc
    left = [c for c in root.children if c.i < name.start and c.dep_ in ("compound", "nmod", "amod")]
    nouns = [c for c in left if _is_person_noun(c, cues, kin=False)]
    if nouns:  # "Labor rights activist Afiaddin Mammadov", "Minister of Culture X"
        first = min(t.left_edge.i for t in left)
        return _title_span(doc, first, name.start - 1, name, before=True)
    noun = _role_of(root, name.start)
    if noun is not None:  # "Chairperson of APFP Ali Karimli"
        return _title_span(doc, noun.left_edge.i, name.start - 1, name, before=True)
    head = root.head
    if root.dep_ == "appos" and head.i < name.start and _is_person_noun(head, cues, kin=False):
        # "the chairperson of the Party, Ali Karimli"
        return _title_span(doc, head.left_edge.i, name.start - 1, name, before=True)
    for child in root.children:
        if child.i < name.end:
            continue
        if child.dep_ == "appos" and _is_person_noun(child, cues, kin=False):
            # "Nurlan Libre, a journalist", "X, the head of the Bar Association"
            return _title_span(doc, child.left_edge.i, _phrase_end(child), name, before=False)
        if child.dep_ == "relcl" and child.lemma_ in cues.role_verbs:
            # "X, who serves as the representative of Y"
            as_ = next((g for g in child.children if g.lower_ == "as"), None)
            noun = next((g for g in as_.children if g.dep_ == "pobj"), None) if as_ else None
            if noun is not None and _is_person_noun(noun, cues, kin=False):
                return _title_span(doc, noun.left_edge.i, _phrase_end(child), name, before=False)
    return None


def _phrase_end(noun: Token) -> int:
    """The last token of a noun's phrase, without clauses on it and after a
    comma: 'the head of the Bar Association, who …' ends at 'Association'."""
    end = noun.i
    for token in noun.subtree:
        if token.i < noun.i:
            continue
        if (
            token.is_punct
            and token.text in ",;:()"
            or (token.i != noun.i and token.dep_ in ("relcl", "acl"))
        ):
            break
        end = token.i
    return end


def _title_span(
    doc: Doc, first: int, last: int, name: TokenSpan, before: bool
) -> tuple[Span, Span] | None:
    """The words of a title from token `first` to `last`, without articles,
    possessives, numbers and edge punctuation; with the span of title and
    name together. A title with a verb in it is a clause, not a title."""
    while first <= last and (
        doc[first].dep_ in ("det", "poss", "nummod", "npadvmod")
        or doc[first].is_punct
        or doc[first].like_num
        or doc[first].pos_ == "ADJ"
        and any(c.like_num for c in doc[first].subtree)
    ):
        first += 1
    while last >= first and doc[last].is_punct:
        last -= 1
    cues = load_cues()
    for i in range(first, last):
        pair = doc[i : i + 2]
        if all(t.is_lower and _is_person_noun(t, cues, kin=False) for t in pair):
            # "Opposition leader chairman of the Party": two titles, the last one holds;
            # but "Prosecutor General" is one
            first = i + 1
    if first > last or any(t.pos_ in ("VERB", "AUX") for t in doc[first : last + 1]):
        return None
    title = Span(doc[first].idx, doc[last].idx + len(doc[last]))
    if before:
        return title, Span(title.begin, name.end_char)
    return title, Span(name.start_char, title.end)


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
