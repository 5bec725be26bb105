"""Pass 2b: organisations in no registry, by the head noun of their name
("the Workers’ Table Trade Unions Confederation"), a quoted name after a noun
(public organization “Citizen Consciousness”), or a longer name that only
qualifies a registry body ("National Security Service of Armenia"); and the
merging of spelling variants of one actor."""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc

from voxgraph.iris import slug
from voxgraph.loader.extract.cues import Cues, alternation, load_cues
from voxgraph.loader.extract.facts import Actor, Mention
from voxgraph.loader.extract.nlp import is_participle
from voxgraph.loader.extract.registry_names import actor_from_entry, per_registry, spelling_key
from voxgraph.loader.extract.words import (
    Word,
    capital_runs,
    glued_to_name,
    inside_any,
    not_name_word,
    surname_of,
)
from voxgraph.loader.read.digest import Span
from voxgraph.loader.registry import Entry, Registry
from voxgraph.names import normalise_name


def organization_mention(text: str, names: list[Word], cues: Cues, noun: str) -> Mention:
    span = Span(names[0].begin, names[-1].end)
    surface = text[span.begin : span.end]
    kind = cues.organization_nouns[noun]
    return Mention(Actor(slug(surface), surface, kind), span, surface)


def repeated_organizations(
    text: str, words: list[Word], taken: list[Span], found: list[Mention]
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
    for run in capital_runs(text, words, taken):
        for i in range(len(run)):
            for j in range(i, len(run)):
                surface = text[run[i].begin : run[j].end]
                span = Span(run[i].begin, run[j].end)
                if surface in organizations and span not in seen:
                    repeats.append(Mention(organizations[surface], span, surface))
                    seen.add(span)
    return repeats


def continues_a_name(doc: Doc, run: list[Word], names: list[Word], cues: Cues) -> bool:
    """Whether a run is the tail of a longer name: 'Civic Dignity' in 'the
    Movement for Civic Dignity', 'City Executive Power' after 'Ganja'."""
    index = names[0].first - 1
    if index >= 0 and doc[index].lower_ == "the":
        index -= 1
    if index >= 1 and doc[index].lower_ in ("of", "for", "on", "and"):
        word = doc[index - 1]
        if word.text[0].isupper() and word.is_alpha and not cues.is_role_noun(word.text):
            return True
    return names[0] is not run[0] and glued_to_name(doc, run[0].first, cues)


def name_variants(
    text: str, words: list[Word], taken: list[Span], people: list[Mention], cues: Cues
) -> list[Mention]:
    """Other spellings of the people found, without a cue of their own: a
    middle name added or dropped ('Emin Shaig Ibrahimov', 'Emin Ibrahimov')."""
    ends = {_ends(m.actor.label) for m in people}
    found = []
    for run in capital_runs(text, words, taken):
        names = [w for w in run if not not_name_word(w.text, cues)]
        if 1 < len(names) <= 4 and names == run[len(run) - len(names) :]:
            span = Span(names[0].begin, names[-1].end)
            surface = text[span.begin : span.end]
            if _ends(surface) in ends:
                found.append(Mention(Actor(slug(surface), surface, "Person"), span, surface))
    return found


def keys_of_last_words(mentions: Iterable[Mention]) -> set[str]:
    return {surname_of(m) for m in mentions if m.actor.type == "Person"}


def new_organizations(
    doc: Doc, words: list[Word], taken: list[Span], places: list[Span], known: list[Span]
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
        # a person the name is about: 'Committee for the Protection of Tahir Huseynli’s Rights'
        owners = [
            s
            for s in bodies
            if s not in known
            and span.begin < s.begin
            and s.end < span.end
            and re.match(r"['’]s ", text[s.end : s.end + 3])
        ]
        qualified += owners
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
    if words[0].is_sent_start and _epithet(before.split()[0]):
        return False  # 'Jailed Toplum TV journalist X': capitalised only as the sentence's first
    return re.fullmatch(r"(?:[A-Z][\w-]* )+", before) is not None


def _epithet(word: str) -> bool:
    """A participle or a hyphenated adjective ('Jailed', 'Well-known') that
    describes the body's member, not the body."""
    return is_participle(word) or bool(re.fullmatch(r"[A-Z]\w*-[a-z][\w-]*", word))


def _organization_runs(doc: Doc, words: list[Word], cues: Cues) -> list[list[Word]]:
    """Runs of capitalised words one space apart, joined by 'of', 'for', 'and'
    or 'on' (then perhaps 'the') when a capitalised word that is no time or
    function word follows ('Penitentiary Service on Friday' ends at
    'Service'); a plural in -s keeps its apostrophe ('Workers’ Table').
    Leading function words and role nouns are left out."""
    text = doc.text
    runs: list[list[Word]] = []
    current: list[Word] = []
    last: Word | None = None  # the last word taken, capitalised or joining
    pending: list[str] = []  # joining words since the last capitalised word
    for word in words:
        capital = word.text[0].isupper()
        gap = text[last.end : word.begin] if current and last is not None else None
        plural = last is not None and last.text.endswith("s") and not pending
        # a possessor inside a name comes after its head: not "the Ministry's Supply Department"
        headed = any(w.text in cues.organization_heads for w in current) and (
            last is not None and last.text not in cues.organization_heads
        )
        adjacent = (
            gap == " "
            or (gap in ("’ ", "' ") and plural)
            or (gap in ("’s ", "'s ") and headed and not pending)  # "… of Tahir Huseynli’s Rights"
        )
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
        if inside_any(span.begin, taken):
            continue
        kind = cues.organization_nouns[normalise_name(match.group(1))]
        surface = match.group(2)
        found.append(Mention(Actor(slug(surface), surface, kind), span, surface))
    return found


def merge_variants(mentions: list[Mention], registry: Registry) -> list[Mention]:
    """New names that are spellings of a registry name become that entry; new
    names of one person in this digest ('Emin Ibrahimov', 'Emin Shaig
    Ibrahimov') take the fullest of them as label and key."""
    by_spelling, by_ends = per_registry(registry, "spellings", _spellings)
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


ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Za-z]*[A-Z])\)")  # "(ANAMA)", "(YAP)"


def abbreviations(text: str, mentions: list[Mention]) -> list[Mention]:
    """An abbreviation the digest defines in brackets after a body's name
    ('the Azerbaijan National Agency for Mine Action (ANAMA)') names that body
    wherever it stands on its own later ('according to ANAMA')."""
    defined: dict[str, tuple[Actor, int]] = {}
    for m in mentions:
        if m.actor.type in ("Person", "Place"):
            continue
        found = ABBREVIATION.match(text, m.span.end)
        if found and found.group(1) not in defined:
            defined[found.group(1)] = (m.actor, found.end())
    taken = [m.span for m in mentions]
    new: list[Mention] = []
    for abbreviation, (actor, after) in defined.items():
        for use in re.finditer(rf"\b{re.escape(abbreviation)}\b", text[after:]):
            span = Span(after + use.start(), after + use.end())
            if not any(t.begin <= span.begin < t.end for t in taken):
                new.append(Mention(actor, span, abbreviation))
    return new
