"""Step 3 of the event rules: an event's details from the parse around its
trigger: the date attached to the trigger or the nearest clause above it
("until April 1" ends a period and dates nothing; a sentence-initial date
covers the sentence), a count of people from the number modifying the
affected noun, a length of time from its modifiers ("for 30 days", "to four
months", "a five-year prison term"), the status from words above the trigger
(Planned: will, plans, scheduled; Alleged: allegedly, claims; for
mistreatment also: told as someone's words), and the evidence span.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from voxgraph.loader.extract.event_lexicon import Lexicon
from voxgraph.loader.extract.event_parse import (
    OBJECTS,
    PATIENT_PREPOSITIONS,
    SUBJECTS,
    arguments,
    chain_up,
    has_own_subject,
    phrase,
)
from voxgraph.loader.extract.event_triggers import Trigger
from voxgraph.loader.read.digest import Span

INITIAL_DATE_TOKENS = 4  # a date this close to a sentence's start covers all of it


def event_date(
    trigger: Trigger, sent: TokenSpan, dates: list[tuple[Token, date]], lex: Lexicon
) -> date | None:
    """The date attached nearest above the date's token on the trigger's chain."""
    if not dates:
        return None
    anchors: dict[int, date] = {}
    for token, when in dates:
        node = token.head
        while node.pos_ not in ("VERB", "AUX", "NOUN") and node.head != node:
            node = node.head
        while node.ent_type_ == "DATE" and node.dep_ == "pobj" and node.head.head != node.head:
            node = node.head.head  # "to four years on 12 June": the length's verb
        while node.pos_ not in ("VERB", "AUX", "NOUN") and node.head != node:
            node = node.head
        if node.tag_ == "VBG" and node.dep_ == "pcomp" and node.i != trigger.token.i:
            node = node.head.head  # "called in for questioning on Monday": called
        if node.pos_ == "NOUN" and node.i != trigger.token.i and node.head.pos_ in ("VERB", "AUX"):
            node = node.head if node.dep_ in OBJECTS | SUBJECTS else node
        told_of = node.dep_ == "pobj" and node.head.head.pos_ == "VERB"
        if node.pos_ == "NOUN" and told_of and node.lemma_.lower() not in lex.nouns:
            node = node.head.head  # "charged with abuse of office on Sunday": the charge's
        anchors.setdefault(node.i, when)
    starts = [trigger.token, *trigger.measures]
    if trigger.carrier is not None:
        starts.append(trigger.carrier)
    for start in starts:
        for node in chain_up(start):
            if node.i in anchors:
                return anchors[node.i]
    if any(node.dep_ == "conj" for node in chain_up(trigger.token)):
        # "..., removed yesterday, and he was denied ...": the joined clause's date
        earlier = [d for t, d in dates if t.i < trigger.token.i]
        if earlier:
            return earlier[-1]
    initial = [d for t, d in dates if t.i - sent.start < INITIAL_DATE_TOKENS]
    return initial[0] if initial else None


def event_status(trigger: Trigger, lex: Lexicon) -> str:
    words = lex.status
    chain = list(chain_up(trigger.token))
    if trigger.carrier is not None and trigger.carrier not in chain:
        chain.append(trigger.carrier)
    alleged = False
    planned = False
    for node in chain:
        lemma = node.lemma_.lower()
        near = [
            c.lemma_.lower()
            for c in node.children
            if c.dep_ in ("advmod", "amod", "aux", "compound")
        ]
        if node != trigger.token and lemma in words["Alleged"]:
            alleged = True
        if any(w in words["Alleged"] for w in near):
            alleged = True
        if node != trigger.token and lemma in words["Planned"] and node.pos_ in ("VERB", "ADJ"):
            planned = True
        if any(w in words["Planned"] for w in near):
            planned = True
        if trigger.cls.reported_alleged and node != trigger.token and lemma in lex.speech:
            alleged = True
    if alleged:
        return "Alleged"
    return "Planned" if planned else "Occurred"


def event_quantity(trigger: Trigger, lex: Lexicon) -> int | None:
    """The number of people: a number modifying the noun of the people
    concerned ('twelve people were arrested', 'a protest of 30 relatives')."""
    token = trigger.token
    heads: list[Token] = [token]
    if not trigger.noun and token.tag_ == "VBN" and token.i > 0 and token.nbor(-1).like_num:
        heads.append(token.nbor(-1))  # "200 died and 400 injured": the parse lost the subject
    verb = token if not trigger.noun else trigger.carrier
    if verb is not None:
        subjects, objects, _ = arguments(verb)
        heads += subjects + objects
    heads += [
        g
        for node in [token, *trigger.absorbed]
        for c in node.children
        if c.dep_ == "prep" and c.lower_ in PATIENT_PREPOSITIONS
        for g in c.children
    ]
    for head in heads:
        if head in trigger.measures:
            continue
        if head.like_num and head.ent_type_ != "DATE":  # not "on 5 May"
            value = lex.number(head.text)
            if value is not None:
                return value
        if head.lemma_.lower() in lex.people or head == token:
            for child in head.children:
                if child.dep_ == "nummod" and child.lower_ not in ("a", "an", "one"):
                    value = lex.number(child.text)
                    if value is not None:
                        if any(c.lower_ == "thousand" for c in child.children) or (
                            child.nbor().lower_ == "thousand"
                        ):
                            value *= 1000
                        return value
    return None


def event_duration(trigger: Trigger, lex: Lexicon) -> str | None:
    """A length of time among the trigger's modifiers: 'for 30 days', 'to
    four months', 'a five-year prison term', 'four months of detention'."""
    units = lex.durations
    candidates = list(trigger.measures)
    for node in [trigger.token, *trigger.absorbed]:
        candidates += [t for t in phrase(node, keep_prepositions=True) if t != node]
    if trigger.noun and trigger.carrier is not None and trigger.via == "":
        # "ordered his arrest for four months": the length hangs on the verb
        lengths = [c for c in trigger.carrier.children if c.dep_ == "prep" and c.lower_ == "for"]
        candidates += [t for c in lengths for t in c.subtree]
    for unit in candidates:
        if unit.lemma_.lower() not in units:
            continue
        number = next((c for c in unit.children if c.dep_ == "nummod"), None)
        if number is None and unit.i >= 2 and unit.nbor(-1).text == "-":
            number = unit.nbor(-2)
        if number is None:
            continue
        value = lex.number(number.text)
        if value is None:
            continue
        duration = lex.xsd_duration(value, unit.lemma_.lower())
        for more in unit.children:  # "four years and six months"
            count = next((c for c in more.children if c.dep_ == "nummod"), None)
            if more.dep_ == "conj" and more.lemma_.lower() in units and count is not None:
                extra = lex.number(count.text)
                if extra is not None:
                    duration += lex.xsd_duration(extra, more.lemma_.lower())[1:]
        return duration
    return None


