"""What the event rules read off spaCy's dependency parse: a verb's subjects,
objects and by-phrase, whether it is passive, the verb that carries an event
noun, the phrase a head word spans. Pure functions of the parse, no lexicon
lookups but the measure nouns `carrier_of` is given.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

from voxgraph.loader.extract.event_lexicon import EventClass, Lexicon

SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass"}
OBJECTS = {"dobj", "dative", "attr", "oprd"}
# Prepositions whose object is the one an event noun is done to: "the arrest of
# X", "a case against X", "an investigation into X", "detention for X".
PATIENT_PREPOSITIONS = {"of", "against", "into", "for", "on"}
# Prepositions through which a verb carries an event noun: "placed under house
# arrest", "went on hunger strike", "took part in a rally", "sentenced to a
# term".
CARRIER_PREPOSITIONS = {"under", "on", "to", "into", "in"}
# Prepositions of time: the noun is an event of its own, the verb's actors are
# not its actors ("detained during a protest").
TIME_PREPOSITIONS = {"during", "after", "before", "following", "amid", "since", "at"}
RECALLING = {"after", "following"}  # "Following a detention, X ...": an event told, recalled
GAPPED = "gapped"  # how a noun is carried by a verb left out: "... and he a fine"
LEADERSHIP = {"leadership", "command", "guidance", "direction", "supervision"}
INSTRUMENTS = {"decree", "decision", "order", "resolution", "instruction"}


def is_passive(verb: Token) -> bool:
    """'was detained', 'were all detained', 'persons arrested by ...', '..., and sentenced'."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return True
    if verb.tag_ != "VBN" or any(c.dep_ in ("nsubj", "aux") for c in verb.children):
        return False
    return verb.dep_ in ("acl", "conj", "advcl", "relcl") or verb.dep_ == "ROOT"


def fronted_subject(verb: Token) -> list[Token]:
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


def determined(token: Token) -> bool:
    """A word the tagger took for an adjective in a noun phrase that opens with a
    determiner: "he a 200 manats fine"."""
    return token.pos_ == "ADJ" and any(
        t.dep_ == "det" and t.lower_ in ("a", "an") for t in token.lefts for t in t.subtree
    )


def has_own_subject(verb: Token) -> bool:
    return any(c.dep_ in SUBJECTS for c in verb.children)


def arguments(verb: Token) -> tuple[list[Token], list[Token], list[Token]]:
    """Subjects (shared by a conjoined clause, the noun a relative clause
    describes), objects and the by-phrase of a verb."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
    if not subjects:
        if verb.dep_ in ("relcl", "acl"):
            subjects = [verb.head]
        elif verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
            subjects = arguments(verb.head)[0]
        elif verb.dep_ == "pcomp" and verb.head.head.pos_ in ("VERB", "AUX"):
            subjects = arguments(verb.head.head)[0]  # "X, after meeting Y, said": X met
        else:
            subjects = fronted_subject(verb)
    subjects = [s for s in subjects if s.lower_ not in ("who", "which", "that")] or (
        [verb.head] if verb.dep_ == "relcl" else []
    )
    objects = [c for c in verb.children if c.dep_ in OBJECTS] or [
        *small_clause_subjects(verb),
        *stray_objects(verb),
    ]
    if coordinated_modifier(verb):
        objects = [described(verb)]
    if objects:  # "sentenced X, and reporter Y to ...": the parser hung Y on the verb
        objects += [c for c in verb.rights if c.dep_ == "conj" and c.pos_ == "PROPN"]
    by = [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    return subjects, objects, by


def complements(verb: Token) -> list[Token]:
    """The adjectives that complete what a verb says of its object, not negated:
    "found him guilty", "was found guilty" (not "found him not guilty")."""
    return [
        c
        for c in verb.children
        if c.dep_ in ("ccomp", "oprd", "acomp")
        and c.pos_ == "ADJ"
        and not any(g.dep_ == "neg" for g in c.children)
    ]


def small_clause_subjects(verb: Token) -> list[Token]:
    """The object the parser took for the subject of the verb's adjective:
    "found him guilty" (him, subject of "guilty")."""
    return [
        s
        for c in verb.children
        if c.dep_ == "ccomp" and c.pos_ == "ADJ"
        for s in c.children
        if s.dep_ == "nsubj"
    ]


def _noun_taken_for_a_verb(token: Token) -> bool:
    """'in the third reading': a gerund with a determiner is a noun."""
    return token.tag_ == "VBG" and any(t.dep_ == "det" for c in token.lefts for t in c.subtree)


def stray_objects(verb: Token) -> list[Token]:
    """Objects the parser hung on a phrase between the verb and them: "adopted in
    the third reading the amendments" ("amendments" the object of "reading")."""
    holders = [c for c in verb.children if c.dep_ == "advcl" and _noun_taken_for_a_verb(c)]
    holders += [
        g for c in verb.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"
    ]
    return [o for h in holders for o in h.children if o.dep_ == "dobj" and o.i > h.i]


