"""Find attributed statements: who said or wrote what, in which words.

The rules read spaCy's analysis of the digest (loader/extract/nlp.py): a
statement is a verb of saying or writing, found by its lemma (the lists are in
mappings/cues.yaml), with its grammatical subject as the speaker and, as what
was said, one of

- the quotation next to it: "Hezi wrote on Facebook: “…”", "He stated, “…”",
  "“…,” said Peskov", "“…”, Stepanyan said." (quotations come from the one
  scanner of loader/extract/quotes.py: curly or straight marks, over
  sentences and paragraphs);
- its clausal complement, with or without "that": "Karimli said (that) the
  talks failed", "The talks failed, he added";
- for verbs that report a speech act without a clause ("stressed the
  impracticality of …", "called on the government to …"), the predicate
  from the verb on.

Besides verbs: "According to X, CLAUSE" (or "CLAUSE, according to X"); a
noun of saying with a that-clause ("Pashinyan’s allegations that …"); a
colon after a possessed noun of a medium ("Karimli’s Facebook post: “…”");
and a quotation that opens a sentence with no cue at all continues the
statement before it in the paragraph.

The unit is a *frame*: a sentence with the quotations that open in it (a
quotation may run over many sentences, even paragraphs); sentences inside a
quotation belong to the frame where it opened, and words inside a quotation
attribute nothing.

The speaker is the head of the subject, resolved to a named actor
(loader/extract/speakers.py); a subject that names no one ("His lawyer
said") gives no statement.

A direct quote whose speaker made the last indirect-speech statement of the
paragraph is merged into it: "Journalist Seymur Hezi said that … Hezi wrote:
“…”" is one statement with a paraphrase and a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as TokenSpan

from voxgraph.loader.extract.actors import find_roles, outermost
from voxgraph.loader.extract.clauses import (
    cited_source,
    clause_of,
    left_edge,
    predicate_of,
    span_of,
)
from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.extract.facts import Actor, Mention, RoleClaim, Statement
from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.extract.quotes import quotations
from voxgraph.loader.extract.speakers import (
    SPEAKER_TYPES,
    Context,
    is_speech_verb,
    of_phrase,
    owner_of,
    resolve,
    speakers_of,
    subject_of,
)
from voxgraph.loader.read.digest import Digest, Paragraph, Span

# What may stand between a cue and the quotation it introduces: "wrote on
# Facebook:", "said in an interview with Meydan TV,", "stated that".
LEAD_GAP = 100
FINITE = ("VBD", "VBZ", "VBP", "MD")  # tags of a finite verb


@dataclass
class _Frame:
    span: Span  # the sentence, through the end of the sentence its last quotation closes in
    sentences: list[TokenSpan]
    quotes: list[Span]


def find_statements(
    digest: Digest,
    mentions: list[Mention],
    doc: Doc | None = None,
    roles: list[RoleClaim] | None = None,
) -> list[Statement]:
    """Statements of named speakers, in text order (see module doc). `doc` is
    the digest's analysis and `roles` its roles, computed here if not given."""
    doc = doc if doc is not None else analyse(digest)
    roles = roles if roles is not None else find_roles(digest, mentions)
    mentions = sorted(outermost(mentions), key=lambda m: m.span.begin)
    quotes = quotations(digest)
    context = Context(
        digest.text, doc, mentions, [m.span.begin for m in mentions], roles, quotes, []
    )
    statements: list[Statement] = []
    covered = 0  # the end of the last frame: sentences before it are inside a quotation
    quoted = False  # the paragraph before lay inside a quotation opened before it
    for paragraph in digest.paragraphs():
        if context.earlier or not quoted:
            context.before = context.earlier[-1] if context.earlier else None
        context.earlier, context.paragraph = [], paragraph.span.begin
        frames = _frames(context, paragraph, covered)
        quoted = not frames
        for frame in frames:
            covered = frame.span.end
            for found in _frame_statements(context, frame):
                if not _merge(found, context.earlier):
                    context.earlier.append(found)
        statements += context.earlier
    for statement in statements:
        if statement.paraphrase_span == statement.quote_span:
            statement.paraphrase = statement.paraphrase_span = None  # a quote after all
    return _unique(statements)


