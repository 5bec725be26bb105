"""Find attributed statements: who said or wrote what, in which words.

The unit is a *frame*: a sentence of a paragraph together with the quotations
that open in it (a quotation may run over many sentences). Sentences inside a
quotation belong to the frame where it opened. Each frame gives at most one
statement, found in this order:

1. A direct quote with its speaker before it: "Hezi wrote: “…”",
   "Karimli’s Facebook post reads: “…”", "Parts of Gambar’s interview: “…”",
   "He stated, “…”", "The Prosecutor General said: “…”", "A statement from
   the embassy to Turan Information Agency says: “…”". The opening mark may be
   missing ("Safarov wrote: The Head of … khan.”").
2. A direct quote with its speaker after it: "“…,” said Peskov", "“…”,
   Stepanyan said.", "“…,” the statement of the ministry said."
3. Indirect speech: "X said that CLAUSE", "According to X, CLAUSE", "CLAUSE, he
   added", "X stressed the …" (verbs in mappings/cues.yaml). A quote at a
   clause boundary inside it ("states that …, and “…”") is its quote; a quote
   inside the clause ("bore no “practical results”") stays in the paraphrase.
4. A quote that opens a frame with no cue at all continues the statement
   before it in the paragraph.

A direct quote whose speaker made the last indirect-speech statement of the
paragraph is merged into it: "Journalist Seymur Hezi said that … Hezi wrote:
“…”" is one statement with a paraphrase and a quote.

The speaker is a named actor: a mention, a pronoun ("He" -> the last person
named), a title ("The Prosecutor General" -> the person the digest gives that
role) or a description ("the ministry" -> the last ministry named). Frames
whose speaker cannot be named are left out rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from loader.extract.actors import described, find_roles, last_person, outermost
from loader.extract.cues import alternation, load_cues
from loader.extract.facts import Actor, Mention, RoleClaim, Statement
from loader.parse import Digest, Paragraph, Span

OPEN, CLOSE = "“", "”"
SPEAKER_TYPES = ("Place",)  # actor types that never speak


def quote_spans(paragraph: Paragraph) -> list[Span]:
    """Outermost quotations of a paragraph, without their marks.

    Nested quotes stay inside. A closing mark with no opening one closes a
    quotation that began after the last colon ("Safarov wrote: The Head …
    khan.”").
    """
    spans: list[Span] = []
    depth, start, colon = 0, 0, None
    text, base = paragraph.text, paragraph.span.begin
    for index, char in enumerate(text):
        if char == OPEN:
            if depth == 0:
                start = index + 1
                if colon is not None and not text[colon:index].strip():
                    colon = None  # "wrote: “…”": the colon introduces this quotation
            depth += 1
        elif char == CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append(Span(start, index))
        elif char == CLOSE and colon is not None:
            # the quotation began after the colon; quotes seen since are inside it
            spans = [s for s in spans if s.begin < colon]
            spans.append(Span(colon, index))
            colon = None
        elif char == ":" and depth == 0:
            colon = index + 1
    return [_trim(text, span, base) for span in spans]


def _trim(text: str, span: Span, base: int) -> Span:
    """Without surrounding blanks and a trailing comma ('“…,” said X'),
    shifted by `base`."""
    begin, end = span.begin, span.end
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return Span(base + begin, base + end)


@dataclass
class _Frame:
    span: Span  # the sentence, through the end of the sentence its last quote closes in
    quotes: list[Span]


def _frames(text: str, paragraph: Paragraph) -> list[_Frame]:
    quotes = quote_spans(paragraph)
    frames: list[_Frame] = []
    for sentence in paragraph.sentences:
        if frames and sentence.span.begin < frames[-1].span.end:
            continue  # inside a quotation that opened earlier
        begin, end = sentence.span.begin, sentence.span.end
        inside = []
        for quote in quotes:
            if begin <= quote.begin - 1 < end or (begin <= quote.begin < end):
                inside.append(quote)
                closing = next((s for s in paragraph.sentences if s.span.end > quote.end), None)
                end = max(end, closing.span.end if closing else paragraph.span.end)
        frames.append(_Frame(Span(begin, end), inside))
    return frames


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    cues = load_cues()
    verbs = alternation(cues.speech_verbs)
    predicates = alternation(cues.predicate_verbs)
    nouns = alternation(cues.speech_nouns)
    adverbs = rf"(?:{alternation(cues.adverbs)}\s+)*"
    i = re.IGNORECASE
    return {
        # cue before a quote: "... wrote on Facebook: ", "... post reads: ", "He stated, "
        "lead": re.compile(
            rf"(?:\b{verbs}(?:\s+(?:on|in|to)\s+[^“”:,]{{1,30}}?)?\s*[:,]|:)\s*$", i
        ),
        "lead_that": re.compile(rf"\b{verbs}\s+that\s*$", i),
        # cue after a quote: ", said Peskov", ", Stepanyan said", "the statement … said"
        "trail_verb_first": re.compile(rf"^[,.]?\s*(?P<verb>{verbs})\s+(?P<who>[^.]+?)\s*\.?$", i),
        "trail_verb_last": re.compile(rf"^[,.]?\s*(?P<who>[^.,]+?)\s+(?P<verb>{verbs})\s*\.?$", i),
        "according": re.compile(r"\b[Aa]ccording to\s+(?P<who>[^,]+),\s*(?P<clause>.+)$"),
        # "said that", "told Meydan TV that", "released information and said that",
        # "justified this by the fact that", "Pashinyan’s allegations that"
        "that": re.compile(
            rf"(?P<cue>\b{verbs}(?:\s+(?:to\s+)?[A-Z][\w’' -]+?"
            rf"|(?:\s+[a-z]+){{0,5}}?(?:,\s+[^,]+,)?)?|\b{nouns})"
            r"\s+that\s+(?P<clause>.+)$"
        ),
        "predicate": re.compile(rf"\b(?P<clause>{predicates}\b.+)$"),
        "added": re.compile(rf"^(?P<clause>.+),\s+(?P<who>he|she|they)\s+{verbs}\s*\.?$", i),
        # between a speaker's name and the verb: adverbs, "’s statement", "released information and"
        "direct_gap": re.compile(
            rf"^\s*(?:[’'‘]s\s+(?:{nouns}\s*)?)?{adverbs}(?:(?:\w+\s+){{0,2}}\w+\s+and\s+)?$"
        ),
        "appositive_gap": re.compile(rf"^\s*,(?:[^“”]|“[^“”]*”)*?(?:,|(?<=,”))\s*{adverbs}$"),
        "comma_gap": re.compile(rf"^\s*,\s*{adverbs}$"),
        "media_possessive": re.compile(
            r"^[’'‘]s\s+(?:\w+\s+)?(?:post|interview|statement|page|account|letter|message|video)"
            r"(?:\s+\w+)?\s*:?\s*$"
        ),
        "clause_end": re.compile(
            r",\s+as\s+(?:reported|stated)\s+by\s+.+$|,\s+according to .+$|,\s+while\s+.+$", i
        ),
        "boundary": re.compile(r"(?:^|[,:;]\s*(?:and|but)?)\s*$"),
        "statement_of": re.compile(
            rf"\b{nouns}\s+(?:of|from|by|released\s+by)\s+the\s+(?P<noun>\w+)", i
        ),
        "description": re.compile(
            rf"(?:^|,\s+)(?:[Tt]he|[Aa])\s+(?:official\s+)?(?P<noun>(?:[\w’'-]+\s+){{0,3}}?[\w’'-]+)"
            rf"\s+(?:(?:has|have|had)\s+)?(?:{verbs}|{predicates})\b"
        ),
        "pronoun": re.compile(r"^(?:\w+,\s+)?(?P<pronoun>[Hh]e|[Ss]he|[Hh]is|[Hh]er)\b"),
    }


def find_statements(digest: Digest, mentions: list[Mention]) -> list[Statement]:
    """Statements of named speakers, in text order (see module doc)."""
    roles = find_roles(digest, mentions)
    mentions = outermost(mentions)
    statements: list[Statement] = []
    for paragraph in digest.paragraphs():
        in_paragraph: list[Statement] = []
        for frame in _frames(digest.text, paragraph):
            context = _Context(digest.text, mentions, roles, in_paragraph)
            for found in _frame_statements(context, frame):
                if not _merge(found, in_paragraph):
                    in_paragraph.append(found)
        statements += in_paragraph
    for statement in statements:
        if statement.paraphrase_span == statement.quote_span:
            statement.paraphrase = statement.paraphrase_span = None  # a quote after all
    return _unique_begins(statements)


@dataclass
class _Context:
    text: str
    mentions: list[Mention]
    roles: list[RoleClaim]
    earlier: list[Statement]  # of this paragraph, so far


def _frame_statements(c: _Context, frame: _Frame) -> list[Statement]:
    p = _patterns()
    text, begin = c.text, frame.span.begin
    for quote in frame.quotes:
        lead = text[begin : quote.begin].rstrip("“ ")
        lead_span = Span(begin, begin + len(lead))
        after = _after_quote(text, quote, frame.span.end)
        speaker = None
        if lead and (p["lead"].search(lead) or p["lead_that"].search(lead)):
            speaker = _subject(c, lead_span)
        elif match := p["trail_verb_first"].match(after) or p["trail_verb_last"].match(after):
            where = text.index(match["who"], quote.end)
            speaker = _reference(c, Span(where, where + len(match["who"])), begin)
        elif not lead and c.earlier:
            speaker = c.earlier[-1].speaker
        if speaker is None:
            continue
        statement = Statement(
            speaker=speaker,
            evidence=[frame.span],
            quote=text[quote.begin : quote.end],
            quote_span=quote,
            medium=_medium(c, frame, [quote], speaker),
            mentions=_mentioned(c.mentions, [quote], speaker),
        )
        if p["lead_that"].search(lead):
            # 'said that “if …”': a that-clause in quote marks; it becomes
            # the paraphrase if a quote of the same speaker follows.
            statement.paraphrase, statement.paraphrase_span = statement.quote, quote
        return [statement]
    statements = []
    for speaker, paraphrase, span, evidence_begin in _indirect(c, frame.span, frame.quotes):
        statement = Statement(
            speaker=speaker,
            evidence=[Span(evidence_begin, frame.span.end)],
            paraphrase=paraphrase,
            paraphrase_span=span,
            medium=_medium(c, frame, [span], speaker),
            mentions=_mentioned(c.mentions, [span], speaker),
        )
        _split_quote(c, statement, frame)
        statements.append(statement)
    return statements


def _split_quote(c: _Context, statement: Statement, frame: _Frame) -> None:
    """A quote at a clause boundary of the reported clause is the statement's
    quote: 'states that …, and “cases … determined.”'."""
    span = statement.paraphrase_span
    for quote in frame.quotes:
        if span is None or not span.begin <= quote.begin <= span.end + 1:
            continue
        before = c.text[span.begin : quote.begin].rstrip("“ ")
        if not _patterns()["boundary"].search(before):
            # Quoted words inside the clause are its quote ('reported “intense
            # shelling”'), unless they are a name in quote marks ('the
            # “Russian peacekeeping contingent”'); the clause stays whole.
            if not c.text[quote.begin].isupper():
                statement.quote, statement.quote_span = c.text[quote.begin : quote.end], quote
            return
        statement.quote, statement.quote_span = c.text[quote.begin : quote.end], quote
        kept = re.sub(r"[,:;]?\s*(?:and|but)?\s*$", "", before)
        if kept:
            statement.paraphrase, statement.paraphrase_span = (
                kept,
                Span(span.begin, span.begin + len(kept)),
            )
        else:
            statement.paraphrase = statement.paraphrase_span = None
        statement.mentions = _mentioned(c.mentions, [span], statement.speaker)
        return


def _after_quote(text: str, quote: Span, end: int) -> str:
    return text[quote.end : end].lstrip(",").lstrip("”").strip()


def _indirect(
    c: _Context, span: Span, quotes: list[Span] = ()
) -> list[tuple[Actor, str, Span, int]]:
    """Indirect speech in a sentence: (speaker, reported clause, its span,
    where the attribution begins) for each speaker it reports."""
    p = _patterns()
    sentence = c.text[span.begin : span.end]
    if match := p["according"].search(sentence):
        who = Span(span.begin + match.start("who"), span.begin + match.end("who"))
        speaker = _reference(c, who, span.begin)
        if speaker is not None:
            return [_clause(span, match, speaker, span.begin)]
    if match := p["added"].match(sentence):
        speaker = _pronoun(c, span.begin)
        if speaker is not None:
            return [_clause(span, match, speaker, span.begin)]
    found: list[tuple[Actor, str, Span, int]] = []
    for name in ("that", "predicate"):
        for match in p[name].finditer(sentence):
            cue_begin = span.begin + match.start()
            if any(q.begin <= cue_begin < q.end for q in quotes):
                continue  # words inside a quotation attribute nothing
            subject = _subject(c, Span(span.begin, cue_begin), with_position=True)
            if subject is None:
                continue
            speaker, where = subject
            if any(f[0] == speaker or f[3] == where for f in found):
                continue
            if any(f[2].begin <= cue_begin < f[2].end for f in found) and name == "predicate":
                continue
            found.append(_clause(span, match, speaker, where))
    return found


def _clause(
    span: Span, match: re.Match[str], speaker: Actor, where: int
) -> tuple[Actor, str, Span, int]:
    """The reported clause up to the sentence end, without a source tail
    (', as reported by Tass'), a contrast (', while …') or the full stop."""
    clause = match["clause"]
    if tail := _patterns()["clause_end"].search(clause):
        clause = clause[: tail.start()]
    clause = clause.rstrip(" .")
    begin = span.begin + match.start("clause")
    return speaker, clause, Span(begin, begin + len(clause)), where


def _subject(c: _Context, before: Span, with_position: bool = False):
    """The speaker of a cue that ends `before`, and where it is named.

    The actor named with nothing but adverbs or a possessive noun between it
    and the cue ("Karimli’s post reads:", "Hezi also said"); else the first
    named before an appositive ("Abulfaz Bunyadov, the head of …, told"),
    one with no person in it; else one followed by a lone comma; else a
    pronoun opening the sentence, a title or a description.
    """
    p = _patterns()
    text = c.text
    candidates = [
        m
        for m in c.mentions
        if before.begin <= m.span.begin
        and m.span.end <= before.end
        and m.actor.type not in SPEAKER_TYPES
        and text[max(0, m.span.begin - 3) : m.span.begin].strip() != "to"  # the addressee
    ]
    verbs = alternation(load_cues().speech_verbs)

    def gap(m: Mention) -> str:
        rest = text[m.span.end : before.end]
        return re.sub(rf"\s*\b{verbs}\b.*$", " ", rest, flags=re.IGNORECASE | re.DOTALL)

    def subject_inside(m: Mention) -> bool:
        """'The head of X, former head of government Isa Gambar, spoke': the
        person just before the closing comma is the subject, not X."""
        return m.actor.type != "Person" and any(
            o.actor.type == "Person"
            and m.span.end <= o.span.begin < before.end
            and p["comma_gap"].match(gap(o))
            for o in candidates
        )

    chosen = next(
        (
            m
            for m in reversed(candidates)
            if p["direct_gap"].match(gap(m)) or p["media_possessive"].match(gap(m))
        ),
        None,
    )
    chosen = chosen or next(
        (m for m in candidates if p["appositive_gap"].match(gap(m)) and not subject_inside(m)), None
    )
    chosen = chosen or next((m for m in reversed(candidates) if p["comma_gap"].match(gap(m))), None)
    if chosen is not None:
        return (chosen.actor, chosen.span.begin) if with_position else chosen.actor
    lead = text[before.begin : before.end]
    speaker = _pronoun(c, before.begin) if p["pronoun"].match(lead) else _described(c, before)
    if speaker is None:
        return None
    return (speaker, before.begin) if with_position else speaker


def _pronoun(c: _Context, offset: int) -> Actor | None:
    """'He' is the person who spoke last in the paragraph, else the last named."""
    for statement in reversed(c.earlier):
        if statement.speaker.type == "Person":
            return statement.speaker
    return last_person(c.mentions, offset)


def _described(c: _Context, before: Span) -> Actor | None:
    """'The Prosecutor General said:' -> the person given that role;
    'A statement from the embassy … says:' -> the last embassy named;
    'According to the statement' -> who made the last statement."""
    p = _patterns()
    lead = c.text[before.begin : before.end]
    match = p["statement_of"].search(lead) or p["description"].search(lead + " said")
    if match is None:
        return None
    noun = match["noun"]
    # "the Party’s statement" is the Party's
    noun = re.split(r"[’'‘]s\b", noun)[0]
    if noun.casefold() in load_cues().speech_nouns:
        return c.earlier[-1].speaker if c.earlier else None
    if load_cues().is_role_noun(noun.split()[-1]):  # "The Prosecutor General"
        for claim in reversed(c.roles):
            if claim.span.begin < before.begin and claim.title.casefold().endswith(noun.casefold()):
                return claim.actor
    return described(c.mentions, before.begin, noun.split()[-1])


def _reference(c: _Context, span: Span, frame_begin: int) -> Actor | None:
    """Who a phrase names: a mention in it (a person first), a pronoun, or a
    description ('the statement of the ministry', 'the statement')."""
    inside = [
        m.actor
        for m in c.mentions
        if span.begin <= m.span.begin < span.end and m.actor.type not in SPEAKER_TYPES
    ]
    people = [a for a in inside if a.type == "Person"]
    if people or inside:
        return (people or inside)[-1]
    words = c.text[span.begin : span.end].strip()
    if words.casefold() in ("he", "she"):
        return _pronoun(c, frame_begin)
    return _described(c, span)


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
    return bool(inner and outer) and outer.begin <= inner.begin and inner.end <= outer.end


def _medium(c: _Context, frame: _Frame, said: list[Span], speaker: Actor) -> str | None:
    """The medium the attribution words name (the frame without what was
    said); a news outlet's own words are a news report."""
    words, position = [], frame.span.begin
    for span in sorted(said, key=lambda s: s.begin):
        words.append(c.text[position : span.begin])
        position = max(position, span.end)
    words.append(c.text[position : frame.span.end])
    medium = load_cues().medium(" ".join(words))
    return medium or ("NewsReport" if speaker.type == "MediaOutlet" else None)


def _unique_begins(statements: list[Statement]) -> list[Statement]:
    """Statement IRIs use the first evidence offset: keep one per offset."""
    seen: set[int] = set()
    unique = []
    for statement in statements:
        if statement.begin not in seen:
            seen.add(statement.begin)
            unique.append(statement)
    return unique


def _mentioned(mentions: list[Mention], spans: list[Span], speaker: Actor) -> list[Actor]:
    inside = [m.actor for m in mentions if any(s.begin <= m.span.begin < s.end for s in spans)]
    return [a for a in dict.fromkeys(inside) if a != speaker]
