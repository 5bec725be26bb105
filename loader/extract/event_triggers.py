"""Step 1 of the event rules: the words that report an event.

A verb or noun whose lemma the lexicon lists ("detain", "detention", "hunger
strike"), outside direct quotes. A frame may retype a verb by what it acts on
("extended the detention" is a court decision, "released a statement" no
event). A participle describing a noun ("jailed activist"), a noun modifying
another ("detention center"), a noun naming a state ("in detention") or a
reason ("on charges of") report nothing. A negated trigger reports nothing
("was not detained"), and neither does one under a modal or a wish ("should be
dismissed", "demanded the release of").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Span as TokenSpan
from spacy.tokens import Token

from voxgraph.loader.extract.event_lexicon import EventClass, Lexicon
from voxgraph.loader.extract.event_parse import (
    CARRIER_PREPOSITIONS,
    INSTRUMENTS,
    OBJECTS,
    RECALLING,
    TIME_PREPOSITIONS,
    carrier_of,
    chain_up,
    complements,
    coordinated_modifier,
    determined,
    has_own_subject,
    is_passive,
    stray_objects,
)

# After a verb of state an event noun names a state: "remains in detention".
STATE_VERBS = {"be", "remain", "keep", "hold", "stay", "spend", "die"}
# Prepositions that give a state its start or length ("since March", "for eleven days").
STATE_TIMES = {"since", "for"}
MODALS = {"may", "might", "should", "would", "could", "can", "must"}
# A sentence whose term is a detention orders an arrest (ontology: vox:Arrest
# includes administrative and pre-trial detention); a prison term stays a sentencing.
TERM_CLASSES = {("Sentencing", "Arrest")}
# "arrested on charges of X" tells the charge too; "sentenced on charges of X" only its ground.
CAUSE_CLASSES = {("Arrest", "Charge")}


@dataclass
class Trigger:
    token: Token
    cls: EventClass
    noun: bool
    carrier: Token | None = None  # the verb that carries a noun: "received a sentence"
    via: str = ""  # how: "" as its argument, else the preposition ("under house arrest")
    measures: list[Token] = field(default_factory=list)  # "four months of detention"
    absorbed: list[Token] = field(default_factory=list)  # nouns told with the verb


class TriggerFinder:
    """Finds the triggers of a digest's sentences; `quoted(offset)` says whether
    a character is inside a direct quote (the speaker's words, not the digest's report)."""

    def __init__(self, lex: Lexicon, quoted: Callable[[int], bool]) -> None:
        self.lex, self.quoted = lex, quoted

    def find(self, sent: TokenSpan) -> list[Trigger]:
        """The triggers of a sentence that report an event, one per event told."""
        triggers: list[Trigger] = []
        for token in sent:
            if self.quoted(token.idx):
                continue
            trigger = self._verb(token) if token.pos_ in ("VERB", "AUX") else None
            if trigger is None and (token.pos_ in ("NOUN", "PROPN") or determined(token)):
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
            elif trigger.via in TIME_PREPOSITIONS or (
                trigger.via == "in" and trigger.cls.restated and not host.cls.restated
            ):
                # "detained during a protest", "killed in an exchange of fire": its setting;
                # "Following a detention, X was fined": X's, the scene for what follows
                if trigger.via not in RECALLING:
                    trigger.carrier = None
                kept.append(trigger)
            elif trigger.via == "on" and (host.cls.name, trigger.cls.name) in CAUSE_CLASSES:
                kept.append(trigger)  # "arrested on charges of ...": charged too
        return kept

    def _verb(self, token: Token) -> Trigger | None:
        lemma = self.lex.verb_lemma(token)
        if token.dep_ in ("amod", "compound") and not coordinated_modifier(token):
            # "jailed activist": a description
            return None
        negated = any(c.dep_ == "neg" for c in token.children)
        if negated:
            cls = self.lex.negated.get(lemma)
            return Trigger(token, cls, noun=False) if cls else None
        instruments = [
            c for c in token.children if c.dep_ in OBJECTS and c.lemma_.lower() in INSTRUMENTS
        ]
        for act in instruments:
            # "signed a decree to pardon 634 convicts": the pardon is told by its own verb
            if any(
                c.dep_ == "acl" and self.lex.verb_lemma(c) in self.lex.verbs for c in act.children
            ):
                return None
            # "signed a pardon decree": a release, by the signer
            for word in (c for c in act.lefts if c.dep_ in ("compound", "amod")):
                entries = self.lex.nouns.get(word.lemma_.lower(), ())
                cls = next((e.event_class for e in entries if not e.modifiers), None)
                if cls is not None:
                    return Trigger(token, cls, noun=False)
        for frame in self.lex.frames:
            if lemma in frame.verbs and self._acts_on(token, frame.direct) & frame.objects:
                return Trigger(token, frame.event_class, noun=False) if frame.event_class else None
        if lemma in self.lex.rulings.verbs and self._court_rules(token):
            return Trigger(token, self.lex.rulings.event_class, noun=False)
        cls = self.lex.verbs.get(lemma)
        if cls is None and is_passive(token):
            cls = self.lex.passive_verbs.get(lemma)
        return Trigger(token, cls, noun=False) if cls else None

    def _court_rules(self, verb: Token) -> bool:
        """'The court ruled that ...', 'the judge decided that ...', 'the court refused
        to ...': a court as the subject and a clause saying what it decided."""
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        court = any(s.lemma_.lower() in self.lex.rulings.subjects for s in subjects)
        clauses = ("ccomp", "xcomp") if verb.lemma_.lower() in self.lex.hypothetical else ("ccomp",)
        return court and any(c.dep_ in clauses and c.pos_ in ("VERB", "AUX") for c in verb.children)

    def _acts_on(self, verb: Token, direct: bool = False) -> set[str]:
        """Lemmas of what the verb acts on: objects, passive subjects, nouns of
        its prepositional phrases (and what those are 'of'); only the first two
        if `direct`."""
        heads = [c for c in verb.children if c.dep_ in OBJECTS | {"nsubjpass"}]
        heads += stray_objects(verb) + complements(verb)  # "found him guilty"
        heads += [c for h in heads for c in h.children if c.dep_ == "conj"]  # "materials and food"
        if direct:
            return {h.lemma_.lower() for h in heads}
        # "for questioning", "sent the case back for retrial"
        preps = [c for c in verb.children if c.dep_ == "prep"]
        preps += [
            p for c in verb.children if c.dep_ == "advmod" for p in c.children if p.dep_ == "prep"
        ]
        heads += [g for c in preps for g in c.children]
        if verb.dep_ in ("relcl", "acl"):
            heads.append(verb.head)
        lemmas = set()
        for head in heads:
            lemmas.add(head.lemma_.lower())
            if head.tag_ == "VBG":
                lemmas.add(head.lower_)  # a gerund: "questioning", not "question"
            lemmas.update(
                g.lemma_.lower()
                for c in head.children
                if c.dep_ in ("prep", "compound")
                for g in [c, *c.children]
            )
        return lemmas

    def _noun(self, token: Token) -> Trigger | None:
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
        carrier, measures, via = carrier_of(token, self.lex)
        if entry.head in entry.event_class.undergone:
            aimed = any(c.dep_ == "prep" and c.lower_ == "against" for c in token.children)
            undergone = (
                carrier is not None
                and via == ""
                and token.dep_ in OBJECTS
                and carrier.lemma_.lower() in self.lex.undergo
            )
            if not aimed and not undergone:
                return None  # "denied the accusations of ill-treatment"
        return Trigger(token, entry.event_class, True, carrier, via, measures)

    def _reports(self, trigger: Trigger) -> bool:
        """Whether the trigger reports an event: not negated, hypothetical, a state or a reason."""
        token = trigger.token
        carrier = trigger.carrier
        if trigger.noun and carrier is not None:
            state = trigger.via in CARRIER_PREPOSITIONS and carrier.lemma_.lower() in STATE_VERBS
            if state and not self._timed(carrier):
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

    def _timed(self, verb: Token) -> bool:
        """A state told with its start or length is news: "has been on hunger strike
        since Friday", "has been in custody for four months", "spent five months in
        detention"; "remains in detention" only restates."""
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ in STATE_TIMES:
                return True
            if child.dep_ in ("dobj", "npadvmod") and child.lemma_.lower() in self.lex.durations:
                return True
        return False

    def _topic(self, trigger: Trigger) -> bool:
        """'Users discuss the arrest of X', 'the arrest of X is the main topic', 'the
        main topics are the verdict against X and ...'."""
        carrier = trigger.carrier
        if carrier is None or trigger.via not in ("", "to", "on", "about") or is_passive(carrier):
            return False  # "the draft law is being discussed": it is under way
        if carrier.lemma_.lower() in self.lex.topic:
            return True
        return carrier.lemma_.lower() == "be" and any(
            c.dep_ in ("attr", "nsubj") and c.lemma_.lower() in self.lex.topic
            for c in carrier.children
        )

    def _hypothetical(self, token: Token) -> bool:
        if token.tag_ == "VB" and not any(
            c.dep_ in ("nsubj", "aux", "auxpass") for c in token.children
        ):
            return True  # an imperative: "posters reading “Free the economist”"
        for node in chain_up(token):
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
            if node.dep_ == "conj" and has_own_subject(node):
                return False  # "asked the court to release him, but the request was rejected"
        return False