def _frames(c: Context, paragraph: Paragraph, covered: int) -> list[_Frame]:
    begin, end = paragraph.span.begin, paragraph.span.end
    # the sentences the paragraph's tokens are in (Span.sents, which spaCy's stubs lack)
    sentences = [s for s in c.doc.sents if s.start_char < end and s.end_char > begin]
    frames: list[_Frame] = []
    for sentence in sentences:
        if sentence.start_char < covered:
            if frames:
                frames[-1].sentences.append(sentence)
            continue  # inside a quotation that opened earlier
        first, last = sentence.start_char, sentence.end_char
        inside = [q for q in c.quotes if first <= q.begin - 1 < last or first <= q.begin < last]
        if c.text[first:last].rstrip().endswith(":"):
            # 'X wrote on Facebook:' closing a paragraph, the post opening the next one
            inside += [
                q
                for q in c.quotes
                if last <= q.begin - 1 and not c.text[last : q.begin - 1].strip()
            ]
        for quote in inside:
            if quote.end > last:
                closing = next((s for s in c.doc.sents if s.end_char >= quote.end), None)
                last = max(last, closing.end_char if closing is not None else quote.end)
        frames.append(_Frame(Span(first, last), [sentence], inside))
        covered = last
    return frames


# -- cues --------------------------------------------------------------------------


def _frame_statements(c: Context, frame: _Frame) -> list[Statement]:
    cues = load_cues()
    found: list[Statement] = []
    taken: list[Span] = []  # what is said already: no cue inside it attributes anything
    predicates: list[Span] = []  # predicates said: only their coordinated verbs are in them
    used_quotes: set[Span] = set()
    tokens = [t for s in frame.sentences for t in s]
    for token in tokens:
        if c.quoted(token.idx) or any(s.begin <= token.idx < s.end for s in taken):
            continue
        if token.pos_ == "VERB" and any(s.begin <= token.idx < s.end for s in predicates):
            # 'demanded the return … and called his detention a provocation', 'criticized
            # the draft, calling it …': one act of saying, not two
            continue
        lower = token.lower_
        said: list[Statement] = []
        if lower == "according":
            said = _according(c, frame, token, used_quotes)
        elif is_speech_verb(token):
            said = _verb(c, frame, token, used_quotes)
        elif token.pos_ == "NOUN" and token.lemma_.lower() in cues.speech_nouns:
            said = _noun(c, frame, token)
        if not said and token.dep_ == "dobj" and token.lemma_.lower() in cues.support_objects:
            said = _support_verb(c, frame, token)
        if not said:
            continue
        found += said
        first = said[0]  # joint speakers said the same words
        for span in (first.quote_span, first.paraphrase_span):
            if span is not None and not c.text.startswith(token.text, span.begin):
                taken.append(span)
            elif span is not None:
                predicates.append(span)  # a predicate ('denied X’s allegations that …') holds cues
        if first.quote_span is not None:
            used_quotes.add(first.quote_span)
    for quote in frame.quotes:
        if quote in used_quotes or any(s.begin <= quote.begin < s.end for s in taken):
            continue
        bare = _bare_quote(c, frame, quote)
        if bare is not None:
            found.append(bare)
            used_quotes.add(quote)
    return found


def _statement(
    c: Context,
    frame: _Frame,
    speaker: Actor,
    begin: int,
    quote: Span | None = None,
    paraphrase: Span | None = None,
) -> Statement:
    said = [s for s in (quote, paraphrase) if s is not None]
    return Statement(
        speaker=speaker,
        evidence=[Span(frame.span.begin if quote else begin, frame.span.end)],
        quote=c.text[quote.begin : quote.end] if quote else None,
        quote_span=quote,
        paraphrase=c.text[paraphrase.begin : paraphrase.end] if paraphrase else None,
        paraphrase_span=paraphrase,
        medium=_medium(c, frame, said, speaker),
        mentions=_mentioned(c.mentions, said, speaker),
    )


def _verb(c: Context, frame: _Frame, verb: Token, used: set[Span]) -> list[Statement]:
    """A verb of saying: its subject's head speaks (each named, 'X and Y
    said'); its quotation, clause or predicate is what was said."""
    subject = subject_of(verb)
    if subject is None and verb.pos_ == "NOUN":
        subject = verb.doc[verb.sent.start : verb.i].root if verb.i > verb.sent.start else None
    if subject is None:
        return []
    quote, paraphrase = _what_was_said(c, frame, verb, used)
    if quote is None and paraphrase is None:
        return []
    denies = verb.lemma_.lower() in load_cues().negating_lemmas
    if denies and quote is None and paraphrase is not None and verb.idx < paraphrase.begin:
        # 'denied that its units had opened fire': the clause alone says the opposite
        paraphrase = Span(verb.idx, paraphrase.end)
    cited = cited_source(verb)
    speakers = speakers_of(c, cited) if cited is not None else []
    # the evidence, and so the statement's IRI, starts at the verb (as it always has:
    # users link to those IRIs)
    return [
        _statement(c, frame, speaker, verb.idx, quote, paraphrase)
        for speaker in speakers or speakers_of(c, subject)
    ]


