"""Who speaks: the head of a statement's subject resolved to a named actor.

A name ("Journalist Seymur Hezi"), an apposition ("the chairperson of the
Party, Ali Karimli"), the owner of a medium ("Karimli’s post reads"), the body
a group speaks for ("Journalists of Toplum TV" -> the outlet), a pronoun (the
person who spoke last in the paragraph, else the last named), a title ("The
Prosecutor General" -> the person the digest gives that role) or a
description ("the ministry" -> the last ministry named). A subject that names
no one ("His lawyer said", "users noted") gives no speaker: the words are
never handed to the person the lawyer works for, nor to anyone else.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from voxgraph.loader.extract.actors import described
from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.extract.facts import Actor, Mention, RoleClaim, Statement
from voxgraph.loader.read.digest import Span

SPEAKER_TYPES = ("Place",)  # actor types that never speak
SUBJECTS = ("nsubj",)


@dataclass
class Context:
    text: str
    doc: Doc
    mentions: list[Mention]  # outermost, in text order
    begins: list[int]  # their begin offsets
    roles: list[RoleClaim]
    quotes: list[Span]
    earlier: list[Statement]  # of this paragraph, so far
    paragraph: int = 0  # where this paragraph begins
    before: Statement | None = None  # the last statement of the paragraph before

    def mention_at(self, offset: int) -> Mention | None:
        index = bisect_right(self.begins, offset) - 1
        if index >= 0 and self.mentions[index].span.begin <= offset < self.mentions[index].span.end:
            return self.mentions[index]
        return None

    def quoted(self, offset: int) -> bool:
        return any(q.begin <= offset < q.end for q in self.quotes)


def is_speech_verb(token: Token) -> bool:
    """A verb of saying by its lemma; also a present-tense form the tagger took
    for a plural noun when a that-clause follows it or the parser hung a
    clause on it ('The statement … states that', 'X states in his FB status
    that …')."""
    lemmas = load_cues().speech_lemmas
    if token.pos_ in ("VERB", "AUX"):
        return token.lemma_.lower() in lemmas
    if token.tag_ != "NNS" or token.lower_[:-1] not in lemmas:
        return False
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return (following is not None and following.lower_ == "that") or any(
        child.dep_ == "ccomp" for child in token.children
    )


def subject_of(verb: Token) -> Token | None:
    """The subject of a verb, or of the verb it is coordinated with or governed
    by ("released information and said", "was quoted as saying"); the agent of
    a passive ("it was stated by the ministry")."""
    if any(t.dep_ in ("nsubjpass", "auxpass") for t in verb.children):
        # 'the residents were told that …': only an agent says it, never a neighbour's subject
        agent = next((t for t in verb.children if t.dep_ == "agent"), None)
        return next((g for g in agent.children if g.dep_ == "pobj"), None) if agent else None
    token: Token | None = verb
    via_conj = False
    while token is not None:
        for child in token.children:
            if child.dep_ in SUBJECTS and token.dep_ == "relcl" and child.lower_ == "who":
                return token.head  # 'met Karimli, who said that …': the one the clause is on
            if child.dep_ in SUBJECTS and not _relative(token, child):
                return _apposed(child)
            if child.dep_ == "agent":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
            if child.dep_ == "compound" and child.i < token.i and token.pos_ == "VERB":
                # 'Ali Karimli states …' parsed as a compound noun: a verb has no compound
                return child
        if token.head is token:
            return None
        if token.dep_ == "pcomp" and token.head.head.lemma_.lower() == "quote":
            # 'Meydan TV quoted Karimli as saying', 'he was quoted as saying'
            quoted = token.head.head
            return next((t for t in quoted.children if t.dep_ in ("nsubjpass", "dobj")), None)
        if token.dep_ in ("acl", "relcl") and token.head.pos_ == "NOUN":
            # 'adopted a statement calling on …', '… a resolution that calls on …':
            # the document's author
            noun = token.head
            owner = owner_of(noun)
            if owner is not None:
                return owner
            return subject_of(noun.head) if noun.dep_ == "dobj" else None
        if token.dep_ == "ccomp" and via_conj and is_speech_verb(token.head):
            # 'said that A had stopped and called on …': the parser hung the
            # second verb of saying on the clause of the first
            token = token.head
        elif token.dep_ in ("conj", "xcomp", "advcl"):
            via_conj = via_conj or token.dep_ == "conj"
            token = token.head
        else:
            return None
    return None


def _apposed(subject: Token) -> Token:
    """'His lawyer, Nazim Lajic said': a name in apposition that lost its
    closing comma, which the parser makes a second subject, is the speaker."""
    doc = subject.doc
    for other in subject.head.children:
        if other.dep_ not in SUBJECTS or other.i <= subject.i or other.left_edge.i == 0:
            continue
        comma = doc[other.left_edge.i - 1]
        if comma.text == "," and comma.head == subject:
            return other
    return subject


def _relative(verb: Token, subject: Token) -> bool:
    """'a resolution that calls on …': the subject is the relative pronoun of a
    clause on a document, which speaks for its author."""
    nouns = load_cues().medium_nouns | load_cues().speech_nouns
    return (
        verb.dep_ == "relcl"
        and subject.lower_ in ("that", "which")
        and verb.head.lemma_.lower() in nouns
    )


def owner_of(noun: Token) -> Token | None:
    """The possessor of a noun: 'Karimli’s Facebook post', also where the
    parser lost the link ('Parts of Gambar’s interview')."""
    index = noun.i - 1
    while index > 0 and noun.doc[index].dep_ in ("compound", "amod"):
        index -= 1  # 'Facebook', 'official'
    if index > 0 and noun.doc[index].lower_ in ("’s", "'s", "’", "'"):
        return noun.doc[index - 1]
    return next((t for t in noun.children if t.dep_ == "poss"), None)


def of_phrase(token: Token) -> Token | None:
    """The object of 'of', 'from' or 'by' after a noun: 'a statement of the ministry'."""
    for child in token.children:
        if child.dep_ in ("prep", "agent") and child.lower_ in ("of", "from", "by"):
            return next((g for g in child.children if g.dep_ == "pobj"), None)
        if child.dep_ == "acl":  # 'the statement released by the ministry'
            found = of_phrase(child)
            if found is not None:
                return found
    return None


def resolve(c: Context, head: Token) -> Actor | None:
    """The named actor the head of a subject stands for, or None (see module doc)."""
    cues = load_cues()
    mention = _named(c, head)
    if mention is not None:
        return mention
    for child in head.children:
        if child.dep_ == "appos":
            named = _named(c, child)
            if named is not None:
                return named
    titled = _name_after_title(c, head)
    if titled is not None:
        return titled
    lemma = head.lemma_.lower()
    if head.pos_ == "PROPN" and lemma.endswith("s") and lemma[:-1] in cues.voice_nouns:
        lemma = lemma[:-1]  # 'Journalists of …' opening a sentence, tagged a name
    if head.pos_ == "PRON":
        # 'He stated', 'his post': the person last named or who spoke last
        if lemma in ("it", "its"):
            return _body_that_spoke(c)
        known = lemma in ("he", "she", "his", "her")
        return _pronoun(c, head.idx, head.lower_) if known else None
    if lemma in cues.medium_nouns or lemma in cues.speech_nouns:
        owner = owner_of(head)
        source = owner if owner is not None else of_phrase(head)
        if source is not None:
            return resolve(c, source)
        # "According to the statement" after one in the paragraph: that one; an
        # unowned statement with none before it names no speaker, rather than a guess
        return c.earlier[-1].speaker if c.earlier else _issuer(c, head)
    body = of_phrase(head) if lemma in cues.voice_nouns else None
    if body is not None:
        # "Journalists of Toplum TV", "a spokesperson of the ministry": the body speaks
        actor = _named(c, body) or _organisation(c, body)
        return actor if actor is not None and actor.type != "Person" else None
    if lemma in cues.kin_nouns:
        return _kin(c, head)
    if cues.is_role_noun(lemma):
        return _titled(c, head)
    return _organisation(c, head)


def _kin(c: Context, head: Token) -> Actor | None:
    """'Her son said' -> the son the paragraph named before ('met her son,
    Farid Hasanov', 'the grandmother of X, Sona Ismayilova,'); a relative never
    named stays no one, and is never the person whose relative they are."""
    for token in reversed(c.doc[: head.i]):
        if token.idx < c.paragraph:
            break
        if token.lemma_ != head.lemma_ or token.pos_ != "NOUN":
            continue
        named = [t for t in token.children if t.dep_ in ("appos", "compound") and t.i > token.i]
        if token.dep_ in ("appos", "compound") and token.head.i > token.i:
            named.append(token.head)  # 'his son Farid Hasanov'
        of = of_phrase(token)
        if of is not None:
            # 'the grandmother of X, Sona Ismayilova,': the parser hangs the name on X
            named += [t for t in of.children if t.dep_ == "appos"]
        for name in named:
            mention = c.mention_at(name.idx)
            if mention is not None and mention.actor.type == "Person":
                return mention.actor
    return None


def speakers_of(c: Context, head: Token) -> list[Actor]:
    """Everyone a subject names: 'Ali Karimli and Fuad Gahramanli said' gives
    both, each with a statement of their own; a conjunct that names no one
    ('Karimli and his lawyer said') adds no one, and a conjunct inside one name
    ('the Ministry of Labour and Social Protection') is the same actor."""
    found = (resolve(c, token) for token in (head, *head.conjuncts))
    return list(dict.fromkeys(actor for actor in found if actor is not None))


def _issuer(c: Context, head: Token) -> Actor | None:
    """'The ministry released a statement. According to the statement, …': who
    issued the last such noun of the paragraph before (its verb's subject);
    else, for 'the (official) statement', the body that was last the subject
    of a clause in the paragraph ('the Azerbaijani government has taken the
    initiative … The official statement affirms that …'). A person's
    statement is told with its owner ('his statement'), so no person is taken."""
    for token in reversed(c.doc[: head.i]):
        if token.idx < c.paragraph:
            break
        if token.lemma_ == head.lemma_ and token.dep_ == "dobj":
            subject = subject_of(token.head)
            return resolve(c, subject) if subject is not None else None
    if not any(t.lower_ == "the" for t in head.children):
        return None
    for mention in reversed(c.mentions):
        if mention.span.begin >= head.idx:
            continue
        if mention.span.begin < c.paragraph:
            break
        if mention.actor.type in ("Person", *SPEAKER_TYPES):
            continue
        words = c.doc.char_span(mention.span.begin, mention.span.end, alignment_mode="expand")
        if words is not None and words.root.dep_ in ("nsubj", "nsubjpass"):
            return mention.actor
    return None


def _named(c: Context, token: Token) -> Actor | None:
    """The actor named at a token, or in the name it heads ('Toplum TV')."""
    for part in (token, *[t for t in token.children if t.dep_ in ("compound", "nmod")]):
        mention = c.mention_at(part.idx)
        if mention is not None and mention.actor.type not in SPEAKER_TYPES:
            return mention.actor
    return None


def _name_after_title(c: Context, head: Token) -> Actor | None:
    """'Member of ruling YAP Party MP Siyavush Novruzov said', 'The head of
    the Center, former head of government Isa Gambar, spoke': a title whose
    phrase ends in a person's name is that person. 'The lawyer of Gurbanli'
    is not Gurbanli: a name after 'of', 'for', 'to' or a possessive is
    someone else."""
    if head.pos_ not in ("NOUN", "PROPN") or not load_cues().is_role_noun(head.lemma_):
        return None
    clauses = {t.i for c in head.children if c.dep_ in ("acl", "relcl") for t in c.subtree}
    last = max(
        (t for t in head.subtree if not t.is_punct and t.i not in clauses), key=lambda t: t.i
    )
    mention = c.mention_at(last.idx)
    if mention is None or mention.actor.type != "Person":
        return None
    before = c.doc.char_span(mention.span.begin, mention.span.end, alignment_mode="expand")
    if before is None or before.start == 0:
        return None
    previous = c.doc[before.start - 1]
    if previous.lower_ in ("of", "for", "to", "by", "’s", "'s", "with"):
        return None
    return mention.actor


def _titled(c: Context, head: Token) -> Actor | None:
    """'The Prosecutor General said' -> the person given that role before;
    'His lawyer said' names no one."""
    if any(t.dep_ == "poss" for t in head.children):
        return None
    if not any(t.lower_ == "the" for t in head.children):
        return None
    title = " ".join(t.text for t in head.subtree if t.i <= head.i and t.dep_ != "det").casefold()
    for claim in reversed(c.roles):
        if claim.span.begin < head.idx and claim.title.casefold().endswith(title):
            return claim.actor
    return None


def _organisation(c: Context, head: Token) -> Actor | None:
    """'the ministry', 'the Party', 'the embassy' -> the last actor named with
    that noun in its name; 'the outlet', 'the newspaper' -> else the last body
    of that kind named in the paragraph (mappings/cues.yaml, organization_nouns)."""
    if head.pos_ not in ("NOUN", "PROPN"):
        return None
    if head.lemma_.lower() not in load_cues().organisation_nouns:
        return None
    actor = described(c.mentions, head.idx, head.text)
    modifiers = [t.lower_ for t in head.children if t.dep_ in ("amod", "compound")]
    if actor is not None and all(m in actor.label.casefold() for m in modifiers):
        return actor  # 'the party'; but 'the presidential press service' is no other service
    kind = load_cues().organization_nouns.get(head.lemma_.lower())
    if actor is None and kind is not None and not modifiers:
        # 'the online outlet Kanal Azad … According to the outlet': the last body of
        # the kind the noun names, in this paragraph
        for mention in reversed(c.mentions):
            if c.paragraph <= mention.span.begin < head.idx and mention.actor.type == kind:
                return mention.actor
    return None


def _body_that_spoke(c: Context) -> Actor | None:
    """'The ministry said … It added that …': 'it' is the body whose statement
    the paragraph told last; with none, 'it' names no one."""
    last = c.earlier[-1].speaker if c.earlier else None
    return last if last is not None and last.type not in ("Person", *SPEAKER_TYPES) else None


def _pronoun(c: Context, offset: int, pronoun: str = "he") -> Actor | None:
    """'He' is the person who spoke last in the paragraph, else the last named;
    one whose name says the other sex is passed over ('she' is not Zaur
    Sadigli, 'he' not Gulnar Karimova)."""
    sex = "f" if pronoun in ("she", "her") else "m"
    for statement in reversed(c.earlier):
        if statement.speaker.type == "Person" and _sex(statement.speaker) in (sex, None):
            return statement.speaker
    for mention in reversed(c.mentions):
        actor = mention.actor
        if mention.span.begin < offset and actor.type == "Person" and _sex(actor) in (sex, None):
            return actor
    return None


def _sex(person: Actor) -> str | None:
    """What a patronymic or surname says of its bearer ('gizi', '-ova' a
    woman; 'oghlu', '-ov' a man; mappings/cues.yaml); 'Karimli' or
    'Pashinyan' say nothing."""
    cues = load_cues()
    for word in reversed(re.findall(r"[^\W\d_]+", person.label.casefold())):
        if word in cues.patronymics:
            return cues.patronymics[word]
        for ending, sex in cues.surname_endings.items():
            if len(word) > len(ending) + 2 and word.endswith(ending):
                return sex
    return None
