"""What a verb of saying reports: its clause, or its predicate.

Split from statements.py: these rules read the dependency parse around one
verb ("said (that) CLAUSE", "as X noted, CLAUSE", "CLAUSE (reported by X)",
"pointed to the fact that CLAUSE", "stressed the impracticality of …") and
return the character span of what was said, without "that", edge
punctuation or a source tail.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.extract.speakers import is_speech_verb
from voxgraph.loader.read.digest import Span

# A source tail, a contrast or a time clause ends a reported clause.
CLAUSE_END = re.compile(
    r",\s+(?:as\s+(?:reported|stated)\s+by|according\s+to|citing|while|whereas)\s+.+$",
    re.IGNORECASE,
)


def left_edge(token: Token) -> int:
    return token.left_edge.idx


def clause_of(text: str, verb: Token) -> Span | None:
    """The clausal complement of a verb of saying, without 'that', edge
    punctuation and a source tail; for 'as X noted', the clause it qualifies.
    A clause coordinated with the verb that has a subject of its own
    ("announced that A was exposed, and 19 people were brought …") goes on
    the complement: the parser hangs it on the verb."""
    complement = next((t for t in verb.children if t.dep_ == "ccomp"), None)
    citing = cited_source(verb)
    if complement is None and citing is not None:
        # 'reported, citing the lawyer, that …': the parser hangs the clause on 'citing'
        complement = next((t for t in citing.head.children if t.dep_ == "ccomp"), None)
    following = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    if complement is None and following is not None and following.dep_ == "mark":
        complement = following.head if following.head.i > verb.i else None  # a parse gone astray
    if complement is None and verb.dep_ == "advcl" and _as_clause(verb):
        # 'As Karimli noted, the talks failed', 'the talks failed, as Karimli noted';
        # a passive 'as stated by the office' is a source tail (CLAUSE_END), no statement
        own = {t.i for t in verb.subtree}
        return span_of(text, [t for t in verb.head.subtree if t.i not in own])
    if complement is None and _parenthetical_source(verb):
        # 'The defence will appeal (reported by Aghayeva on her timeline).'
        return span_of(text, list(verb.doc[verb.sent.start : verb.i - 1]))
    if complement is None:
        return _fact_clause(text, verb)
    tokens = [t for t in complement.subtree if not (t.dep_ == "mark" and t.lower_ == "that")]
    for reply in complement.subtree:
        if (
            reply.dep_ == "relcl"
            and is_speech_verb(reply)
            and reply.doc[reply.left_edge.i - 1].is_punct
        ):
            # ', which the family denies': the writer's aside on the claim, not part of it
            aside = {t.i for t in reply.subtree}
            tokens = [t for t in tokens if t.i not in aside]
    for inner in complement.subtree:
        if (
            inner.dep_ == "conj"
            and is_speech_verb(inner)
            and not any(t.dep_ in ("nsubj", "nsubjpass") for t in inner.children)
            and not _shares_a_reported_subject(inner, complement)
        ):
            # 'reported that A … and called on the sides …': the speaker's own next act
            tokens = [t for t in tokens if t.i < inner.i]
            while tokens and tokens[-1].dep_ == "cc":
                tokens.pop()
    for conj in verb.children:
        if (
            conj.dep_ == "conj"
            and conj.i > complement.i
            and any(t.dep_ in ("nsubj", "nsubjpass") for t in conj.children)
            and not (
                conj.lemma_.lower() in load_cues().speech_lemmas
                and any(t.dep_ == "nsubj" for t in conj.children)
            )
        ):
            tokens += [t for t in conj.subtree]
    return span_of(text, tokens)


def _shares_a_reported_subject(conj: Token, complement: Token) -> bool:
    """'wrote that the officers asked her … and warned her': a verb of saying
    coordinated inside the reported clause with a verb whose subject is a
    noun phrase of its own (the officers) is that subject's act, told by the
    speaker, however the parser hung it; 'reported that A was exposed and
    called on …' (a passive) leaves 'called on' to the speaker."""
    token = conj
    while token.dep_ in ("conj", "ccomp") and token.i != complement.i:
        token = token.head
        if any(t.dep_ == "nsubj" and t.pos_ in ("NOUN", "PROPN") for t in token.children):
            return True
    return False