def _what_was_said(
    c: Context, frame: _Frame, verb: Token, used: set[Span]
) -> tuple[Span | None, Span | None]:
    """(quote, paraphrase) of a verb of saying."""
    text = c.text
    verb_end = verb.idx + len(verb)
    clause = clause_of(text, verb)
    free = [q for q in frame.quotes if q not in used]
    if clause is not None and clause.end <= verb.idx:
        # "“…,” said X", "CLAUSE, he added": the words come first
        quote = next((q for q in free if q.begin <= clause.end and clause.begin < q.end + 2), None)
        return (quote, None) if quote else (None, clause)
    after = [
        q
        for q in free
        if q.begin >= verb_end
        and q.begin - verb_end <= LEAD_GAP
        and not _cue_between(c, verb_end, q.begin)
        and _introduces(text[verb_end : q.begin])
    ]
    quote = after[0] if after else None
    if (
        quote is not None
        and clause is not None
        and clause.end <= quote.begin
        and re.match(r"^\W*(?:and|but)?[\s“\"«]*$", text[clause.end : quote.begin])
    ):
        return quote, clause  # 'states that …, and “cases … determined.”'
    if quote is not None and (clause is None or clause.begin >= quote.begin - 2):
        lead = text[verb_end : quote.begin]
        if re.search(r"\bthat\s*[“\"«]?$", lead):
            return quote, quote  # 'said that “if …”': a that-clause in quote marks
        return quote, None
    if clause is not None:
        inside = next((q for q in free if clause.begin < q.begin < clause.end), None)
        if inside is not None:
            lead = text[clause.begin : inside.begin].rstrip('“"« ')
            if re.search(r"(?:^|[,:;]\s*(?:and|but)?)$", lead):
                # 'states that …, and “cases … determined.”': the quote ends the clause
                kept = re.sub(r"[,:;]?\s*(?:and|but)?$", "", lead)
                return inside, (Span(clause.begin, clause.begin + len(kept)) if kept else None)
            if _quoted_words(c, inside, clause):
                return inside, clause
        return None, clause
    subject = subject_of(verb)
    before = [
        q
        for q in free
        if q.end <= verb.idx and subject is not None and subject.idx > q.end and _trails(c, q, verb)
    ]
    if before:
        return before[-1], None
    if verb.lemma_.lower() in load_cues().predicate_lemmas and not _setting(verb):
        return None, predicate_of(text, verb)
    return None, None


def _quoted_words(c: Context, quote: Span, clause: Span) -> bool:
    """A quotation that ends a reported clause is the speaker's own words when
    it is a clause of its own (a finite verb: 'said that those who violate
    them "will bear responsibility"') or closes the sentence inside its marks
    ('had become "a convenient tool for repression."'); a quoted phrase with
    the stop outside ('called the verdict “revenge for the truth”.') is a
    label inside the paraphrase."""
    if re.search(r"[^\W_]", c.text[quote.end : clause.end + 2]):
        return False  # words follow it: the quotation is inside the clause
    if c.text[quote.begin : quote.end].rstrip()[-1:] in ".!?…":
        return True
    words = c.doc.char_span(quote.begin, quote.end, alignment_mode="expand")
    return words is not None and any(t.tag_ in FINITE for t in words)


def _setting(verb: Token) -> bool:
    """A participle clause on another verb ('Speaking in Lachin, Aliyev said',
    'announced a hunger strike, demanding a review of his case') sets the
    scene or gives a purpose: with no clause or quotation of its own it is no
    statement."""
    return verb.tag_ == "VBG" and verb.dep_ == "advcl"


