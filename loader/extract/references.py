"""Pass 3: short references and descriptions.

A bare surname or given name ("Karimli wrote:", "Tural") refers to the person
of that name named in full last before it (else the only one named after
it), so that Ilham, Jahangir and Kamran Aliyev stay apart; a title before it
("President Aliyev") names the registry person with that role; failing that,
the one registry person it can name. "The ministry" is the last ministry
named (`described`).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.extract.facts import Actor, Mention
from voxgraph.loader.extract.registry_names import (
    actor_from_entry,
    is_short_name,
    per_registry,
    spelling_key,
)
from voxgraph.loader.extract.words import Taken, Word, capitalised, glued_to_name, surname_of
from voxgraph.loader.read.digest import Span
from voxgraph.loader.registry import Entry, Registry

# -- 3. short references ---------------------------------------------------------


def _short_name_index(
    registry: Registry,
) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    """Persons by spelling key of their one-word names, and by that of their surnames."""
    short_names: dict[str, list[Entry]] = {}
    surnames: dict[str, list[Entry]] = {}
    for entry in registry.entries:
        for name in entry.names:
            if is_short_name(entry, name):
                short_names.setdefault(spelling_key(name), []).append(entry)
            elif entry.type == "Person" and " " in name:
                bucket = surnames.setdefault(spelling_key(name.split()[-1]), [])
                if entry not in bucket:
                    bucket.append(entry)
    return short_names, surnames


def short_references(
    doc: Doc, words: list[Word], full: list[Mention], registry: Registry
) -> list[Mention]:
    """Bare surnames and given names of persons, and registered one-word names.

    Within the digest first: a surname (or a given name) refers to the last
    person of that surname (given name) named in full, or by title, before it, so that
    Ilham, Jahangir and Kamran Aliyev stay apart; failing that, to the only
    such person the digest names later. A title before a surname ('President
    Aliyev') names the person the registry gives that title, before anyone
    else. Failing all that, the registry person whose one-word alias it is,
    or the one registry person of that surname.
    """
    cues = load_cues()
    people = [m for m in full if m.actor.type == "Person" and " " in m.actor.label]
    short_names, surnames = per_registry(registry, "short names", _short_name_index)
    local = {surname_of(m) for m in people} | {_given_name_of(m) for m in people}
    taken = Taken(m.span for m in full)
    found = []
    for word in words:
        if not capitalised(word.text) or word.begin in taken:
            continue
        key = spelling_key(word.text)
        if key not in local and key not in short_names and key not in surnames:
            continue
        following = doc[word.last + 1] if word.last + 1 < len(doc) else None
        if glued_to_name(doc, word.first, cues) or (
            following is not None
            and doc[word.last].whitespace_
            and following.is_alpha
            and capitalised(following.text)
        ):
            continue  # "Gubad Bey" is not Galib Toghrul Bey
        title = doc[word.first - 1] if word.first else None
        actor = None
        if title is not None and title.text[:1].isupper() and cues.is_role_noun(title.text):
            actor = _titled_entry(surnames.get(key, []), title.text)
            if actor is not None and doc[word.last].dep_ in ("nsubj", "nsubjpass"):
                # 'President Aliyev said …, Aliyev also said': a titled subject is named
                # last; one in a by-phrase ('a decree signed by President Aliyev') is not
                # who the next sentence goes on about
                people.append(Mention(actor, Span(word.begin, word.end), word.text))
        if actor is None and following is not None and following.lemma_ in cues.regime_nouns:
            # 'the Aliyev regime' is the ruler's, not a namesake named before
            actor = next(
                (a for t in cues.ruler_titles if (a := _titled_entry(surnames.get(key, []), t))),
                None,
            )
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


def _given_name_of(mention: Mention) -> str:
    return spelling_key(mention.actor.label.split()[0])


def _antecedent_person(people: list[Mention], key: str, offset: int) -> Actor | None:
    """The person of that surname (or given name) named in full last before
    `offset`, else the only one named after it."""
    before = [
        m for m in people if m.span.begin < offset and key in (surname_of(m), _given_name_of(m))
    ]
    if before:
        return max(before, key=lambda m: m.span.begin).actor
    for part in (surname_of, _given_name_of):
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