def cited_source(verb: Token) -> Token | None:
    """'Meydan TV reported, citing the lawyer Elchin Sadigov, that …', 'Citing
    the ministry, Turan reported …', '… were wounded, citing the ministry':
    the object of 'citing' on the verb of saying or on its clause, whose
    words the reporter passes on."""
    heads = [verb] + [t for t in verb.children if t.dep_ == "ccomp"]
    for head in heads:
        for child in head.children:
            if child.dep_ == "advcl" and child.lemma_.lower() == "cite":
                return next((t for t in child.children if t.dep_ == "dobj"), None)
    return None


def _parenthetical_source(verb: Token) -> bool:
    """'(reported by X on her timeline)': a verb of saying with its agent, in
    brackets after what it reports."""
    opens = verb.i > verb.sent.start + 1 and verb.doc[verb.i - 1].text == "("
    return opens and any(t.dep_ == "agent" for t in verb.children)


def _as_clause(verb: Token) -> bool:
    """'as Karimli noted': an active verb of saying under 'as'."""
    marks = any(t.dep_ == "mark" and t.lower_ == "as" for t in verb.children)
    return marks and not any(t.dep_ in ("auxpass", "agent") for t in verb.children)


def _is_that(token: Token | None) -> bool:
    """'that' opening a clause (not the pronoun or determiner)."""
    return token is not None and token.lower_ == "that" and token.dep_ == "mark"


def _fact_clause(text: str, verb: Token) -> Span | None:
    """'justified this by the fact that …', 'pointed to the fact that …': the
    that-clause of the noun a preposition of the verb governs."""
    for prep in verb.children:
        if prep.dep_ != "prep":
            continue
        for noun in prep.children:
            following = noun.nbor(1) if noun.i + 1 < len(noun.doc) else None
            if noun.dep_ == "pobj" and following is not None and _is_that(following):
                return span_of(text, [t for t in following.head.subtree if t.i > following.i])
    return None


def span_of(text: str, tokens: list[Token]) -> Span | None:
    """The text from the first to the last of some tokens, without edge
    punctuation, cut at a source tail."""
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and (tokens[0].is_punct or tokens[0].is_space) and not _opens(tokens):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space) and not _closes(tokens):
        tokens.pop()
    if not tokens:
        return None
    span = _cut(text, Span(tokens[0].idx, tokens[-1].idx + len(tokens[-1])))
    return span if span.begin < span.end else None


def _opens(tokens: list[Token]) -> bool:
    """The first token is a quotation mark that a later one closes: it stays."""
    return tokens[0].is_quote and any(t.is_quote for t in tokens[1:])


def _closes(tokens: list[Token]) -> bool:
    """The last token is a quotation mark closing one opened inside: it stays
    ('the army took “adequate measures”')."""
    return tokens[-1].is_quote and any(t.is_quote for t in tokens[:-1])


def predicate_of(text: str, verb: Token) -> Span | None:
    """'stressed the impracticality of …': the verb and what follows it in its
    phrase, when something does, up to a relative clause set off on 'which'."""
    right = [t for t in verb.subtree if t.i > verb.i]
    for aside in [t for t in right if t.dep_ == "relcl" and _set_off(t)]:
        # ', which came about following …': the writer's aside on a noun of the predicate
        right = [t for t in right if t.i < aside.left_edge.i - 1]
    for conj in verb.children:
        if conj.dep_ == "conj" and is_speech_verb(conj) and clause_of(text, conj) is not None:
            return None  # 'denied the accusations and stated that …': the clause is what was said
    while right and (right[-1].is_punct or right[-1].is_space or right[-1].dep_ == "cc"):
        right.pop()
    if not any(t.dep_ in ("dobj", "prep", "xcomp", "prt", "attr") for t in verb.children):
        return None
    if not right:
        return None
    return _cut(text, Span(verb.idx, right[-1].idx + len(right[-1])))


def _set_off(relative: Token) -> bool:
    """A relative clause set off by a comma and opened by 'which' (non-restrictive)."""
    first = relative.left_edge
    return first.lower_ == "which" and first.i > 0 and relative.doc[first.i - 1].text == ","


def _cut(text: str, span: Span) -> Span:
    """A reported clause without a source tail (', as reported by Tass'), a
    contrast (', while …') or the full stop."""
    words = text[span.begin : span.end]
    if tail := CLAUSE_END.search(words):
        words = words[: tail.start()]
    words = words.rstrip(" .")
    return Span(span.begin, span.begin + len(words))