def _introduces(lead: str) -> bool:
    """Whether the words between a cue and a quotation introduce it: nothing,
    a colon, comma or dash ('wrote on Facebook: “…”', 'stated, “…”',
    'According to X — «…»'), 'that', or a clause boundary ('states that …,
    and “…”').
    A quotation inside running words ('called the verdict “revenge for the
    truth”', 'the army took “adequate measures”') is part of the paraphrase,
    not a quote of its own."""
    lead = lead.strip()
    return re.search(r"(?:^|[:,—–]|\bthat|,\s*(?:and|but))\s*[“\"«]?\s*$", lead) is not None


def _cue_between(c: Context, begin: int, end: int) -> bool:
    """Another verb of saying between a cue and a quotation: the quotation is its."""
    lemmas = load_cues().speech_lemmas
    span = c.doc.char_span(begin, end, alignment_mode="contract")
    return span is not None and any(
        t.pos_ == "VERB" and t.lemma_.lower() in lemmas and not c.quoted(t.idx) for t in span
    )


def _trails(c: Context, quote: Span, verb: Token) -> bool:
    """'“…,” said Peskov', '“…”, the statement of the ministry said': only the
    subject stands between the quotation and its verb."""
    between = c.text[quote.end : verb.idx]
    return len(between) <= LEAD_GAP and not re.search(r"[“\"«:;]|[.!?]\s+\S", between[2:])


def _according(c: Context, frame: _Frame, token: Token, used: set[Span]) -> list[Statement]:
    """'According to X (and Y), CLAUSE' and 'CLAUSE, according to X'."""
    to = next((t for t in token.children if t.lower_ == "to"), None)
    source = next((t for t in to.children if t.dep_ == "pobj"), None) if to else None
    if source is None:
        return []
    speakers = speakers_of(c, source)
    if not speakers:
        return []
    phrase_end = max(t.idx + len(t) for t in token.subtree)
    sentence = token.sent
    quote = next(
        (
            q
            for q in frame.quotes
            if q not in used and q.begin >= phrase_end and _introduces(c.text[phrase_end : q.begin])
        ),
        None,
    )
    if token.idx <= sentence.start_char + 1 or c.text[sentence.start_char : token.idx].strip() in (
        "",
        "“",
    ):
        rest = [t for t in sentence if t.idx >= phrase_end]
        paraphrase = span_of(c.text, rest) if not quote else None
    else:
        before = c.text[sentence.start_char : token.idx].rstrip(", ")
        paraphrase = Span(sentence.start_char, sentence.start_char + len(before))
        quote = None
    if quote is None and paraphrase is None:
        return []
    return [_statement(c, frame, s, sentence.start_char, quote, paraphrase) for s in speakers]


def _noun(c: Context, frame: _Frame, noun: Token) -> list[Statement]:
    """'Pashinyan’s allegations that …', 'Azerbaijan’s declaration that …',
    'X spread the news that …': the owner of a noun of saying, or the subject
    of the verb it is the object of, said the that-clause."""
    owner = owner_of(noun)
    if owner is None and noun.dep_ == "dobj":
        owner = subject_of(noun.head)
    following = noun.nbor(1) if noun.i + 1 < len(noun.doc) else None
    if owner is None or following is None or following.lower_ != "that":
        return []
    if following.dep_ != "mark":
        return []  # 'the statement that he signed': a relative clause
    speaker = resolve(c, owner)
    if speaker is None:
        return []
    tokens = [t for t in following.head.subtree if t.i > following.i]
    span = span_of(c.text, tokens)
    if span is None:
        return []
    quoted = next((q for q in frame.quotes if span.begin <= q.begin < span.end), None)
    words = re.compile(r"[^\W_]")
    if quoted is not None and not (
        words.search(c.text[span.begin : quoted.begin])
        or words.search(c.text[quoted.end : span.end])
    ):
        return [_statement(c, frame, speaker, left_edge(owner), quoted)]  # 'the message that “…”'
    return [_statement(c, frame, speaker, left_edge(owner), None, span)]


def _support_verb(c: Context, frame: _Frame, noun: Token) -> list[Statement]:
    """'The authorities leveled accusations against Azerbaijan, claiming …',
    'the party made allegations against the police': a verb whose object is a
    noun of a speech act with a complement of its own (mappings/cues.yaml,
    support_objects, support_verbs) is a statement of its subject; what was
    said is the verb and what follows it."""
    verb = noun.head
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in load_cues().support_verbs:
        return []
    if not any(t.dep_ in ("prep", "acl") for t in noun.children):
        return []  # 'issued a statement on Monday': nothing said yet
    subject = subject_of(verb)
    paraphrase = predicate_of(c.text, verb)
    if subject is None or paraphrase is None:
        return []
    return [
        _statement(c, frame, speaker, verb.idx, None, paraphrase)
        for speaker in speakers_of(c, subject)
    ]


