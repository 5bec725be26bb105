"""Find the events a digest reports: arrests, sentences, meetings, rallies, ...

Rules over spaCy's analysis of the digest (loader/extract/nlp.py); the words
are data (mappings/events.yaml, indexed by `loader.extract.event_lexicon`).
One pass over the tokens of each sentence:

1. Triggers: a verb or noun whose lemma the lexicon lists ("detain",
   "detention", "hunger strike"), outside direct quotes (a quote is the
   speaker's words, not the digest's report). A frame may retype a verb by
   what it acts on ("extended the detention" is a court decision, "released a
   statement" no event). A participle describing a noun ("jailed activist"),
   a noun modifying another ("detention center"), a noun naming a state ("in
   detention") or a reason ("on charges of") report nothing. A negated
   trigger reports nothing ("was not detained"), and neither does one under a
   modal or a wish ("should be dismissed", "demanded the release of").
2. Roles from the dependencies: passive subject or object -> affected, "by"
   phrase or active subject -> agent, for a meeting everyone on both sides ->
   participants; conjuncts and appositions all count ("activists A, B and
   former diplomat C were detained"). A noun takes its of-phrase, possessor
   or against/into-phrase ("the arrest of X", "X's detention", "a case
   against X"), and the arguments of the verb that carries it: "X received a
   prison term" (X undergoes it), "X held a rally" (X acts). A clause with no
   subject of its own ("..., and sentenced") shares its head's; a relative
   clause's is the noun it describes. "he"/"him" stands for the person the
   paragraph last told of as a subject, "they" / "all three activists" for
   the group an event of the paragraph last affected, "her client" for the
   person a lawyer is said to represent.
3. Details: the date attached to the trigger or the nearest clause above it
   (`loader.extract.dates`; "until April 1" ends a period and dates nothing;
   a sentence-initial date in a sentence without events dates the next one),
   places from in/at-phrases, a count of people from the number modifying the
   affected noun, a length of time from its modifiers ("for 30 days", "to four
   months", "a five-year prison term"), the status from words above the
   trigger (Planned: will, plans, scheduled; Alleged: allegedly, claims; for
   mistreatment also: told as someone's words).

Then merging: in a sentence, events of a class that may concern the same
people are one; in the digest, a later report of a class concerning the same
people on no other date is the same event, and so is, for `restated` classes,
a later one naming no one. A noun that points back ("his arrest", "the
meeting") and names no one and no date is no new event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from voxgraph.loader.extract.dates import find_dates
from voxgraph.loader.extract.event_lexicon import EventClass, Lexicon, load_lexicon
from voxgraph.loader.extract.facts import Actor, Event, Mention
from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.extract.quotes import quote_spans
from voxgraph.loader.read.digest import Digest, Span

SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass"}
OBJECTS = {"dobj", "dative", "attr", "oprd"}
# Dependents that start a clause or an aside of their own: what is in them is
# not an argument of the word they hang on.
CLAUSAL = {"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "conj", "cc", "punct"}
# Prepositions whose object is the one an event noun is done to: "the arrest of
# X", "a case against X", "an investigation into X", "detention for X".
PATIENT_PREPOSITIONS = {"of", "against", "into", "for", "on"}
PARTNER_PREPOSITIONS = {"with", "between", "among"}
PLACE_PREPOSITIONS = {"in", "at", "near", "outside", "inside"}
# Prepositions through which a verb carries an event noun: "placed under house
# arrest", "went on hunger strike", "took part in a rally", "sentenced to a
# term". After a verb of state the noun names a state: "remains in detention".
CARRIER_PREPOSITIONS = {"under", "on", "to", "into", "in"}
STATE_VERBS = {"be", "remain", "keep", "hold", "stay", "spend", "die"}
# Prepositions of time: the noun is an event of its own, the verb's actors are
# not its actors ("detained during a protest").
TIME_PREPOSITIONS = {"during", "after", "before", "following", "amid", "since", "at"}
RECALLING = {"after", "following"}
GAPPED = "gapped"  # how a noun is carried by a verb left out: "... and he a fine"
# A noun after the verb's other prepositions is its reason or setting, not an
# event told: "sentenced for treason and other charges", "spoke about the arrests".
END_DATE = {"until", "till", "through", "by", "before", "since", "ahead"}
LEADERSHIP = {"leadership", "command", "guidance", "direction", "supervision"}
INSTRUMENTS = {"decree", "decision", "order", "resolution", "instruction"}
MODALS = {"may", "might", "should", "would", "could", "can", "must"}
SUBJECT_PRONOUNS = {"he", "she", "him", "her", "his"}
BODY_PRONOUNS = {"it", "its"}  # a party, a ministry, a country told of as a subject
GROUP_PRONOUNS = {"they", "them", "their"}
GROUP_DETERMINERS = {"all", "both", "the", "these", "those"}
# A sentence whose term is a detention orders an arrest (ontology: vox:Arrest
# includes administrative and pre-trial detention); a prison term stays a sentencing.
TERM_CLASSES = {("Sentencing", "Arrest")}
SPEECH_QUOTE_WORDS = 5  # shorter quotes are names or scare quotes: “TikTok”, “Tarter case”
INITIAL_DATE_TOKENS = 4  # a date this close to a sentence's start covers all of it


@dataclass
class _Trigger:
    token: Token
    cls: EventClass
    noun: bool
    carrier: Token | None = None  # the verb that carries a noun: "received a sentence"
    via: str = ""  # how: "" as its argument, else the preposition ("under house arrest")
    measures: list[Token] = field(default_factory=list)  # "four months of detention"
    absorbed: list[Token] = field(default_factory=list)  # nouns told with the verb


@dataclass
class _Found:
    event: Event
    trigger: _Trigger
    refers_back: bool
    names: bool = False  # the noun's own phrase names someone ("the arrest of X")
    paragraph: int = 0

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
        self.subjects: list[tuple[int, Actor]] = []  # persons told of as subjects
        self.groups: list[list[Actor]] = []  # groups of persons affected, in this paragraph

    def _quoted(self, offset: int) -> bool:
        return any(q.begin <= offset < q.end for q in self.quotes)

    def _paragraph(self, offset: int) -> int:
        return sum(1 for start in self.paragraph_starts if start <= offset)

    # -- the pass ---------------------------------------------------------------------

    def read(self) -> list[Event]:
        found: list[_Found] = []
        carried: date | None = None
        paragraph = -1
        for sent in self.doc.sents:
            if sent.start_char not in self.sentence_starts:
                continue  # a heading or the date line: no report of its own
            if (number := self._paragraph(sent.start_char)) != paragraph:
                paragraph, carried = number, None
                self.subjects, self.groups = [], []
            self._note_subjects(sent)
            dates = self._dates(sent)
            sentence_found: list[_Found] = []
            for trigger in self._triggers(sent):
                item = self._event(trigger, sent, dates)
                if item is None:
                    continue
                item.paragraph = paragraph
                if item.event.date is None:
                    item.event.date = carried
                if not self._merge(sentence_found, item, same_sentence=True):
                    sentence_found.append(item)
            initial = [d for t, d in dates if t.i - sent.start < INITIAL_DATE_TOKENS]
            carried = initial[0] if initial and len(dates) == 1 and not sentence_found else None
            for item in sentence_found:
                people = [a for a in item.event.affected if a.type == "Person"]
                if len(people) > 1:
                    self.groups.append(people)
            for item in sentence_found:
                named = item.event.agent or item.event.affected or item.event.participant
                # "approved the draft law": with no such event told before, what is
                # done to it is news
                acted_on = item.trigger.via == "" and item.trigger.token.dep_ == "dobj"
                told = not (item.refers_back and not named and not acted_on)
                if self._recall(found, item):
                    continue
                if told and not self._merge(found, item, same_sentence=False):
                    found.append(item)
        self._unique_evidence(found)
        return [f.event for f in found]

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
            if item.recalls and earlier.paragraph == item.paragraph:
                _combine(earlier.event, item.event)
                return True
            if item.recalls:
                return False
            event = earlier.event
            event.evidence.extend(s for s in item.event.evidence if s not in event.evidence)
            event.date = event.date or item.event.date
            return True
        return False

    def _note_subjects(self, sent: TokenSpan) -> None:
        """The actors told of as subjects, for the pronouns that follow; with the
        subject a misparse hid ("Rasimli, who posted a video, was detained")."""
        for token in sent:
            subjects = [token] if token.dep_ in SUBJECTS else []
            if token.pos_ in ("VERB", "AUX") and not _own_subject(token):
                subjects = _fronted_subject(token)
            for subject in subjects:
                mention = self.mention_at.get(subject.i)
                if mention and not mention.actor.is_place:
                    self.subjects.append((subject.i, mention.actor))

    # -- 1. triggers ------------------------------------------------------------------

    def _triggers(self, sent: TokenSpan) -> list[_Trigger]:
        triggers: list[_Trigger] = []
        for token in sent:
            if self._quoted(token.idx):
                continue
            trigger = self._verb(token) if token.pos_ in ("VERB", "AUX") else None
            if trigger is None and (token.pos_ in ("NOUN", "PROPN") or _determined(token)):
                trigger = self._noun(token)
            if trigger is not None and self._reports(trigger):
                triggers.append(trigger)
        # A noun the verb trigger carries is told with it ("sentenced to four months of
        # detention", "rejected the appeal"): one event, typed by the term it imposes.
        verbs = {t.token.i: t for t in triggers if not t.noun}
        kept = []
        for trigger in triggers:
            host = verbs.get(trigger.carrier.i) if trigger.noun and trigger.carrier else None
            if host is None:
                kept.append(trigger)
            elif trigger.via in ("", "to"):
                if (host.cls.name, trigger.cls.name) in TERM_CLASSES:
                    host.cls = trigger.cls
                host.absorbed.append(trigger.token)
                host.measures += trigger.measures
            elif trigger.via in TIME_PREPOSITIONS:
                trigger.carrier = None
                kept.append(trigger)
            elif trigger.via == "on" and trigger.cls.name == "Charge":
                kept.append(trigger)  # "arrested on charges of ...": charged too
        return kept

    def _verb(self, token: Token) -> _Trigger | None:
        lemma = token.lemma_.lower()
        if token.dep_ in ("amod", "compound"):  # "jailed activist": a description
            return None
        negated = any(c.dep_ == "neg" for c in token.children)
        if negated:
            cls = self.lex.negated.get(lemma)
            return _Trigger(token, cls, noun=False) if cls else None
        for frame in self.lex.frames:
            if lemma in frame.verbs and self._acts_on(token) & frame.objects:
                return _Trigger(token, frame.event_class, noun=False) if frame.event_class else None
        cls = self.lex.verbs.get(lemma)
        if cls is None and _passive(token):
            cls = self.lex.passive_verbs.get(lemma)
        return _Trigger(token, cls, noun=False) if cls else None

    def _acts_on(self, verb: Token) -> set[str]:
        """Lemmas of what the verb acts on: objects, passive subjects, nouns of
        its prepositional phrases (and what those are 'of')."""
        heads = [c for c in verb.children if c.dep_ in OBJECTS | {"nsubjpass"}]
        heads += [g for c in verb.children if c.dep_ in ("prep", "agent") for g in c.children]
        if verb.dep_ in ("relcl", "acl"):
            heads.append(verb.head)
        lemmas = set()
        for head in heads:
            lemmas.add(head.lemma_.lower())
            lemmas.update(
                g.lemma_.lower()
                for c in head.children
                if c.dep_ in ("prep", "compound")
                for g in [c, *c.children]
            )
        return lemmas

    def _noun(self, token: Token) -> _Trigger | None:
        entries = self.lex.nouns.get(token.lemma_.lower()) or self.lex.nouns.get(token.lower_)
        if not entries or token.dep_ in ("compound", "poss") or token.ent_type_ == "DATE":
            return None  # "a detention center", "the court's ruling", "on March 3"
        modifiers = {
            w for t in token.lefts for s in t.subtree for w in (s.lower_, s.lemma_.lower())
        }
        of = {g.lemma_.lower() for c in token.rights if c.lower_ == "of" for g in c.children}
        entry = next(
            (e for e in entries if e.modifiers <= modifiers and (e.of is None or e.of in of)),
            None,
        )
        if entry is None:
            return None
        carrier, measures, via = _carrier(token, self.lex)
        return _Trigger(token, entry.event_class, True, carrier, via, measures)

    def _reports(self, trigger: _Trigger) -> bool:
        """Whether the trigger reports an event: not negated, hypothetical, a state or a reason."""
        token = trigger.token
        carrier = trigger.carrier
        if trigger.noun and carrier is not None:
            if trigger.via in CARRIER_PREPOSITIONS and carrier.lemma_.lower() in STATE_VERBS:
                return False
            if any(c.dep_ == "neg" for c in carrier.children):
                return False
        if trigger.noun and self._topic(trigger):
            return False
        # "under a pardon decree signed by X": the instrument of another event
        instrument = token.dep_ == "acl" and token.head.dep_ == "pobj"
        if not trigger.noun and instrument and token.head.head.lower_ in ("by", "under", "with"):
            return False
        return not self._hypothetical(token)

    def _topic(self, trigger: _Trigger) -> bool:
        """'Users discuss the arrest of X', 'the arrest of X is the main topic'."""
        carrier = trigger.carrier
        if carrier is None or trigger.via not in ("", "to", "on", "about") or _passive(carrier):
            return False  # "the draft law is being discussed": it is under way
        if carrier.lemma_.lower() in self.lex.topic:
            return True
        return carrier.lemma_.lower() == "be" and any(
            c.dep_ == "attr" and c.lemma_.lower() in self.lex.topic for c in carrier.children
        )

    def _hypothetical(self, token: Token) -> bool:
        for node in _chain(token):
            lemma = node.lemma_.lower()
            if node != token and lemma in self.lex.hypothetical:
                return True
            if node != token and any(c.dep_ == "neg" for c in node.children):
                return True  # "had not been allowed to meet"
            if node.head.lemma_.lower() == "call" and node.dep_ in ("prep", "xcomp"):
                return True  # "called for the release of", "called on them to join"
            for child in node.children:
                if child.dep_ == "aux" and child.lemma_.lower() in MODALS:
                    return True
                if child.dep_ == "mark" and child.lower_ in ("if", "unless", "whether"):
                    return True
        return False

    # -- 2. the event and its roles ----------------------------------------------------

    def _event(
        self, trigger: _Trigger, sent: TokenSpan, dates: list[tuple[Token, date]]
    ) -> _Found | None:
        cls = trigger.cls
        agent, affected, participant = self._roles(trigger)
        if cls.requires_affected and not affected:
            return None
        places = self._places(trigger)
        agent = [a for a in agent if a not in affected and a not in places]
        affected = [a for a in affected if a not in places]
        participant = [a for a in participant if a not in places]
        event = Event(
            type=cls.name,
            evidence=[self._evidence(trigger)],
            agent=agent,
            affected=affected,
            participant=participant,
            place=places,
            date=self._date(trigger, sent, dates),
            status=self._status(trigger),
            quantity=self._quantity(trigger) if cls.counts else None,
            duration=self._duration(trigger) if cls.has_duration else None,
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
        return _Found(event, trigger, self._refers_back(trigger), names=bool(own))

    def _roles(self, trigger: _Trigger) -> tuple[list[Actor], list[Actor], list[Actor]]:
        cls, token = trigger.cls, trigger.token
        agent: list[Actor] = []
        affected: list[Actor] = []
        participant: list[Actor] = []
        if not trigger.noun:
            subject_role, object_role = _verb_roles(token, cls)
            subjects, objects, by = _arguments(token)
            # "the court ruled in favour of X": a subject that can only act is the agent
            acts = any(self._types(s) & (set(cls.agent) - set(cls.affected)) for s in subjects)
            if subject_role == "affected" and not objects and not _passive(token) and acts:
                subject_role = "agent"
            for heads, role in ((subjects, subject_role), (objects, object_role), (by, "agent")):
                self._fill(cls, role, heads, agent, affected, participant)
            if not agent:
                self._fill(cls, "agent", _instrument_agents(token), agent, affected, participant)
            self._fill(cls, "agent", _leaders(token), agent, affected, participant)
            partners = [
                g for c in token.children if c.lower_ in PARTNER_PREPOSITIONS for g in c.children
            ]
            self._fill(cls, "participant", partners, agent, affected, participant)
            if not affected and cls.affected:
                self._fill(cls, "affected", _patients(token), agent, affected, participant)
            for absorbed in trigger.absorbed:
                if not affected:
                    self._fill(cls, "affected", _patients(absorbed), agent, affected, participant)
            return agent, affected, participant
        # a noun: its own phrase first ...
        owners = [c for c in token.children if c.dep_ == "poss"]
        for owner in owners:
            role = (
                "agent"
                if self._types(owner) & set(cls.agent)
                and not (self._types(owner) & set(cls.affected))
                else "affected"
            )
            self._fill(cls, role, [owner], agent, affected, participant)
        of = [g for c in token.children if c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        of_role = "participant" if cls.participant else "affected"
        acting = set(cls.agent) - {"Person"}
        if (
            of_role == "affected"
            and not cls.of_affected
            and any(self._types(g) & acting for g in of)
        ):
            of_role = "agent"
        # "a search of his residence": whose the thing is, where it names no one
        of += [p for g in of if not self._types(g) for p in g.children if p.dep_ == "poss"]
        self._fill(cls, of_role, of, agent, affected, participant)
        others = [
            g
            for c in token.children
            if c.dep_ == "prep" and c.lower_ in PATIENT_PREPOSITIONS - {"of"} | cls.targets
            for g in c.children
        ]
        self._fill(cls, "affected", others, agent, affected, participant)
        partners = [
            g for c in token.children if c.lower_ in PARTNER_PREPOSITIONS for g in c.children
        ]
        self._fill(cls, "participant", partners, agent, affected, participant)
        # ... then the verb that carries it; who speaks about it takes no part
        # ("the embassy commented on the draft law")
        carrier = trigger.carrier
        if carrier is None or carrier.lemma_.lower() in self.lex.speech:
            return agent, affected, participant
        self._fill(cls, "agent", _leaders(carrier), agent, affected, participant)
        subjects, objects, by = _arguments(carrier)
        if trigger.via == GAPPED:
            subjects, objects, by = [c for c in token.children if c.dep_ in SUBJECTS], [], []
        if trigger.via in TIME_PREPOSITIONS:
            objects, by = [], []  # "during the call, X apologised to Y": X took part
        objects = [o for o in objects if o != token and o not in trigger.measures]
        subjects = [s for s in subjects if s != token and s not in trigger.measures]
        if _passive(carrier):
            self._fill(
                cls, "affected" if cls.affected else "agent", subjects, agent, affected, participant
            )
            self._fill(cls, "agent", by, agent, affected, participant)
        else:
            undergoes = carrier.lemma_.lower() in self.lex.undergo
            role = "affected" if undergoes and cls.affected else "agent"
            if cls.participant:
                role = "participant"
            self._fill(cls, role, subjects, agent, affected, participant)
            self._fill(cls, "affected", objects, agent, affected, participant)
        if not affected and trigger.via not in TIME_PREPOSITIONS:
            patients = [
                g
                for c in carrier.children
                if c.dep_ in ("prep", "dative") and c.lower_ in PATIENT_PREPOSITIONS | {"to"}
                for g in ([c] if c.dep_ == "dative" else c.children)
                if g != token and g not in trigger.measures
            ]
            self._fill(cls, "affected", patients, agent, affected, participant)
        if trigger.via not in TIME_PREPOSITIONS:
            partners = [
                g for c in carrier.children if c.lower_ in PARTNER_PREPOSITIONS for g in c.children
            ]
            self._fill(cls, "participant", partners, agent, affected, participant)
        return agent, affected, participant

    def _fill(
        self,
        cls: EventClass,
        role: str | None,
        heads: Iterable[Token],
        agent: list[Actor],
        affected: list[Actor],
        participant: list[Actor],
    ) -> None:
        """Add the actors of the phrases headed by `heads` to `role`, where their
        type fits it (a meeting's sides are all participants)."""
        if role is None:
            return
        if cls.participant and role in ("agent", "affected"):
            role = "participant"
        types = {"agent": cls.agent, "affected": cls.affected, "participant": cls.participant}[role]
        target = {"agent": agent, "affected": affected, "participant": participant}[role]
        for head in heads:
            for actor in self._actors(head, types):
                if actor not in target:
                    target.append(actor)

    def _actors(self, head: Token, types: tuple[str, ...]) -> list[Actor]:
        """The actors of `types` a phrase names: conjuncts and appositions
        included, relative clauses and other asides left out; a pronoun or a
        group noun stands for whom it refers to."""
        if not types:
            return []
        found: list[Actor] = []
        if "Person" in types and any(c.dep_ == "relcl" for c in head.children):
            head = self._described(head)
        resolved: set[int] = set()  # 'her client': 'her' is part of what was resolved
        for token in _phrase(head):
            if token.i in resolved:
                continue
            if self._person(token.head) and token.dep_ == "appos" and not self._person(token):
                # "Rashad Valiyev, the head of the Civic Center": a description of him
                resolved.update(t.i for t in token.subtree if not self._person(t))
                continue
            mention = self.mention_at.get(token.i)
            if mention is not None:
                root = token
                while root.head != root and self.mention_at.get(root.head.i) is mention:
                    root = root.head
                named = [
                    m.actor
                    for c in root.children
                    if c.dep_ == "appos" and (m := self.mention_at.get(c.i))
                ]
                if any(a.type == "Person" for a in named) and mention.actor.type != "Person":
                    continue  # "the head of the Police Department, Rail Abbasov": Abbasov
                if mention.actor.type in types and mention.actor not in found:
                    found.append(mention.actor)
                continue
            resolvable = token == head or token.dep_ != "poss"
            referents = [a for a in self._refers_to(token) if a.type in types] if resolvable else []
            if referents:
                resolved.update(t.i for t in token.subtree)
            found += [a for a in referents if a not in found]
        return found

    def _person(self, token: Token) -> bool:
        mention = self.mention_at.get(token.i)
        return mention is not None and mention.actor.type == "Person"

    def _described(self, noun: Token) -> Token:
        """The person a relative clause tells of when the parser hung it on a noun
        of his description: "Ramiz Sultanli, a member of the Musavat Party who was
        sentenced ..." -> Sultanli, not the party."""
        node = noun
        for _ in range(4):
            if self._person(node):
                return node
            if node.dep_ not in ("pobj", "prep", "appos") or node.head == node:
                break
            node = node.head
        return noun

    def _refers_to(self, token: Token) -> list[Actor]:
        """He/him -> the person last told of as a subject; they, 'all three
        activists' -> the group last affected; 'her client' -> whom a lawyer represents."""
        word = token.lower_
        if word in SUBJECT_PRONOUNS | BODY_PRONOUNS:
            person = word in SUBJECT_PRONOUNS
            before = [a for i, a in self.subjects if i < token.i and (a.type == "Person") == person]
            return before[-1:] if before else []
        part = token.head.lower_ == "of" and token.head.head.like_num  # "three of them"
        if part and self.groups and self.lex.number(token.head.head.text) != len(self.groups[-1]):
            return []  # a part of a group is not the group named
        if word in GROUP_PRONOUNS or (
            token.lemma_.lower() in self.lex.people
            and token.tag_ == "NNS"
            and any(c.lower_ in GROUP_DETERMINERS for c in token.children)
        ):
            return list(self.groups[-1]) if self.groups else []
        if token.lemma_.lower() == "client":
            return self._client(token)
        return []

    def _client(self, token: Token) -> list[Actor]:
        for candidate in reversed(list(self.doc[: token.i])):
            if candidate.lemma_.lower() in ("represent", "defend"):
                for obj in candidate.children:
                    if obj.dep_ == "dobj":
                        return [
                            m.actor
                            for t in _phrase(obj)
                            if (m := self.mention_at.get(t.i)) and m.actor.type == "Person"
                        ][:1]
            if candidate.is_sent_start and self._paragraph(candidate.idx) != self._paragraph(
                token.idx
            ):
                break
        return []

    def _types(self, head: Token) -> set[str]:
        return {m.actor.type for t in _phrase(head) if (m := self.mention_at.get(t.i))}

    def _places(self, trigger: _Trigger) -> list[Actor]:
        places: list[Actor] = []
        for node in filter(None, (trigger.token, trigger.carrier)):
            for prep in node.children:
                if prep.dep_ == "prep" and prep.lower_ in PLACE_PREPOSITIONS:
                    for token in (t for g in prep.children for t in _phrase(g)):
                        mention = self.mention_at.get(token.i)
                        place = mention.actor if mention else None
                        if place and place.type in ("Place", "Country") and place not in places:
                            places.append(place)
        return places

    # -- 3. details --------------------------------------------------------------------

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

    def _date(
        self, trigger: _Trigger, sent: TokenSpan, dates: list[tuple[Token, date]]
    ) -> date | None:
        """The date attached nearest above the date's token on the trigger's chain."""
        if not dates:
            return None
        anchors: dict[int, date] = {}
        for token, when in dates:
            node = token.head
            while node.pos_ not in ("VERB", "AUX", "NOUN") and node.head != node:
                node = node.head
            if (
                node.pos_ == "NOUN"
                and node.i != trigger.token.i
                and node.head.pos_ in ("VERB", "AUX")
            ):
                node = node.head if node.dep_ in OBJECTS | SUBJECTS else node
            anchors.setdefault(node.i, when)
        starts = [trigger.token, *trigger.measures]
        if trigger.carrier is not None:
            starts.append(trigger.carrier)
        for start in starts:
            for node in _chain(start):
                if node.i in anchors:
                    return anchors[node.i]
        if any(node.dep_ == "conj" for node in _chain(trigger.token)):
            # "..., removed yesterday, and he was denied ...": the joined clause's date
            earlier = [d for t, d in dates if t.i < trigger.token.i]
            if earlier:
                return earlier[-1]
        initial = [d for t, d in dates if t.i - sent.start < INITIAL_DATE_TOKENS]
        return initial[0] if initial else None

    def _status(self, trigger: _Trigger) -> str:
        words = self.lex.status
        chain = list(_chain(trigger.token))
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
            if trigger.cls.reported_alleged and node != trigger.token and lemma in self.lex.speech:
                alleged = True
        if alleged:
            return "Alleged"
        return "Planned" if planned else "Occurred"

    def _quantity(self, trigger: _Trigger) -> int | None:
        """The number of people: a number modifying the noun of the people
        concerned ('twelve people were arrested', 'a protest of 30 relatives')."""
        token = trigger.token
        heads: list[Token] = [token]
        verb = token if not trigger.noun else trigger.carrier
        if verb is not None:
            subjects, objects, _ = _arguments(verb)
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
            if head.like_num:
                value = self.lex.number(head.text)
                if value is not None:
                    return value
            if head.lemma_.lower() in self.lex.people or head == token:
                for child in head.children:
                    if child.dep_ == "nummod" and child.lower_ not in ("a", "an", "one"):
                        value = self.lex.number(child.text)
                        if value is not None:
                            if any(c.lower_ == "thousand" for c in child.children) or (
                                child.nbor().lower_ == "thousand"
                            ):
                                value *= 1000
                            return value
        return None

    def _duration(self, trigger: _Trigger) -> str | None:
        """A length of time among the trigger's modifiers: 'for 30 days', 'to
        four months', 'a five-year prison term', 'four months of detention'."""
        units = self.lex.durations
        candidates = list(trigger.measures)
        for node in [trigger.token, *trigger.absorbed]:
            candidates += [t for t in _phrase(node, keep_prepositions=True) if t != node]
        for unit in candidates:
            if unit.lemma_.lower() not in units:
                continue
            number = next((c for c in unit.children if c.dep_ == "nummod"), None)
            if number is None and unit.i >= 2 and unit.nbor(-1).text == "-":
                number = unit.nbor(-2)
            if number is None:
                continue
            value = self.lex.number(number.text)
            if value is None:
                continue
            duration = self.lex.xsd_duration(value, unit.lemma_.lower())
            for more in unit.children:  # "four years and six months"
                count = next((c for c in more.children if c.dep_ == "nummod"), None)
                if more.dep_ == "conj" and more.lemma_.lower() in units and count is not None:
                    extra = self.lex.number(count.text)
                    if extra is not None:
                        duration += self.lex.xsd_duration(extra, more.lemma_.lower())[1:]
            return duration
        return None

    def _refers_back(self, trigger: _Trigger) -> bool:
        """'his arrest', 'the meeting': a noun pointing at an event told already."""
        if not trigger.noun:
            return False
        children = list(trigger.token.children)
        return any(
            c.dep_ in ("det", "poss", "amod", "predet") and c.lower_ in self.lex.refer_back
            for c in children
        ) and not any(c.lower_ in ("new", "next", "upcoming", "another") for c in children)

    def _evidence(self, trigger: _Trigger) -> Span:
        node = trigger.carrier if trigger.noun and trigger.carrier is not None else trigger.token
        tokens = [t for t in _phrase(node, keep_prepositions=True)]
        if node.dep_ in ("relcl", "acl") or (node.dep_ == "conj" and not _own_subject(node)):
            tokens.append(node)
        tokens += [t for s in _arguments(node)[0] if s.i < node.i for t in s.subtree]
        tokens = [t for t in tokens if not t.is_punct] or [node]
        begin = min(t.idx for t in tokens)
        end = max(t.idx + len(t) for t in tokens)
        return Span(begin, end)

    # -- merging -----------------------------------------------------------------------

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
                restated = self.lex.classes[event.type].restated
                same = same or (
                    restated
                    and not (event.affected or event.participant)
                    and _agree(other.agent, event.agent)
                )
                # naming no one, with no date or count: the event told before
                # ("the Sochi meeting ... Sochi meeting signals"), or in the paragraph
                nearby = item.trigger.noun
                same = same or (nearby and _bare(event) and other.status == event.status)
            if same:
                _combine(other, event)
                return True
        return False

    def _unique_evidence(self, found: list[_Found]) -> None:
        """Two events may not start at one offset (it is part of their IRI): the
        later one's evidence then starts at its own trigger word ("Rail Abbasov
        was arrested, and sentenced to ...": the sentencing from "sentenced")."""
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
            seen.add(span.begin)


# -- the parse -------------------------------------------------------------------------


def _passive(verb: Token) -> bool:
    """'was detained', 'were all detained', 'persons arrested by ...', '..., and sentenced'."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return True
    if verb.tag_ != "VBN" or any(c.dep_ in ("nsubj", "aux") for c in verb.children):
        return False
    return verb.dep_ in ("acl", "conj", "advcl", "relcl") or verb.dep_ == "ROOT"


def _fronted_subject(verb: Token) -> list[Token]:
    """The subject the parser took for a conjunct of a fronted phrase's noun:
    in "Following a detention, his son, X, received ...", "son" hangs on
    "detention" as its conjunct, and the verb has no subject of its own."""
    passive = verb.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in verb.children)
    if verb.tag_ not in ("VBD", "VBZ", "VBP") and not passive:
        return []
    described = [  # "Rasimli, who posted a video, was detained": "Rasimli" taken for an adverb
        c
        for c in verb.lefts
        if c.dep_ in ("advmod", "npadvmod", "dep", "nmod")
        and any(g.dep_ == "relcl" for g in c.children)
    ]
    return (
        described[:1]
        or [
            conj
            for prep in verb.children
            if prep.dep_ == "prep" and prep.i < verb.i
            for noun in prep.children
            if noun.dep_ == "pobj"
            for conj in noun.children
            if conj.dep_ == "conj" and conj.pos_ in ("NOUN", "PROPN", "PRON")
        ][:1]
    )


def _determined(token: Token) -> bool:
    """A word the tagger took for an adjective in a noun phrase that opens with a
    determiner: "he a 200 manats fine"."""
    return token.pos_ == "ADJ" and any(
        t.dep_ == "det" and t.lower_ in ("a", "an") for t in token.lefts for t in t.subtree
    )


def _own_subject(verb: Token) -> bool:
    return any(c.dep_ in SUBJECTS for c in verb.children)


def _arguments(verb: Token) -> tuple[list[Token], list[Token], list[Token]]:
    """Subjects (shared by a conjoined clause, the noun a relative clause
    describes), objects and the by-phrase of a verb."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
    if not subjects:
        if verb.dep_ in ("relcl", "acl"):
            subjects = [verb.head]
        elif verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
            subjects = _arguments(verb.head)[0]
        elif verb.dep_ == "pcomp" and verb.head.head.pos_ in ("VERB", "AUX"):
            subjects = _arguments(verb.head.head)[0]  # "X, after meeting Y, said": X met
        else:
            subjects = _fronted_subject(verb)
    subjects = [s for s in subjects if s.lower_ not in ("who", "which", "that")] or (
        [verb.head] if verb.dep_ == "relcl" else []
    )
    objects = [c for c in verb.children if c.dep_ in OBJECTS]
    by = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    return subjects, objects, by


def _verb_roles(verb: Token, cls: EventClass) -> tuple[str | None, str | None]:
    """The roles of a verb trigger's subject and object."""
    if _passive(verb):
        return "affected", None
    if not any(c.dep_ in OBJECTS for c in verb.children):
        return cls.subject, None
    return "agent", "affected"


def _leaders(verb: Token) -> list[Token]:
    """Who leads what a verb tells: "under the leadership of X, exercises are held"."""
    return [
        person
        for prep in verb.children
        if prep.dep_ == "prep" and prep.lower_ == "under"
        for noun in prep.children
        if noun.lemma_.lower() in LEADERSHIP
        for of in noun.children
        if of.lower_ == "of"
        for person in of.children
    ]


def _instrument_agents(verb: Token) -> list[Token]:
    """Who signed the act a verb is done under: "According to the decision signed
    by X, the regime has been extended", "By a decree signed by X, ... was pardoned"."""
    return [
        pobj
        for prep in verb.children
        if prep.dep_ == "prep"
        for noun in prep.subtree
        if noun.lemma_.lower() in INSTRUMENTS
        for acl in noun.children
        if acl.dep_ == "acl"
        for by in acl.children
        if by.dep_ == "agent"
        for pobj in by.children
        if pobj.dep_ == "pobj"
    ]


def _patients(token: Token) -> list[Token]:
    """Objects of the trigger's of/against/into/for phrases: 'the appeal of X',
    'ruled in favour of X'."""
    found = []
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in PATIENT_PREPOSITIONS | {"in"}:
            for g in prep.children:
                found.append(g)
                found += _patients(g)
    for obj in token.children:
        if obj.dep_ in OBJECTS:
            found += _patients(obj)
            found += [c for c in obj.children if c.dep_ == "poss"]  # "rejected his appeal"
    return found


def _carrier(noun: Token, lex: Lexicon) -> tuple[Token | None, list[Token], str]:
    """The verb that carries a noun, the measure nouns between ('ordered four
    months of detention') and the preposition it is carried by ('' for a
    subject or object: 'received a sentence'; 'under': 'placed under house
    arrest'). A noun in another prepositional phrase has no carrier, only
    the preposition ('spoke about the arrests', 'detained during a protest')."""
    measures: list[Token] = []
    node = noun
    for _ in range(4):
        if node.dep_ == "pobj" and node.head.dep_ in ("prep", "agent"):
            prep = node.head
            up = prep.head
            via = prep.lower_
            if up.pos_ in ("VERB", "AUX"):
                carried = via in CARRIER_PREPOSITIONS or via in TIME_PREPOSITIONS
                return (up if carried else None), measures, via
            if up.lemma_.lower() in lex.measures or up.like_num:
                measures.append(up)
                node = up
                continue
            return None, measures, via
        if node.dep_ in OBJECTS | SUBJECTS and node.head.pos_ in ("VERB", "AUX"):
            return node.head, measures, ""
        if node.dep_ in ("conj", "appos") and node.head.pos_ in ("NOUN", "PROPN"):
            node = node.head
            continue
        if node.dep_ == "conj" and node.head.pos_ == "VERB" and _own_subject(node):
            return node.head, measures, GAPPED  # "X received a term and he a fine"
        return None, measures, node.dep_
    return None, measures, node.dep_


def _chain(token: Token) -> Iterator[Token]:
    """The token and its heads up to the root, stopping above a relative
    clause (its facts are background to the main clause, not governed by it)."""
    node = token
    while True:
        yield node
        infinitive = node.dep_ == "acl" and any(c.dep_ == "aux" for c in node.children)
        if node.dep_ in ("relcl", "acl", "appos") and not infinitive or node.head == node:
            return
        node = node.head


def _phrase(head: Token, keep_prepositions: bool = False) -> Iterator[Token]:
    """The tokens of the phrase `head` heads, with conjuncts and appositions
    but without relative clauses, clauses of their own and (unless asked) the
    prepositional phrases other than 'of'."""
    yield head
    for child in head.children:
        if child.dep_ in ("relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "punct", "cc"):
            continue
        if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and head.pos_ in ("VERB", "AUX"):
            continue
        if child.dep_ in SUBJECTS and head.pos_ in ("VERB", "AUX"):
            continue
        if child.dep_ == "prep" and not keep_prepositions and child.lower_ != "of":
            continue
        if child.lower_ == "of" and any(c.dep_ == "appos" for c in head.children):
            continue  # "the former head of X, Rail Abbasov": the apposition names who
        yield from _phrase(child, keep_prepositions)


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