def stray_verb(obj: Token) -> Token | None:
    """The verb a stray object belongs to (see `stray_objects`)."""
    holder = obj.head
    if obj.dep_ != "dobj" or holder.pos_ in ("VERB", "AUX") and not _noun_taken_for_a_verb(holder):
        return None
    verb = holder.head.head if holder.dep_ == "pobj" else holder.head
    return verb if verb.pos_ in ("VERB", "AUX") and obj in stray_objects(verb) else None


def clause_arguments(verb: Token) -> list[Token]:
    """The subjects and objects of the clauses a verb introduces: "ruled that X must
    remain in custody" -> X; the objects of its infinitive: "refused to release X" -> X."""
    found: list[Token] = []
    for clause in (c for c in verb.children if c.dep_ in ("ccomp", "xcomp")):
        subjects, objects, _ = arguments(clause)
        found += objects if clause.dep_ == "xcomp" else subjects + objects
    return found


def coordinated_modifier(verb: Token) -> bool:
    """'... dispersed a protest and detained journalist X': a verb the parser took
    for a modifier of its object's title, after 'and'."""
    return (
        verb.dep_ == "amod"
        and verb.tag_ in ("VBN", "VBD")
        and (verb.i > 0 and verb.nbor(-1).dep_ == "cc")
    )


def described(modifier: Token) -> Token:
    """The name a title's modifier describes: 'journalist' -> 'X' in 'journalist X'."""
    node = modifier.head
    while node.dep_ == "compound" and node.head != node:
        node = node.head
    return node


def verb_roles(verb: Token, cls: EventClass, objects: list[Token]) -> tuple[str | None, str | None]:
    """The roles of a verb trigger's subject and object."""
    if coordinated_modifier(verb):
        return "agent", "affected"
    if is_passive(verb):
        return "affected", None
    if not objects:
        return cls.subject, None
    return "agent", "affected"


def leaders(verb: Token) -> list[Token]:
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


def instrument_agents(verb: Token) -> list[Token]:
    """Who signed the act a verb is done under: "According to the decision signed
    by X, the regime has been extended", "By a decree signed by X, ... was pardoned",
    "X signed a decree to pardon 634 convicts"."""
    act = verb.head
    if verb.dep_ == "acl" and act.lemma_.lower() in INSTRUMENTS and act.dep_ in OBJECTS:
        return [s for s in act.head.children if s.dep_ == "nsubj"]
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


def patient_heads(token: Token) -> list[Token]:
    """Objects of the trigger's of/against/into/for phrases: 'the appeal of X',
    'ruled in favour of X'; the owner of what it is done to: 'rejected his
    appeal', 'her phone was confiscated', 'confiscated from his cell'."""
    found = []
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in PATIENT_PREPOSITIONS | {"in", "from"}:
            for g in prep.children:
                found.append(g)
                found += patient_heads(g)
                found += [c for c in g.children if c.dep_ == "poss"]
    for obj in token.children:
        if obj.dep_ in OBJECTS | {"nsubjpass"}:
            found += patient_heads(obj)
            found += [c for c in obj.children if c.dep_ == "poss"]
    return found


def carrier_of(noun: Token, lex: Lexicon) -> tuple[Token | None, list[Token], str]:
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
                # "remanded for four months on charges of ...": carried by "on"
                if via in CARRIER_PREPOSITIONS - {"to"} and not measures:
                    return carrier_of(up, lex)[0], [], via
                measures.append(up)
                node = up
                continue
            return None, measures, via
        if node.dep_ in OBJECTS | SUBJECTS and node.head.pos_ in ("VERB", "AUX"):
            return stray_verb(node) or node.head, measures, ""
        if (verb := stray_verb(node)) is not None:
            return verb, measures, ""
        if node.dep_ in ("conj", "appos") and node.head.pos_ in ("NOUN", "PROPN"):
            node = node.head
            continue
        if node.dep_ == "conj" and node.head.pos_ == "VERB" and has_own_subject(node):
            return node.head, measures, GAPPED  # "X received a term and he a fine"
        return None, measures, node.dep_
    return None, measures, node.dep_


def chain_up(token: Token) -> Iterator[Token]:
    """The token and its heads up to the root, stopping above a relative
    clause (its facts are background to the main clause, not governed by it)."""
    node = token
    while True:
        yield node
        infinitive = node.dep_ == "acl" and any(c.dep_ == "aux" for c in node.children)
        if node.dep_ in ("relcl", "acl", "appos") and not infinitive or node.head == node:
            return
        node = node.head


def phrase(head: Token, keep_prepositions: bool = False) -> Iterator[Token]:
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
        yield from phrase(child, keep_prepositions)