def person_terms(trigger: Trigger, lex: Lexicon) -> list[tuple[Token, str]]:
    """The terms a verb gives one to each person, in order, with the word ending
    each: 'sentenced X to ten years and Y to nine' (a phrase per person, the unit
    may be said once), 'X and Y were sentenced to 8 and 9 years respectively'
    (numbers joined under one unit). Fewer than two: none."""
    if trigger.noun:
        return []
    verb, units = trigger.token, lex.durations
    together = any(t.lower_ == "respectively" for t in verb.sent)
    terms: list[tuple[Token, Token, Token]] = []  # (last word, number, unit)
    unit: Token | None = None
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "for")):
        for word in (c for c in prep.children if c.dep_ == "pobj"):
            if word.lemma_.lower() in units:
                unit = word
                numbers = [c for c in word.children if c.dep_ == "nummod"]
                if together:
                    numbers += [c for n in numbers for c in n.children if c.dep_ == "conj"]
                terms += [(word, n, word) for n in numbers[: len(numbers) if together else 1]]
            elif unit is not None and word.like_num:
                terms.append((word, word, unit))  # "... and Y to nine": the unit said before
    lengths = []
    for last, number, of in terms:
        value = lex.number(number.text)
        if value is None:
            return []
        lengths.append((last, lex.xsd_duration(value, of.lemma_.lower())))
    return lengths if len(lengths) > 1 else []


def refers_back(trigger: Trigger, lex: Lexicon) -> bool:
    """'his arrest', 'the meeting': a noun pointing at an event told already."""
    if not trigger.noun:
        return False
    children = list(trigger.token.children)
    return any(
        c.dep_ in ("det", "poss", "amod", "predet") and c.lower_ in lex.refer_back for c in children
    ) and not any(c.lower_ in ("new", "next", "upcoming", "another") for c in children)


def event_evidence(trigger: Trigger) -> Span:
    node = trigger.carrier if trigger.noun and trigger.carrier is not None else trigger.token
    tokens = [t for t in phrase(node, keep_prepositions=True)]
    if node.dep_ in ("relcl", "acl") or (node.dep_ == "conj" and not has_own_subject(node)):
        tokens.append(node)
    tokens += [t for s in arguments(node)[0] if s.i < node.i for t in s.subtree]
    tokens = [t for t in tokens if not t.is_punct] or [node]
    begin = min(t.idx for t in tokens)
    end = max(t.idx + len(t) for t in tokens)
    return Span(begin, end)