def _bare_quote(c: Context, frame: _Frame, quote: Span) -> Statement | None:
    """A quotation with no verb of saying: after 'Karimli’s Facebook post:' or
    'Nabiyev:', or opening its sentence after a statement of the paragraph (it
    goes on), or a paragraph of its own after a paragraph that ended quoting."""
    lead = re.sub(r"[\s“\"«]+$", "", c.text[frame.span.begin : quote.begin])
    if not lead and c.earlier:
        return _statement(c, frame, c.earlier[-1].speaker, frame.span.begin, quote)
    line_end = c.text.find("\n", quote.end)
    alone = not re.search(r"[^\W_]", c.text[quote.end : line_end if line_end >= 0 else None])
    if not lead and alone and c.before is not None and c.before.quote is not None:
        # a paragraph that is only a quotation goes on with the quote of the paragraph before
        return _statement(c, frame, c.before.speaker, frame.span.begin, quote)
    if not lead.endswith(":"):
        return None
    named = c.mention_at(frame.span.begin)
    if (
        named is not None
        and lead[:-1].rstrip() == named.surface
        and named.actor.type not in SPEAKER_TYPES
    ):  # 'Nabiyev: “…”': a name and a colon, the way an interview is printed
        return _statement(c, frame, named.actor, frame.span.begin, quote)
    span = c.doc.char_span(frame.span.begin, frame.span.begin + len(lead), alignment_mode="expand")
    nouns = load_cues().medium_nouns
    for token in reversed(list(span or ())):
        if token.lemma_.lower() in nouns:
            owner = owner_of(token)
            of = of_phrase(token)
            speaker = resolve(c, owner) if owner is not None else None
            speaker = speaker or (resolve(c, of) if of is not None else None)
            if speaker is not None:
                return _statement(c, frame, speaker, frame.span.begin, quote)
    return None


# -- the statement's parts ---------------------------------------------------------


def _merge(statement: Statement, earlier: list[Statement]) -> bool:
    """Fold a direct quote into the last indirect-speech statement of the
    paragraph when the speaker is the same; True if merged."""
    if statement.quote is None or statement.paraphrase is not None:
        return False
    for previous in reversed(earlier):
        if previous.speaker != statement.speaker:
            continue
        if previous.quote is not None and not _within(
            previous.quote_span, previous.paraphrase_span
        ):
            return False  # a quote of its own; one inside the paraphrase gives way
        previous.quote, previous.quote_span = statement.quote, statement.quote_span
        previous.evidence += statement.evidence
        previous.medium = previous.medium or statement.medium
        previous.mentions = list(dict.fromkeys(previous.mentions + statement.mentions))
        return True
    return False


def _within(inner: Span | None, outer: Span | None) -> bool:
    if inner is None or outer is None:
        return False
    return outer.begin <= inner.begin and inner.end <= outer.end


def _medium(c: Context, frame: _Frame, said: list[Span], speaker: Actor) -> str | None:
    """The medium the attribution words name (the frame without what was
    said); a news outlet's own words are a news report."""
    words, position = [], frame.span.begin
    for span in sorted(said, key=lambda s: s.begin):
        words.append(c.text[position : span.begin])
        position = max(position, span.end)
    words.append(c.text[position : frame.span.end])
    medium = load_cues().medium(" ".join(words))
    return medium or ("NewsReport" if speaker.type == "MediaOutlet" else None)


def _unique(statements: list[Statement]) -> list[Statement]:
    """One statement per first evidence offset and speaker (what its IRI is
    minted from, loader/map/graph.py): joint speakers share the offset."""
    seen: set[tuple[int, str]] = set()
    unique = []
    for statement in statements:
        if (statement.begin, statement.speaker.key) not in seen:
            seen.add((statement.begin, statement.speaker.key))
            unique.append(statement)
    return unique


def _mentioned(mentions: list[Mention], spans: list[Span], speaker: Actor) -> list[Actor]:
    inside = [m.actor for m in mentions if any(s.begin <= m.span.begin < s.end for s in spans)]
    return [a for a in dict.fromkeys(inside) if a != speaker]
