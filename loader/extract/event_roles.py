"""Step 2 of the event rules: who an event concerns, from the dependencies.

Passive subject or object -> affected, "by" phrase or active subject -> agent,
for a meeting everyone on both sides -> participants; conjuncts and
appositions all count ("activists A, B and former diplomat C were detained").
A noun takes its of-phrase, possessor, by-phrase or against/into-phrase ("the
arrest of X", "X's detention", "a case against X"), and the arguments of the
verb that carries it: "X received a prison term" (X undergoes it), "X held a
rally" (X acts). A clause with no subject of its own ("..., and sentenced")
shares its head's; a relative clause's is the noun it describes. "he"/"she"
stands for the person last told of as a subject whose name agrees, else the
last named; "they" / "all three activists" for the group an event of the
paragraph last affected; "her client" for the person a lawyer is said to
represent; "the activist" for the person last named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from voxgraph.loader.extract.event_lexicon import EventClass, Lexicon
from voxgraph.loader.extract.event_parse import (
    GAPPED,
    OBJECTS,
    PATIENT_PREPOSITIONS,
    SUBJECTS,
    TIME_PREPOSITIONS,
    arguments,
    clause_arguments,
    fronted_subject,
    has_own_subject,
    instrument_agents,
    is_passive,
    leaders,
    patient_heads,
    phrase,
    verb_roles,
)
from voxgraph.loader.extract.event_triggers import Trigger
from voxgraph.loader.extract.facts import Actor, Mention

PARTNER_PREPOSITIONS = {"with", "between", "among"}
PLACE_PREPOSITIONS = {"in", "at", "near", "outside", "inside"}
BODY_PRONOUNS = {"it", "its"}  # a party, a ministry, a country told of as a subject
GROUP_PRONOUNS = {"they", "them", "their"}
GROUP_DETERMINERS = {"all", "both", "the", "these", "those"}


class RoleFinder:
    """The actors of a digest by token (`mention_at`) and what a paragraph has told
    so far (subjects, persons named, groups affected), for the roles of its events."""

    def __init__(
        self,
        doc: Doc,
        lex: Lexicon,
        mention_at: dict[int, Mention],
        paragraph: Callable[[int], int],
    ) -> None:
        self.doc, self.lex, self.mention_at, self.paragraph = doc, lex, mention_at, paragraph
        self.subjects: list[tuple[int, Actor]] = []  # actors told of as subjects
        self.persons: list[tuple[int, Actor]] = []  # every person named, in this paragraph
        self.groups: list[list[Actor]] = []  # groups of persons affected, in this paragraph
        # "Novruzov's mother, Sevda Novruzova": (Sevda Novruzova, "mother") -> Novruzov
        self.kin_of: dict[tuple[Actor, str], Actor] = {}
        self.relatives: set[Actor] = set()  # persons named as someone's kin or lawyer

    def new_paragraph(self) -> None:
        self.subjects, self.persons, self.groups = [], [], []

    def note_subjects(self, sent: TokenSpan) -> None:
        """The actors told of as subjects, for the pronouns that follow; with the
        subject a misparse hid ("Rasimli, who posted a video, was detained")."""
        for token in sent:
            mention = self.mention_at.get(token.i)
            if mention and mention.actor.type == "Person" and token.head.i not in self.mention_at:
                self.persons.append((token.i, mention.actor))
            if token.lemma_.lower() in self.lex.kin:
                self._note_kin(token)
            subjects = [token] if token.dep_ in SUBJECTS else []
            if token.pos_ in ("VERB", "AUX") and not has_own_subject(token):
                subjects = fronted_subject(token)
            for subject in subjects:
                mention = self.mention_at.get(subject.i)
                if mention and not mention.actor.is_place:
                    self.subjects.append((subject.i, mention.actor))

    def _note_kin(self, kin: Token) -> None:
        """'X's mother, Y', 'Y, X's mother', 'Y, the mother of X': Y is X's mother."""
        owners = [c for c in kin.children if c.dep_ == "poss" and self._person(c)]
        owners += [
            g for c in kin.children if c.lower_ == "of" for g in c.children if self._person(g)
        ]
        named = [c for c in kin.children if c.dep_ == "appos" and self._person(c)]
        if kin.dep_ == "appos" and self._person(kin.head):
            named.append(kin.head)
        self.relatives.update(self.mention_at[n.i].actor for n in named)
        for owner in owners[:1]:
            for name in named[:1]:
                relative = self.mention_at[name.i].actor
                self.kin_of[relative, kin.lemma_.lower()] = self.mention_at[owner.i].actor

    def roles(self, trigger: Trigger) -> tuple[list[Actor], list[Actor], list[Actor]]:
        cls, token = trigger.cls, trigger.token
        agent: list[Actor] = []
        affected: list[Actor] = []
        participant: list[Actor] = []
        if not trigger.noun:
            subjects, objects, by = arguments(token)
            subject_role, object_role = verb_roles(token, cls, objects)
            # "the court ruled in favour of X": a subject that can only act is the agent
            acts = any(self.types(s) & (set(cls.agent) - set(cls.affected)) for s in subjects)
            if subject_role == "affected" and not objects and not is_passive(token) and acts:
                subject_role = "agent"
            if token.lemma_.lower() in self.lex.undergo and not is_passive(token):
                subject_role = "affected"  # "X got five years": X undergoes the term
            for heads, role in ((subjects, subject_role), (objects, object_role), (by, "agent")):
                self._fill(cls, role, heads, agent, affected, participant)
            if not agent:
                self._fill(cls, "agent", instrument_agents(token), agent, affected, participant)
            self._fill(cls, "agent", leaders(token), agent, affected, participant)
            partners = [
                g for c in token.children if c.lower_ in PARTNER_PREPOSITIONS for g in c.children
            ]
            self._fill(cls, "participant", partners, agent, affected, participant)
            if not affected and cls.affected:
                # "her phone was confiscated" (her), not "her son was tortured" (him)
                owners = [
                    h for h in patient_heads(token) if h.head.lemma_.lower() not in self.lex.kin
                ]
                self._fill(cls, "affected", owners, agent, affected, participant)
            if not affected and cls is self.lex.rulings.event_class:
                # "the court ruled that X must remain in custody": whom the ruling concerns
                ruled = clause_arguments(token)
                self._fill(cls, "affected", ruled, agent, affected, participant)
            if any(c.dep_ == "neg" for c in token.children):
                # "was not allowed to see her husband": whom the visit was kept from too
                reached = [
                    g
                    for x in token.children
                    if x.dep_ in ("xcomp", "ccomp")
                    for c in x.children
                    if c.dep_ in OBJECTS | SUBJECTS or c.lower_ == "to"
                    for g in ([c] if c.lower_ != "to" else c.children)
                ]
                # "did not allow his family to hand over medicines": kept from him
                denied = [*subjects, *objects, *(c for c in reached if c.dep_ in SUBJECTS)]
                reached += [
                    p
                    for c in denied
                    if c.lemma_.lower() in self.lex.kin
                    for p in c.children
                    if p.dep_ == "poss"
                ]
                self._fill(cls, "affected", reached, agent, affected, participant)
            for absorbed in trigger.absorbed:
                if not affected:
                    self._fill(
                        cls, "affected", patient_heads(absorbed), agent, affected, participant
                    )
            return agent, affected, participant
        # a noun: its own phrase first ...
        owners = [c for c in token.children if c.dep_ == "poss"]
        for owner in owners:
            role = (
                "agent"
                if self.types(owner) & set(cls.agent)
                and not (self.types(owner) & set(cls.affected))
                else "affected"
            )
            self._fill(cls, role, [owner], agent, affected, participant)
        of = [g for c in token.children if c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        of_role = "participant" if cls.participant else "affected"
        acting = set(cls.agent) - {"Person"}
        if (
            of_role == "affected"
            and not cls.of_affected
            and any(self.types(g) & acting for g in of)
        ):
            of_role = "agent"
        # "a search of his residence": whose the thing is, where it names no one
        of += [p for g in of if not self.types(g) for p in g.children if p.dep_ == "poss"]
        self._fill(cls, of_role, of, agent, affected, participant)
        # "a two-day military operation by Azerbaijan"
        by = [
            g for c in token.children if c.lower_ == "by" and c.dep_ == "prep" for g in c.children
        ]
        self._fill(cls, "agent", by, agent, affected, participant)
        # "the operation of the Security Service in the Ministry": "in" may hang on either noun
        others = [
            g
            for node in [token, *of]
            for c in node.children
            if c.dep_ == "prep" and c.lower_ in PATIENT_PREPOSITIONS - {"of"} | cls.targets
            for g in c.children
        ]
        self._fill(cls, "affected", others, agent, affected, participant)
        partners = [
            g for c in token.children if c.lower_ in PARTNER_PREPOSITIONS for g in c.children
        ]
        # "an exchange of fire with X": where no one takes part, the other side acts
        self._fill(
            cls,
            "participant" if cls.participant else "agent",
            partners,
            agent,
            affected,
            participant,
        )
        # "the meeting, which Putin also attended", "the rally, which was organised by X"
        for clause in (c for c in token.children if c.dep_ == "relcl"):
            relative = [c for c in clause.children if c.lower_ in ("which", "that")]
            if any(r.dep_ in OBJECTS for r in relative):
                doers = [c for c in clause.children if c.dep_ == "nsubj"]
                self._fill(cls, "agent", doers, agent, affected, participant)
            elif any(r.dep_ == "nsubjpass" for r in relative):
                self._fill(cls, "agent", arguments(clause)[2], agent, affected, participant)
        # ... then the verb that carries it; who speaks about it takes no part
        # ("the embassy commented on the draft law")
        carrier = trigger.carrier
        if carrier is None:
            return agent, affected, participant
        # (nor who films or covers it) ... unless what is announced is what its speaker does
        # ("announced a hunger strike"), or the noun is the setting of the speech:
        # "during a phone call with X, Y stressed ..." (Y took part)
        spoken = carrier.lemma_.lower() in self.lex.speech
        undertaken = carrier.lemma_.lower() in self.lex.undertake
        told = trigger.via or cls.affected or not undertaken  # "reported a ceasefire violation"
        if spoken and trigger.via not in TIME_PREPOSITIONS and told:
            return agent, affected, participant
        if carrier.lemma_.lower() in self.lex.witness | self.lex.reaction:
            return agent, affected, participant  # "welcomed the release of X"
        self._fill(cls, "agent", leaders(carrier), agent, affected, participant)
        subjects, objects, by = arguments(carrier)
        if trigger.via == GAPPED:
            subjects, objects, by = [c for c in token.children if c.dep_ in SUBJECTS], [], []
        if trigger.via in TIME_PREPOSITIONS:
            objects, by = [], []  # "during the call, X apologised to Y": X took part
        objects = [o for o in objects if o != token and o not in trigger.measures]
        subjects = [s for s in subjects if s != token and s not in trigger.measures]
        if is_passive(carrier):
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
            for actor in self.actors(head, types):
                if actor not in target:
                    target.append(actor)

    def actors(self, head: Token, types: tuple[str, ...]) -> list[Actor]:
        """The actors of `types` a phrase names: conjuncts and appositions
        included, relative clauses and other asides left out; a pronoun or a
        group noun stands for whom it refers to."""
        if not types:
            return []
        found: list[Actor] = []
        if "Person" in types and any(c.dep_ == "relcl" for c in head.children):
            head = self._described(head)
        resolved: set[int] = set()  # 'her client': 'her' is part of what was resolved
        singular = head.lemma_.lower(), head.lower_.removesuffix("s")  # "Relatives" opening
        if any(w in self.lex.kin for w in singular) and head.i not in self.mention_at:
            # "relatives of Huseynli held a picket", "his lawyer": not Huseynli, not him
            resolved.update(
                t.i for c in head.children if c.dep_ in ("poss", "prep") for t in c.subtree
            )
        for token in phrase(head):
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
                if mention.actor.type != "Person" and self._describes(token, head):
                    continue  # "Popular Front Party activist Jeyhun Rzali": Rzali
                if mention.actor.type in types and mention.actor not in found:
                    found.append(mention.actor)
                continue
            resolvable = token == head or token.dep_ != "poss"
            referents = [a for a in self._refers_to(token) if a.type in types] if resolvable else []
            if referents:
                resolved.update(t.i for t in token.subtree)
            found += [a for a in referents if a not in found]
        return found

    def _describes(self, token: Token, head: Token) -> bool:
        """Whether a name hangs below a person's name in the phrase, as part of his
        description (a modifier, an apposition), not joined to it by "and"."""
        mention = self.mention_at.get(token.i)
        node = token
        while node != head and node.head != node and node.dep_ != "conj":
            node = node.head
            if self._person(node) and self.mention_at.get(node.i) is not mention:
                return True
        return False

    def _person(self, token: Token) -> bool:
        mention = self.mention_at.get(token.i)
        return mention is not None and mention.actor.type == "Person"

    def _described(self, noun: Token) -> Token:
        """The person a relative clause tells of when the parser hung it on a noun
        of his description: "Ramiz Sultanli, a member of the Musavat Party who was
        sentenced ..." -> Sultanli, not the party."""
        node = noun
        for _ in range(8):  # "X, head of the Center for Y, who was ..."
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
        if word == "whose":  # "X, whose detention on 5 May ...": X
            clause = next((a for a in token.ancestors if a.dep_ == "relcl"), None)
            return (
                [self.mention_at[clause.head.i].actor]
                if clause and clause.head.i in self.mention_at
                else []
            )
        if word in BODY_PRONOUNS:
            before = [a for i, a in self.subjects if i < token.i and a.type != "Person"]
            return before[-1:]
        if sex := self.lex.pronouns.get(word):
            # the person last told of as a subject whose name agrees, else the last named
            for pool in (self.subjects, self.persons):
                before = [
                    a
                    for i, a in pool
                    if i < token.i and a.type == "Person" and self.lex.sex(a.label) in (None, sex)
                ]
                if before:
                    return before[-1:]
            return []
        part = token.head.lower_ == "of" and token.head.head.like_num  # "three of them"
        if part and self.groups and self.lex.number(token.head.head.text) != len(self.groups[-1]):
            return []  # a part of a group is not the group named
        if self.groups and self._whole_group(token):
            return list(self.groups[-1])  # "Both were released", "all three were fined"
        if word in GROUP_PRONOUNS or (
            token.lemma_.lower() in self.lex.people
            and token.tag_ == "NNS"
            and any(c.lower_ in GROUP_DETERMINERS for c in token.children)
        ):
            return list(self.groups[-1]) if self.groups else []
        if token.lemma_.lower() == "client":
            return self._client(token)
        if token.lemma_.lower() in self.lex.kin:
            return self._kin(token)
        if token.lemma_.lower() in self.lex.people and token.tag_ == "NN" and _bare_the(token):
            # "the activist", "the journalist": the person last named in the paragraph,
            # not his lawyer or mother ("His lawyer X said that the activist was beaten")
            before = [a for i, a in self.persons if i < token.i and a not in self.relatives]
            return before[-1:]
        return []

    def _whole_group(self, token: Token) -> bool:
        """'both' for a group of two; 'all three' for a group of three."""
        size = len(self.groups[-1])
        if token.lower_ == "both":
            return size == 2
        whole = any(c.lower_ in ("all", "both") for c in token.children)
        return whole and token.like_num and self.lex.number(token.text) == size

    def _kin(self, token: Token) -> list[Actor]:
        """'her son' for the person whose mother she was said to be."""
        called = token.lemma_.lower()
        for owner in (c for c in token.children if c.dep_ == "poss"):
            for relative in self._refers_to(owner):
                for (named, kin), person in self.kin_of.items():
                    if named == relative and (kin, called) in self.lex.kin_pairs:
                        return [person]
        return []

    def _client(self, token: Token) -> list[Actor]:
        for candidate in reversed(list(self.doc[: token.i])):
            if candidate.lemma_.lower() in ("represent", "defend"):
                for obj in candidate.children:
                    if obj.dep_ == "dobj":
                        return [
                            m.actor
                            for t in phrase(obj)
                            if (m := self.mention_at.get(t.i)) and m.actor.type == "Person"
                        ][:1]
            if candidate.is_sent_start and self.paragraph(candidate.idx) != self.paragraph(
                token.idx
            ):
                break
        return []

    def on_person(self, trigger: Trigger, affected: list[Actor]) -> bool:
        """Whether what the trigger tells is done to people: a person affected, or a
        pronoun or a noun for people as its object ("pushed her", "used force against
        the protesters", "were kicked")."""
        if any(a.type == "Person" for a in affected):
            return True
        token = trigger.token
        subjects, objects, _ = arguments(token)
        heads = [*objects, *patient_heads(token), *(subjects if is_passive(token) else [])]
        return any(
            h.lemma_.lower() in self.lex.people or h.lower_ in {*self.lex.pronouns, *GROUP_PRONOUNS}
            for h in heads
        )

    def types(self, head: Token) -> set[str]:
        return {m.actor.type for t in phrase(head) if (m := self.mention_at.get(t.i))}

    def places(self, trigger: Trigger) -> list[Actor]:
        places: list[Actor] = []
        for node in filter(None, (trigger.token, trigger.carrier)):
            for prep in node.children:
                if prep.dep_ == "prep" and prep.lower_ in PLACE_PREPOSITIONS:
                    for token in (t for g in prep.children for t in phrase(g)):
                        mention = self.mention_at.get(token.i)
                        place = mention.actor if mention else None
                        if place and place.type in ("Place", "Country") and place not in places:
                            places.append(place)
        return places

    # -- merging -----------------------------------------------------------------------


def _bare_the(noun: Token) -> bool:
    """'the activist', 'the economist, who criticised ...': no name or of-phrase of its own."""
    children = list(noun.children)
    return any(c.dep_ == "det" and c.lower_ == "the" for c in children) and all(
        c.dep_ in ("det", "amod", "relcl", "punct") and c.lower_ != "other" for c in children
    )
