"""Find the events a digest reports: arrests, sentences, meetings, rallies, ...

Rules over spaCy's analysis of the digest (loader/extract/nlp.py); the words
are data (mappings/events.yaml, indexed by `loader.extract.event_lexicon`).
One pass over the sentences:

1. Triggers (`loader.extract.event_triggers`): verbs and nouns of events by
   lemma, outside quotes, not negated, hypothetical, a state or a reason.
2. Roles (`loader.extract.event_roles`): who the event concerns, from the
   dependencies (`loader.extract.event_parse`), pronouns and descriptions
   resolved within the paragraph.
3. Details (`loader.extract.event_details`): date, place, count, duration, status.

Then merging: in a sentence, events of a class that may concern the same
people are one; in the digest, a later report of a class concerning the same
people on no other date is the same event, and so is, for `restated` classes,
a later one naming no one. A noun that points back ("his arrest", "the
meeting") and names no one and no date is no new event.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from voxgraph.loader.extract.dates import find_dates
from voxgraph.loader.extract.event_details import (
    INITIAL_DATE_TOKENS,
    event_date,
    event_duration,
    event_evidence,
    event_quantity,
    event_status,
    person_terms,
    refers_back,
)
from voxgraph.loader.extract.event_lexicon import EventClass, Lexicon, load_lexicon
from voxgraph.loader.extract.event_parse import (
    RECALLING,
    TIME_PREPOSITIONS,
    arguments,
    chain_up,
    has_own_subject,
    is_passive,
)
from voxgraph.loader.extract.event_roles import RoleFinder
from voxgraph.loader.extract.event_triggers import Trigger, TriggerFinder
from voxgraph.loader.extract.facts import Actor, Event, Mention
from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.extract.quotes import quote_spans
from voxgraph.loader.read.digest import Digest, Span

# A date after these words ends a period and dates nothing: "detained until April 1".
END_DATE = {"until", "till", "through", "by", "before", "since", "ahead"}
OFFICIAL = {"GovernmentBody", "Court"}  # bodies whose announcements are their acts
CAUSE_FRAMES = {"part", "result", "consequence", "framework", "course"}
SPEECH_QUOTE_WORDS = 5  # shorter quotes are names or scare quotes: “TikTok”, “Tarter case”


@dataclass
class _Found:
    event: Event
    trigger: Trigger
    refers_back: bool
    names: bool = False  # the noun's own phrase names someone ("the arrest of X")
    paragraph: int = 0
    dated: bool = False  # a noun with a date in its phrase: "the September 20 rally" is news
    words: set[str] = field(default_factory=set)  # the trigger lemmas told of it

    @property
    def recalls(self) -> bool:
        """'Following a one-day detention, ...': the noun sets the scene with an
        event of the paragraph already told, and adds to it."""
        return self.trigger.noun and self.trigger.via in RECALLING


def find_events(digest: Digest, mentions: list[Mention], doc: Doc | None = None) -> list[Event]:
    """The events the digest reports, in text order."""
    reader = _Reader(digest, doc if doc is not None else analyse(digest), mentions)
    return reader.read()


class _Reader:
    """One digest's analysis with what the rules look up: mentions by token,
    quotes, paragraphs."""

    def __init__(self, digest: Digest, doc: Doc, mentions: list[Mention]) -> None:
        self.digest, self.doc, self.lex = digest, doc, load_lexicon()
        self.quotes = [
            s
            for p in digest.paragraphs()
            for s in quote_spans(p)
            if len(digest.text[s.begin : s.end].split()) >= SPEECH_QUOTE_WORDS
        ]
        self.paragraph_starts = sorted(p.span.begin for p in digest.paragraphs())
        self.sentence_starts = {s.span.begin for p in digest.paragraphs() for s in p.sentences}
        self.mention_at: dict[int, Mention] = {}
        for mention in sorted(mentions, key=lambda m: m.span.begin - m.span.end):
            if self._quoted(mention.span.begin):
                continue
            span = doc.char_span(mention.span.begin, mention.span.end, alignment_mode="expand")
            if span is None:
                continue
            for token in span:
                self.mention_at.setdefault(token.i, mention)
        self.triggers = TriggerFinder(self.lex, self._quoted)
        self.who = RoleFinder(doc, self.lex, self.mention_at, self._paragraph)

    def _quoted(self, offset: int) -> bool:
        return any(q.begin <= offset < q.end for q in self.quotes)

    def _paragraph(self, offset: int) -> int:
        return sum(1 for start in self.paragraph_starts if start <= offset)

    # -- the pass ---------------------------------------------------------------------

    def read(self) -> list[Event]:
        found: list[_Found] = []
        carried: date | None = None
        last_dated: tuple[int, date] | None = None  # the paragraph and date of the last dated
        paragraph = -1
        for sent in self.doc.sents:
            if sent.start_char not in self.sentence_starts:
                continue  # a heading or the date line: no report of its own
            if (number := self._paragraph(sent.start_char)) != paragraph:
                paragraph, carried = number, None
                self.who.new_paragraph()
            self.who.note_subjects(sent)
            dates = self._dates(sent)
            relative = None if dates else self._relative_date(sent, paragraph, last_dated)
            sentence_found: list[_Found] = []
            by_verb: dict[int, Event] = {}
            items: list[_Found] = []
            for trigger in self.triggers.find(sent):
                item = self._event(trigger, sent, dates)
                if item is None:
                    continue
                if not trigger.noun:
                    by_verb[trigger.token.i] = item.event
                    _share_affected(item, by_verb)
                items += self._per_person(item, sent)
            _cause_agents(items)
            for item in items:
                self._announced_by(item)
            for item in items:
                item.paragraph = paragraph
                own = {t.i for t in item.trigger.token.subtree} if item.trigger.noun else set()
                item.dated = any(t.i in own for t, _ in dates)
                if item.event.date is None:
                    item.event.date = _dated_by(item.trigger, relative) or carried
                if item.event.date is not None:
                    last_dated = paragraph, item.event.date
                if not self._merge(sentence_found, item, same_sentence=True):
                    sentence_found.append(item)
            initial = [d for t, d in dates if t.i - sent.start < INITIAL_DATE_TOKENS]
            carried = initial[0] if initial and len(dates) == 1 and not sentence_found else None
            for item in sentence_found:
                people = [a for a in item.event.affected if a.type == "Person"]
                if len(people) > 1:
                    self.who.groups.append(people)
            for item in sentence_found:
                # "against his prison sentence": a possessive pronoun names no one new
                has_carrier = item.trigger.carrier is not None
                named = (item.names or has_carrier or not item.trigger.noun) and (
                    item.event.agent or item.event.affected or item.event.participant
                )
                # "approved the draft law": with no such event told before, what is
                # done to it is news
                acted_on = item.trigger.via == "" and item.trigger.token.dep_ == "dobj"
                told = not (item.refers_back and not named and not acted_on and not item.dated)
                if self._recall(found, item):
                    continue
                _ruled_on(found, item, self.lex)
                if told and not self._merge(found, item, same_sentence=False):
                    found.append(item)
        self._unique_evidence(found)
        return [f.event for f in found]

    def _relative_date(
        self, sent: TokenSpan, paragraph: int, last_dated: tuple[int, date] | None
    ) -> tuple[date, Token | None] | None:
        """The date a sentence gives by the event told before it ("Four of them were
        released in the evening", "The next day the court sentenced him"), with the
        verb it dates (None: the whole sentence, where the phrase opens it)."""
        relative = self.lex.relative_day(sent.text)
        if relative is None or last_dated is None:
            return None
        start, end, days, told_before = relative
        where, when = last_dated
        words = sent.char_span(start, end, alignment_mode="expand")
        if not (told_before or where == paragraph) or words is None:
            return None
        if words.start - sent.start < INITIAL_DATE_TOKENS:
            return when + timedelta(days=days), None
        verb = words.root
        while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
            verb = verb.head
        return when + timedelta(days=days), verb

    def _recall(self, found: list[_Found], item: _Found) -> bool:
        """An event noun that points back ("the meeting", "his arrest", "during the
        phone conversation") and names no one of its own is the latest event of its
        class told before; one that sets the scene ("Following a one-day detention,
        his son ...") is the latest of the paragraph and adds whom and how long."""
        if not (item.refers_back and not item.names) and not item.recalls:
            return False
        for earlier in reversed(found):
            if earlier.event.type != item.event.type:
                continue
            if item.dated and earlier.event.date != item.event.date:
                return False  # "the September 20 rally": not the one told before
            if item.recalls:
                # "after Iran's exercises": another side's event, not the one told
                if earlier.paragraph != item.paragraph or not _within(
                    earlier.event.agent, item.event.agent
                ):
                    return False
                _combine(earlier.event, item.event)
                return True
            if item.event.duration and item.event.duration != earlier.event.duration:
                return False  # "X was detained. The court ordered his arrest for four months"
            event = earlier.event
            event.evidence.extend(s for s in item.event.evidence if s not in event.evidence)
            event.date = event.date or item.event.date
            # "At the meeting, which Putin also attended": one more side
            event.participant += [a for a in item.event.participant if a not in event.participant]
            return True
        return False

    def _announced_by(self, item: _Found) -> None:
        """An official body that announces what was done, in the passive and by no one
        named, did it: "The Prosecutor General's Office announced that a criminal case
        was opened", "the Cabinet of Ministers announced that schools will be closed"."""
        trigger, event = item.trigger, item.event
        verb = trigger.carrier if trigger.noun else trigger.token
        if not trigger.cls.official or event.agent or verb is None:
            return
        if not is_passive(verb) or arguments(verb)[2]:
            return
        for node in chain_up(verb):
            if node.dep_ == "ccomp" and node.head.lemma_.lower() in self.lex.speech:
                subjects = [c for c in node.head.children if c.dep_ == "nsubj"]
                for subject in subjects:
                    actors = self.who.actors(subject, trigger.cls.agent)
                    event.agent = [a for a in actors if a.type in OFFICIAL]
                return

    def _dates(self, sent: TokenSpan) -> list[tuple[Token, date]]:
        """The dates of the sentence with their first token; not end dates, not in quotes."""
        found = []
        for mention in find_dates(sent.text, self.digest.date, sent.start_char):
            if self._quoted(mention.span.begin):
                continue
            span = self.doc.char_span(mention.span.begin, mention.span.end, alignment_mode="expand")
            if span is None:
                continue
            first = span[0]
            before = self.doc[first.i - 2 : first.i]
            if any(t.lower_ in END_DATE for t in before):
                continue
            found.append((span.root, mention.date))
        return found

    # -- 2. the event and its roles ----------------------------------------------------

    def _event(
        self, trigger: Trigger, sent: TokenSpan, dates: list[tuple[Token, date]]
    ) -> _Found | None:
        cls = trigger.cls
        agent, affected, participant = self.who.roles(trigger)
        if cls.requires_affected and not affected:
            return None
        on_person = not trigger.noun and self.lex.verb_lemma(trigger.token) in cls.on_person
        if on_person and not self.who.on_person(trigger, affected):
            return None  # "pushed the bill through", "used force to restore order"
        if trigger.noun and trigger.token.lemma_.lower() in cls.undergone and not affected:
            return None  # "leveled accusations against Azerbaijan": no one is charged
        places = self.who.places(trigger)
        agent = [a for a in agent if a not in affected and a not in places]
        affected = [a for a in affected if a not in places]
        participant = [a for a in participant if a not in places]
        event = Event(
            type=cls.name,
            evidence=[event_evidence(trigger)],
            agent=agent,
            affected=affected,
            participant=participant,
            place=places,
            date=event_date(trigger, sent, dates, self.lex),
            status=event_status(trigger, self.lex),
            quantity=event_quantity(trigger, self.lex) if cls.counts else None,
            duration=event_duration(trigger, self.lex) if cls.has_duration else None,
        )
        told = trigger.carrier is not None and trigger.via not in TIME_PREPOSITIONS
        if trigger.noun and not told and _bare(event):
            return None  # "the wave of arrests", "before the next round of peace talks"
        if trigger.noun and trigger.token.tag_ == "NNS" and _generic(event, cls):
            return None  # "raising the fines for unauthorized rallies": a kind, not an event
        own = [
            t
            for c in trigger.token.children
            if trigger.noun and c.dep_ in ("poss", "prep")
            for t in c.subtree
            if t.i in self.mention_at and not self.mention_at[t.i].actor.is_place
        ]
        words = {self.lex.verb_lemma(t) for t in [trigger.token, *trigger.absorbed]}
        return _Found(event, trigger, refers_back(trigger, self.lex), names=bool(own), words=words)

    def _per_person(self, item: _Found, sent: TokenSpan) -> list[_Found]:
        """'sentenced X to ten years and Y to nine', 'X and Y were sentenced to 8 and
        9 years respectively': an event has one length, so each person is sentenced
        by an event of their own with their own term (from their name to it)."""
        event = item.event
        terms = person_terms(item.trigger, self.lex) if item.trigger.cls.has_duration else []
        people = [a for a in event.affected if a.type == "Person"]
        if not terms or len(people) != len(terms) or len(people) != len(event.affected):
            return [item]
        named: dict[str, int] = {}
        for token in sent:
            mention = self.mention_at.get(token.i)
            if mention is not None:
                named.setdefault(mention.actor.key, token.idx)
        if any(p.key not in named for p in people):
            return [item]
        split = []
        for n, (person, (last, length)) in enumerate(zip(people, terms, strict=True)):
            end = last.idx + len(last)
            begin = event.evidence[0].begin if n == 0 else named[person.key]
            one = replace(event, evidence=[Span(begin, end)], affected=[person], duration=length)
            split.append(replace(item, event=one))
        return split

    def _merge(self, found: list[_Found], item: _Found, same_sentence: bool) -> bool:
        event = item.event
        for earlier in found:
            other = earlier.event
            if other.type != event.type or not _agree(other.date, event.date):
                continue
            if same_sentence:
                same = _agree(other.agent, event.agent) and _same_people(other, event)
                same = same and _agree(other.duration, event.duration)
            else:
                concerned = set(event.affected) | set(event.participant)
                same = bool(concerned) and concerned == set(other.affected) | set(other.participant)
                same = same and (event.duration is None or event.duration == other.duration)
                # "X was detained ... the court remanded X in custody": two steps, two
                # reports; a noun that only names it ("the restrictions on X") is the one told
                step = not item.trigger.noun or item.trigger.token.dep_ == "dobj"
                # ... unless the first was only told in passing: "X, who was arrested on
                # political grounds, ... forcibly detained him"
                step = step and not _in_passing(earlier)
                # "was found guilty" tells again the sentence told of them
                restates = bool((item.words | earlier.words) & self.lex.restating)
                same = same and (not step or bool(item.words & earlier.words) or restates)
                restated = self.lex.classes[event.type].restated
                same = same or (
                    restated
                    and not (event.affected or event.participant)
                    and _within(other.agent, event.agent)
                )
                # naming no one, with no date or count: the event told before
                # ("the Sochi meeting ... Sochi meeting signals"), or in the paragraph
                nearby = item.trigger.noun
                same = same or (nearby and _bare(event) and other.status == event.status)
            if same:
                _combine(other, event)
                earlier.words |= item.words
                return True
        return False

    def _unique_evidence(self, found: list[_Found]) -> None:
        """Two events may not start at one offset (their first evidence offset is
        part of their IRI): the later one's evidence then starts at its own trigger
        word ("Rail Abbasov was arrested, and sentenced to ...": the sentencing from
        "sentenced"), and a report merged into it that starts where an earlier event
        does is left out ("X, who was arrested on charges, refuted the accusations":
        the charge keeps "arrested on charges")."""
        seen: set[int] = set()
        for item in found:
            span = item.event.evidence[0]
            trigger = item.trigger
            if span.begin in seen:
                word = trigger.carrier if trigger.noun and trigger.carrier else trigger.token
                start = word.idx if word.idx > span.begin else trigger.token.idx
                span = Span(start, max(span.end, trigger.token.idx + len(trigger.token)))
            while span.begin in seen and span.begin < span.end - 1:
                span = Span(span.begin + 1, span.end)
            item.event.evidence[0] = span
            item.event.evidence[1:] = [s for s in item.event.evidence[1:] if s.begin not in seen]
            seen.add(item.event.begin)


def _dated_by(trigger: Trigger, relative: tuple[date, Token | None] | None) -> date | None:
    """The date of a phrase such as "in the evening" for a trigger in its clause."""
    if relative is None:
        return None
    when, verb = relative
    starts = [trigger.token] if trigger.carrier is None else [trigger.token, trigger.carrier]
    return when if verb is None or any(_clause(verb) == _clause(s) for s in starts) else None


def _clause(token: Token) -> Token:
    """The verb of the clause a token is in, the first above it with a subject of its
    own: "while X and Y were sentenced" is a clause of its own, ", and released" not."""
    node = token
    while node.head != node and not (node.pos_ in ("VERB", "AUX") and has_own_subject(node)):
        node = node.head
    return node


def _cause_agents(items: list[_Found]) -> None:
    """What is done as part or as a result of another event is done by its agent:
    "As part of the operation of the Security Service, twelve people were
    arrested", "400 injured as a result of Azerbaijan's military operation"."""
    causes = [i for i in items if i.trigger.noun and i.event.agent]
    for item in items:
        if item.trigger.noun or item.event.agent or not item.trigger.cls.agent:
            continue
        for cause in causes:
            if cause.event.type == item.event.type or not _through_phrase(cause, item):
                continue
            fits = [a for a in cause.event.agent if a.type in item.trigger.cls.agent]
            if fits:
                item.event.agent = fits
                break


def _through_phrase(cause: _Found, item: _Found) -> bool:
    """Whether the cause's noun hangs on the item's verb through "as part of", "as a
    result of", "within the framework of" ("killed in an exchange of fire with X":
    X is a side of the fighting, not the killer)."""
    node, verb = cause.trigger.token, item.trigger.token
    framed = False
    while node.head != node and node != verb:
        node = node.head
        framed = framed or (node.dep_ == "pobj" and node.lemma_.lower() in CAUSE_FRAMES)
    return node == verb and framed


def _ruled_on(found: list[_Found], item: _Found, lex: Lexicon) -> None:
    """'The court upheld the sentence', 'the appeal was rejected': a ruling on
    what was told before ('the verdict', 'the appeal', naming no one) concerns the
    people of the latest court event of the paragraph (a sentence, an arrest)."""
    trigger, event = item.trigger, item.event
    if trigger.noun or event.affected or event.type != lex.rulings.event_class.name:
        return
    verb = trigger.token
    judged = [
        c
        for c in verb.children
        if c.dep_ in ("dobj", "nsubjpass")
        and any(d.dep_ in ("det", "poss") and d.lower_ in lex.refer_back for d in c.children)
    ]
    if not judged:
        return
    for earlier in reversed(found):
        if earlier.paragraph != item.paragraph:
            return
        cls = lex.classes[earlier.event.type]
        if "Court" in cls.agent and earlier.event.affected:
            event.affected = list(earlier.event.affected)
            return


def _in_passing(item: _Found) -> bool:
    """An event told in a relative clause with no date or length of its own."""
    event = item.event
    passing = item.trigger.token.dep_ in ("relcl", "acl")
    return passing and event.date is None and event.duration is None


def _share_affected(item: _Found, by_verb: dict[int, Event]) -> None:
    """Coordinated events befall the same people: "the police searched his car and
    confiscated two phones" (his phones); "was detained and charged with ..."."""
    token, event = item.trigger.token, item.event
    head = by_verb.get(token.head.i) if token.dep_ == "conj" else None
    if head is None or event.affected or not item.trigger.cls.affected:
        return
    event.affected = [a for a in head.affected if a.type in item.trigger.cls.affected]


def _generic(event: Event, cls: EventClass) -> bool:
    """A plural noun of what happens to people, naming no one and counting no one:
    the kind of event ("fines for rallies"), not one told."""
    people = "Person" in cls.affected or "Person" in cls.agent
    return (
        people
        and not (event.agent or event.affected or event.participant)
        and (event.quantity is None)
    )


def _bare(event: Event) -> bool:
    """An event that names no one and has no date or count: a restatement."""
    return not (event.agent or event.affected or event.participant or event.date) and (
        event.quantity is None
    )


def _same_people(a: Event, b: Event) -> bool:
    """Whether two events of a sentence may concern the same people: not if they
    name different persons, or one names persons and the other counts others."""
    pa = {x for x in a.affected if x.type == "Person"}
    pb = {x for x in b.affected if x.type == "Person"}
    if pa and pb:
        return pa == pb
    if (pa and b.quantity is not None) or (pb and a.quantity is not None):
        return False
    return _agree(a.quantity, b.quantity)


def _within(a: list[Actor], b: list[Actor]) -> bool:
    """One of them unknown, or one names a part of the other's actors."""
    return not a or not b or set(a) <= set(b) or set(b) <= set(a)


def _agree(a, b) -> bool:
    """Equal, or one of them unknown (None or empty)."""
    return not a or not b or a == b


def _combine(into: Event, other: Event) -> None:
    for role in ("agent", "affected", "participant", "place"):
        setattr(into, role, list(dict.fromkeys([*getattr(into, role), *getattr(other, role)])))
    into.date = into.date or other.date
    into.quantity = into.quantity if into.quantity is not None else other.quantity
    into.duration = into.duration or other.duration
    into.evidence.extend(span for span in other.evidence if span not in into.evidence)
