"""Roles the text states for people: "Chairperson of APFP Ali Karimli",
"Nurlan Libre, a journalist", "X, the head of Y"."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from voxgraph.iris import slug
from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.extract.facts import Actor, Mention, RoleClaim
from voxgraph.loader.extract.names import role_of
from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.extract.references import described
from voxgraph.loader.extract.registry_names import outermost
from voxgraph.loader.extract.words import is_person_noun
from voxgraph.loader.read.digest import Digest, Span


def find_roles(digest: Digest, mentions: list[Mention], doc: Doc | None = None) -> list[RoleClaim]:
    """Roles the text states for the persons it names, read from the parse: a
    title before the name ('Chairperson of APFP Ali Karimli', 'Labor rights
    activist Afiaddin Mammadov', 'the chairperson of the Party, Ali
    Karimli'), in apposition after it ('Nurlan Libre, a journalist', 'X, the
    head of Y') or in a relative clause ('X, who serves as the representative
    of Y'). The organization is the last organization (not a country or
    place) named inside the title, or the one a description there ('the
    Party') refers to."""
    doc = doc if doc is not None else analyse(digest)
    text = digest.text
    claims: list[RoleClaim] = []
    for mention in mentions:
        if mention.actor.type != "Person":
            continue
        name = doc.char_span(mention.span.begin, mention.span.end, alignment_mode="expand")
        if name is None:
            continue
        found = _title_of(name)
        if found is None:
            continue
        title_span, role_span = found
        title = re.sub(r"\s+", " ", text[title_span.begin : title_span.end]).strip()
        if title.casefold().endswith("s") and load_cues().is_role_noun(title.split()[-1]):
            title = title[:-1]  # "activists Nemat Abbasov, ..." -> activist
        if title.count("“") > title.count("”"):
            title += "”"  # 'president of the organization “Citizen Consciousness,”'
        if any(c.actor == mention.actor and slug(c.title) == slug(title) for c in claims):
            continue  # "Veteran Jahangir Aliyev ... Veteran Aliyev"
        organization = _organization_in(mentions, title_span, text)
        claims.append(RoleClaim(mention.actor, title, organization, role_span))
    return claims


def _title_of(name: TokenSpan) -> tuple[Span, Span] | None:
    """(title, title and name) of the role the parse gives a name, if any."""
    cues = load_cues()
    root = name.root
    doc = name.doc
    left = [c for c in root.children if c.i < name.start and c.dep_ in ("compound", "nmod", "amod")]
    nouns = [c for c in left if is_person_noun(c, cues, kin=False)]
    if nouns:  # "Labor rights activist Afiaddin Mammadov", "Minister of Culture X"
        first = min(t.left_edge.i for t in left)
        return _title_span(doc, first, name.start - 1, name, before=True)
    before = doc[name.start - 1] if name.start > 0 else None
    if (
        before is not None
        and is_person_noun(before, cues, kin=False)
        and before.dep_ in ("npadvmod", "nsubj", "dep")
        and all(t.i < name.start for t in before.subtree)
    ):
        # "Human rights defender Kamran Safarli stated": the parser hung the title on the verb
        return _title_span(doc, before.left_edge.i, name.start - 1, name, before=True)
    noun = role_of(root, name.start)
    if noun is not None:  # "Chairperson of APFP Ali Karimli"
        return _title_span(doc, noun.left_edge.i, name.start - 1, name, before=True)
    head = root.head
    if root.dep_ == "appos" and head.i < name.start and is_person_noun(head, cues, kin=False):
        # "the chairperson of the Party, Ali Karimli"
        return _title_span(doc, head.left_edge.i, name.start - 1, name, before=True)
    for child in root.children:
        if child.i < name.end:
            continue
        if child.dep_ == "appos" and is_person_noun(child, cues, kin=False):
            # "Nurlan Libre, a journalist", "X, the head of the Bar Association"
            return _title_span(doc, child.left_edge.i, _phrase_end(child), name, before=False)
        if child.dep_ == "relcl" and child.lemma_ in cues.role_verbs:
            # "X, who serves as the representative of Y"
            as_ = next((g for g in child.children if g.lower_ == "as"), None)
            noun = next((g for g in as_.children if g.dep_ == "pobj"), None) if as_ else None
            if noun is not None and is_person_noun(noun, cues, kin=False):
                return _title_span(doc, noun.left_edge.i, _phrase_end(child), name, before=False)
    return None


def _phrase_end(noun: Token) -> int:
    """The last token of a noun's phrase, without clauses on it and after a
    comma: 'the head of the Bar Association, who …' ends at 'Association'."""
    end = noun.i
    for token in noun.subtree:
        if token.i < noun.i:
            continue
        if (
            token.is_punct
            and token.text in ",;:()"
            or (token.i != noun.i and token.dep_ in ("relcl", "acl"))
        ):
            break
        end = token.i
    return end


def _title_span(
    doc: Doc, first: int, last: int, name: TokenSpan, before: bool
) -> tuple[Span, Span] | None:
    """The words of a title from token `first` to `last`, without articles,
    possessives, numbers and edge punctuation; with the span of title and
    name together. A title with a verb in it is a clause, not a title."""
    while first <= last and (
        doc[first].dep_ in ("det", "poss", "nummod", "npadvmod")
        or doc[first].is_punct
        or doc[first].like_num
        or doc[first].pos_ == "ADJ"
        and any(c.like_num for c in doc[first].subtree)
    ):
        first += 1
    while last >= first and doc[last].is_punct:
        last -= 1
    cues = load_cues()
    for i in range(first, last):
        pair = doc[i : i + 2]
        if all(t.is_lower and is_person_noun(t, cues, kin=False) for t in pair):
            # "Opposition leader chairman of the Party": two titles, the last one holds;
            # but "Prosecutor General" is one
            first = i + 1
    if first > last or any(t.pos_ in ("VERB", "AUX") for t in doc[first : last + 1]):
        return None
    title = Span(doc[first].idx, doc[last].idx + len(doc[last]))
    if before:
        return title, Span(title.begin, name.end_char)
    return title, Span(name.start_char, title.end)


def _organization_in(mentions: list[Mention], span: Span, text: str) -> Actor | None:
    inside = [
        m.actor
        for m in outermost(mentions)
        if span.begin <= m.span.begin < span.end
        and m.actor.type not in ("Person", "Place", "Country")  # vox:roleIn is an Organization
    ]
    if inside:
        return inside[-1]
    description = re.search(r"\bthe\s+([A-Z]\w+)\s*$", text[span.begin : span.end])
    return described(mentions, span.begin, description.group(1)) if description else None
