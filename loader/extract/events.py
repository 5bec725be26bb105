"""Find the events a digest reports: arrests, sentences, meetings, rallies, ...

The words are data (mappings/events.yaml, read by `loader.extract.event_lexicon`);
this module reads each sentence with them in four steps.

1. Triggers: every lexicon phrase found outside direct quotes (a quote is the
   speaker's view, not the digest's report); where two overlap the longer
   wins. None comes from a trigger after a negation ("was not detained") or a
   modal ("should be dismissed"), inside a phrase that reports nothing
   ("detention center"), or from a noun that refers back ("his arrest", "the
   Sochi meeting").
2. Context: the clause the trigger stands in, or the aside ("Emin Ibrahimov,
   who was arrested on political grounds, ...") whose antecedent is then its
   subject. Other asides are read past, so "Rail Abbasov, who defended
   Bakhtiyar Hajiyev, was arrested" affects Abbasov only.
3. Roles, among the actors named in that context, by the class's role types:
   passive "X was arrested by Y" -> affected X, agent Y; active "Y detained X"
   -> agent Y, affected X; "X received a sentence", "the arrest of X" ->
   affected X. A clause without a subject ("..., and sentenced to four
   months") continues the one before; "he"/"him" is the person the sentence,
   or the one before it, is about; "they", "all three journalists" the group
   of people an event of the paragraph affected; "her client" the person a
   lawyer "represents". The source of "According to X, ..." takes no role.
4. Details from the same context: date (`loader.extract.dates`; a sentence-initial
   "On November 2," in a sentence that reports no event covers the next one,
   a clause joined by ", and" takes the date of the one before, a date after
   "until" ends a period and dates nothing), status cues, a count of people,
   a length of time. A date the text does not give stays None.

Then merging: one event per class and sentence (unless agents, persons or
counts differ: "200 people died and more than 400 injured" are two); the same people
affected twice in a paragraph is one event, and so is a noun naming no one
and no date ("It was their first meeting"); for classes marked `restated`, a
digest's later mentions without their own affected actors are the same event,
and for all classes a later noun affecting the same people ("the arrest of X").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from loader.extract.dates import MONTHS, WEEKDAYS, DateMention, find_dates
from loader.extract.event_lexicon import EventClass, Lexicon, Trigger, load_lexicon
from loader.extract.facts import Actor, Event, Mention
from loader.extract.quotes import quote_spans
from loader.parse import Digest, Paragraph, Sentence, Span

# Where a clause ends: what follows has a subject or a role of its own.
CLAUSE_BREAK = re.compile(
    r"[;:]|,\s+(?:and|but|while|whereas|which|after which|resulting in|leaving|claiming|with)\b"
    r"|\s(?:while|whereas|that|although|because|as soon as)\b",
    re.IGNORECASE,
)
# An aside between commas (or brackets) that the main clause reads past.
ASIDE = re.compile(
    r",\s+(?P<opener>who|whom|whose|which|after|along with|born|a|an|the)\b[^,;:“”]*,"
    r"|\([^()]*\)"
    # "According to the Ministry of Defense, ...": the source, not a party to the event
    r"|\baccording\s+to\b[^,;:“”]*,",
    re.IGNORECASE,
)
APPOSITION_OPENERS = {"a", "an", "the"}  # an aside only right after a name: "X, a journalist,"
# Actors joined in one group: "A, B, and former diplomat C".
COORDINATION = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)(?:[a-z][\w-]*\s+){0,3}")
BE = {"was", "were", "is", "are", "be", "been", "being"}
# Words that may open a clause whose subject is the previous clause's.
ELIDED = BE | {"has", "have", "had", "all", "also", "then", "later", "and", "subsequently"}
# Verbs whose subject undergoes the event a noun names: "received a sentence".
UNDERGOES = re.compile(
    r"\b(?:received|receives|endured|endures|faced|faces|facing|subjected to|subject to|"
    r"underwent|suffered)\b",
    re.IGNORECASE,
)
PREPOSITIONS = {"of", "in", "on", "at", "to", "for", "with", "by", "from", "after", "during"}
PATIENT_PREPOSITION = re.compile(
    r"\b(?:of|against|into|in|from|involving|including)\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,2}$"
    # "into the former head of the Ganja City Executive Power, Nazim Aghayev"
    r"|\b(?:of|against|into|from)\s+(?:the\s+)?(?:former\s+|then\s+)?(?:[\w-]+\s+){1,8}?"
    r"[\w-]+,\s+$",
    re.IGNORECASE,
)
AGENT_PREPOSITION = re.compile(r"\b(?:by|of)\s+(?:the\s+)?$", re.IGNORECASE)
POSSESSIVE = re.compile(r"^['’‘]s?\b")
SUBJECT_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
OBJECT_PRONOUN = re.compile(r"\b(?:him|her)\b", re.IGNORECASE)
KIN_APPOSITION = re.compile(r"\b(?:his|her|their)\s+\w+,\s*$", re.IGNORECASE)
DURATION_AFTER = r"^\W*(?:to|for)\s+(?:a\s+period\s+of\s+)?"
DURATION_LATER = r"\bto\s+"  # past the object: "sentenced X, a member of Y, to six years"
# "the agreement reached on September 20": a date that belongs to another verb.
OTHER_PARTICIPLE = re.compile(r"\b(?:reached|signed|agreed|adopted|announced)\s+(?:on\s+)?$")
END_DATE = re.compile(r"\b(?:until|till|through|by|before|ahead of|since)\s+(?:the\s+)?$", re.I)
# 'they', 'them', 'all three journalists', 'the two activists': a group told of before.
PLURAL_ANAPHOR = re.compile(
    r"\b(?:they|them|(?:all|both|these|those|the)\s+(?:(?P<count>two|three|four|five|six|seven|"
    r"eight|nine|ten|\d+)\s+)?(?:journalists|activists|people|persons|men|women|members|"
    r"bloggers|reporters|defendants|individuals)|all\s+(?P<count2>two|three|four|five|\d+)|both)\b",
    re.IGNORECASE,
)
CLIENT = re.compile(r"\b(?:his|her|their)\s+(?:client|defendant)s?\b", re.IGNORECASE)
REPRESENTS = re.compile(r"\b(?:represents|represented|defends|defended|lawyer\s+of)\s+$", re.I)
# "had been handcuffed to a radiator and beaten": a participle joined to a passive one.
COORDINATED_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|been|be)\s+(?:\w+ly\s+)?\w+(?:ed|en)\b[^,;:]*\band\s+(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
INITIAL_DATE = 12  # a date starting this close to a sentence's start covers all of it
SPEECH_QUOTE_WORDS = 5  # shorter quotes are names or scare quotes: “TikTok”, “Tarter case”


@dataclass
class _Hit:
    """A trigger found in a sentence; offsets relative to the sentence text."""

    trigger: Trigger
    match: re.Match[str]
    begin: int = 0
    end: int = 0

    def __post_init__(self) -> None:
        group = "trigger" if "trigger" in self.match.re.groupindex else 0
        self.begin, self.end = self.match.span(group)

    @property
    def cls(self) -> EventClass:
        return self.trigger.event_class


@dataclass
class _Sentence:
    """A sentence and what the extraction needs to know about it."""

    sentence: Sentence
    mentions: list[Mention]  # outside quotes; offsets absolute, like all spans
    asides: list[tuple[int, int]]  # relative
    breaks: list[int]  # clause breaks, relative

    @property
    def base(self) -> int:
        return self.sentence.span.begin

    @property
    def text(self) -> str:
        return self.sentence.text

    def at(self, mention: Mention) -> int:
        return mention.span.begin - self.base


@dataclass
class _Context:
    begin: int  # relative to the sentence
    end: int
    antecedent: list[Mention]  # the subject of the aside the trigger stands in
    skipped: list[tuple[int, int]] = field(default_factory=list)  # asides read past


def find_events(digest: Digest, mentions: list[Mention]) -> list[Event]:
    """The events the digest reports, in text order."""
    lexicon = load_lexicon()
    events: list[Event] = []
    restatements: set[int] = set()  # ids of events told by a noun: "the arrest of X"
    for paragraph in digest.paragraphs():
        quotes = speech_quotes(paragraph)
        previous: list[_Sentence] = []
        carried: date | None = None  # "On November 2, ..." also dates the next sentence
        paragraph_events: list[Event] = []
        for sentence in paragraph.sentences:
            current = _prepare(sentence, mentions, quotes)
            dates = [
                d
                for d in find_dates(sentence.text, digest.date, current.base)
                if not _in_any(d.span.begin, quotes)
            ]
            dates = [d for d in dates if not _end_date(sentence.text, d.span.begin - current.base)]
            initial = [d.date for d in dates if d.span.begin - current.base < INITIAL_DATE]
            found = _sentence_events(lexicon, current, previous, quotes, paragraph_events)
            for event, ctx, hit in found:
                event.date = _event_date(current, ctx, hit, dates) or (initial or [carried])[0]
                noun = hit.trigger.kind == "noun"
                if not _merge_into(paragraph_events, event, same_sentence=False, noun=noun):
                    paragraph_events.append(event)
                    if noun:
                        restatements.add(id(event))
            # "On November 2, those cases were considered ...": a dated sentence that
            # reports no event of its own sets the date of the next one.
            carried = initial[0] if initial and not dates[1:] and not found else None
            previous.append(current)
        events.extend(paragraph_events)
    return _merge_restated(events, restatements)


def _end_date(text: str, offset: int) -> bool:
    """'extended until April 1', 'banned till May 5': the date ends a period
    and is not when the event happened."""
    return bool(END_DATE.search(text[:offset]))


def _event_date(s: _Sentence, ctx: _Context, hit: _Hit, dates: list[DateMention]) -> date | None:
    """The date in the trigger's clause nearest the trigger; for a clause joined
    on by ', and', the latest date before it in the sentence."""
    inside = [
        d
        for d in dates
        if ctx.begin <= d.span.begin - s.base < ctx.end
        and not OTHER_PARTICIPLE.search(s.text[ctx.begin : d.span.begin - s.base])
    ]
    if inside:
        return min(inside, key=lambda d: abs(d.span.begin - s.base - hit.begin)).date
    if re.match(r",\s+and\b", s.text[ctx.begin :]):
        earlier = [d for d in dates if d.span.begin - s.base < ctx.begin]
        return earlier[-1].date if earlier else None
    return None


def speech_quotes(paragraph: Paragraph) -> list[Span]:
    """Quotations that are someone's words: “…” of five words or more, and a
    quote whose opening mark is missing ('Safarov wrote: The Head ... khan.”'),
    taken from the colon before its closing mark."""
    spans = [
        s
        for s in quote_spans(paragraph)
        if len(
            paragraph.text[s.begin - paragraph.span.begin : s.end - paragraph.span.begin].split()
        )
        >= SPEECH_QUOTE_WORDS
    ]
    text, base = paragraph.text, paragraph.span.begin
    depth = 0
    for index, char in enumerate(text):
        if char == "“":
            depth += 1
        elif char == "”" and depth:
            depth -= 1
        elif char == "”" and (colon := text.rfind(": ", 0, index)) >= 0:
            spans.append(Span(base + colon + 2, base + index))
    return spans


def _prepare(sentence: Sentence, mentions: list[Mention], quotes: list[Span]) -> _Sentence:
    span = sentence.span
    inside = [
        m
        for m in mentions
        if span.begin <= m.span.begin < span.end and not _in_any(m.span.begin, quotes)
    ]
    # A name inside a longer one ("Security Service" in "Security Service of the
    # Nakhchivan Autonomous Republic") is not a mention of its own.
    inside = [
        m
        for m in inside
        if not any(
            o is not m
            and o.span.begin <= m.span.begin
            and m.span.end <= o.span.end
            and (o.span.end - o.span.begin) > (m.span.end - m.span.begin)
            for o in inside
        )
    ]
    ends = {m.span.end - span.begin for m in inside}
    asides = [
        (m.start(), m.end())
        for m in ASIDE.finditer(sentence.text)
        if (m["opener"] or "").lower() not in APPOSITION_OPENERS or m.start() in ends
    ]
    breaks = [m.start() for m in CLAUSE_BREAK.finditer(sentence.text)]
    return _Sentence(sentence, inside, asides, breaks)


def _in_any(offset: int, spans: list[Span]) -> bool:
    return any(s.begin <= offset < s.end for s in spans)


# -- 1. triggers ---------------------------------------------------------------


def _hits(lexicon: Lexicon, s: _Sentence, quotes: list[Span]) -> list[_Hit]:
    """The sentence's triggers that report an event, in text order."""
    candidates = [
        _Hit(trigger, m)
        for trigger in lexicon.triggers
        for m in trigger.pattern.finditer(s.text)
        if not _in_any(s.base + m.start(), quotes)
    ]
    rank = {"noun": 0, "phrase": 1, "verb": 2}
    candidates.sort(key=lambda h: (h.begin - h.end, rank[h.trigger.kind], h.begin))
    chosen: list[_Hit] = []
    for hit in candidates:
        if all(hit.end <= c.begin or hit.begin >= c.end for c in chosen):
            chosen.append(hit)
    blocked = [m.span() for m in lexicon.not_events.finditer(s.text)]
    return sorted(
        (
            h
            for h in chosen
            if not any(b <= h.begin < e for b, e in blocked)
            and not any(w in lexicon.negations for w in _words_before(s.text, h.begin, 2))
            and not _hypothetical(lexicon, s, h)
            and not _refers_back(lexicon, s.text, h)
        ),
        key=lambda h: h.begin,
    )


def _words_before(text: str, offset: int, count: int) -> list[str]:
    """Up to `count` words right before `offset`, nearest first, not past punctuation."""
    before = re.split(r"[,;:.()“”]", text[:offset])[-1]
    return [w.lower() for w in reversed(before.split()[-count:])]


def _hypothetical(lexicon: Lexicon, s: _Sentence, hit: _Hit) -> bool:
    begin = max((b for b in s.breaks if b < hit.begin), default=0)
    return bool(lexicon.hypothetical.search(s.text, begin, hit.begin))


def _refers_back(lexicon: Lexicon, text: str, hit: _Hit) -> bool:
    """Whether a noun points at an event told already: 'his arrest', 'the Sochi
    meeting', 'Iran's military exercises', 'The arrests of activists'; not 'a
    new rally', 'the next meeting', 'the operation of the Security Service'."""
    if hit.trigger.kind == "verb":
        # "the persons arrested by ...": a participle describing people already told of
        noun, det = ([*_words_before(text, hit.begin, 2), "", ""])[:2]
        if det in lexicon.refer_back and noun.endswith("s") and noun not in BE | ELIDED:
            return True
        # "the pardon was meant for ...": a verb's bare form after a determiner is a noun
        word = text[hit.begin : hit.end].lower()
        if not (noun in lexicon.refer_back and not word.endswith(("ed", "ing", "en"))):
            return False
    elif hit.trigger.kind != "noun":
        return False
    word = text[hit.begin : hit.end].lower()
    singular = not word.endswith("s") or word.endswith("ss")
    previous_word = re.search(r"(\w+)\s+$", text[: hit.begin])
    if previous_word and previous_word.start(1) > 0 and _names_an_event(previous_word[1]):
        return True
    if singular and re.match(r"\s+of\b", text[hit.end :]):
        return False
    for word in _words_before(text, hit.begin, 3):
        if word in PREPOSITIONS or word in lexicon.new_event or word in {"a", "an"}:
            return False
        if word in lexicon.refer_back or word.endswith(("'s", "’s", "s'", "s’")):
            return True
    return False


def _names_an_event(word: str) -> bool:
    """'Sochi meeting', 'Prague meeting': a place name before the noun names an
    event known already; a weekday ('a Thursday phone call') does not."""
    return word[0].isupper() and word.lower() not in WEEKDAYS + list(MONTHS)


# -- 2. context ------------------------------------------------------------------


def _context(s: _Sentence, hit: _Hit) -> _Context:
    for begin, end in s.asides:
        if begin <= hit.begin < end:
            antecedent = [m for m in s.mentions if m.span.end == s.base + begin]
            return _Context(begin + 1, end - 1, antecedent)
    begin = max((b for b in s.breaks if b < hit.begin), default=0)
    end = min((b for b in s.breaks if b >= hit.end), default=len(s.text))
    skipped = [(b, e) for b, e in s.asides if begin <= b and e <= end]
    return _Context(begin, end, [], skipped)


def _visible(s: _Sentence, ctx: _Context, begin: int, end: int) -> list[Mention]:
    """Mentions in [begin, end) of the sentence that are not in a skipped aside."""
    return [
        m
        for m in s.mentions
        if begin <= s.at(m) < end and not any(b <= s.at(m) < e for b, e in ctx.skipped)
    ]


def _masked(s: _Sentence, ctx: _Context, begin: int, end: int) -> str:
    """The sentence text in [begin, end) with skipped asides blanked out."""
    chars = list(s.text[begin:end])
    for b, e in ctx.skipped:
        for i in range(max(b, begin), min(e, end)):
            chars[i - begin] = " "
    return "".join(chars)


# -- 3. roles ----------------------------------------------------------------------


def _group(
    s: _Sentence, mentions: list[Mention], types: tuple[str, ...], last: bool
) -> list[Mention]:
    """The coordinated group ('A, B, and former diplomat C') of actors of `types`
    nearest the trigger: the last one before it (`last`) or the first one after."""
    fitting = [m for m in mentions if m.actor.type in types]
    if not fitting:
        return []
    # The group may reach past the clause: "A, B, and former diplomat C were detained".
    pool = [
        m
        for m in s.mentions
        if m.actor.type in types and not any(b <= s.at(m) < e for b, e in s.asides)
    ]
    nearest = fitting[-1] if last else fitting[0]
    pool = [m for m in pool if (s.at(m) < s.at(nearest) if last else s.at(m) > s.at(nearest))]
    group = [nearest]
    for mention in reversed(pool) if last else pool:
        first, second = (mention, group[-1]) if last else (group[-1], mention)
        if not COORDINATION.fullmatch(s.text[first.span.end - s.base : s.at(second)]):
            break
        group.append(mention)
    return sorted(group, key=lambda m: m.span.begin)


def _actors(mentions: list[Mention]) -> list[Actor]:
    return list(dict.fromkeys(m.actor for m in mentions))


def _subject(s: _Sentence) -> Mention | None:
    """The person a sentence is about: its first person named outside asides,
    unless named as someone's relative ('his son, Farid Aliyev')."""
    for mention in s.mentions:
        offset = s.at(mention)
        if mention.actor.type != "Person" or any(b <= offset < e for b, e in s.asides):
            continue
        if not KIN_APPOSITION.search(s.text[:offset]):
            return mention
    return None


def _referent(s: _Sentence, previous: list[_Sentence], offset: int) -> list[Actor]:
    """'he'/'him' at `offset`: the person this sentence, or the nearest before it, is about."""
    subject = _subject(s)
    if subject is not None and s.at(subject) < offset:
        return [subject.actor]
    for earlier in reversed(previous):
        if (subject := _subject(earlier)) is not None:
            return [subject.actor]
    return []


def _subject_group(
    s: _Sentence, previous: list[_Sentence], ctx: _Context, before: list[Mention], types, end: int
) -> list[Actor]:
    """Who the clause is about, before relative offset `end`: the nearest group of
    `types`, or the person a pronoun standing nearer to the trigger stands for."""
    group = _group(s, before, types, last=True) if types else []
    pronouns = list(SUBJECT_PRONOUN.finditer(_masked(s, ctx, ctx.begin, end)))
    if "Person" in types and pronouns:
        offset = ctx.begin + pronouns[-1].start()
        if not group or s.at(group[-1]) < offset:
            return _referent(s, previous, offset)
    return _actors(group)


def _object_group(
    s: _Sentence, previous: list[_Sentence], ctx: _Context, after: list[Mention], types, begin: int
) -> list[Actor]:
    """Whom the trigger acts on: the first group of `types` after it, or a pronoun before that."""
    group = _group(s, after, types, last=False) if types else []
    pronouns = list(OBJECT_PRONOUN.finditer(_masked(s, ctx, begin, ctx.end)))
    if "Person" in types and pronouns:
        offset = begin + pronouns[0].start()
        if not group or s.at(group[0]) > offset:
            return _referent(s, previous, offset)
    return _actors(group)


def _voice(hit: _Hit, left: str) -> str:
    """'noun'; 'undergoes' for 'facing allegations'; 'passive' for a participle
    after a form of 'to be' ('was arrested', 'were all detained') or opening a
    clause without a subject ('..., and sentenced'); else 'active'."""
    if hit.trigger.kind == "noun":
        return "undergoes" if UNDERGOES.search(left) else "noun"
    words = hit.match.group(0).lower().split()
    if UNDERGOES.match(hit.match.group(0)):
        return "undergoes"
    if BE & set(words):
        return "passive"
    participle = words[0].endswith(("ed", "en"))
    after_be = bool(BE & {w.lower() for w in left.split()[-3:]}) or bool(
        COORDINATED_PASSIVE.search(left)
    )
    return "passive" if participle and (after_be or _elided(left)) else "active"


def _elided(left: str) -> bool:
    """A clause with no subject of its own: '..., and sentenced to ...'."""
    return all(w.lower() in ELIDED for w in re.findall(r"[\w’']+", left))


def _noun_roles(s: _Sentence, hit: _Hit, after: list[Mention], before: list[Mention]):
    """'the arrest of X', 'a case against X' -> affected X; 'the operation of
    the Security Service', "Iran's launch of military training" -> agent."""
    cls = hit.cls
    affected: list[Mention] = []
    agent: list[Mention] = []
    for mention in after:
        lead = s.text[hit.end : s.at(mention)]
        if mention.actor.type in cls.agent and AGENT_PREPOSITION.search(lead) and not agent:
            agent = _group(s, [m for m in after if s.at(m) >= s.at(mention)], cls.agent, False)
        elif (
            mention.actor.type in cls.affected and PATIENT_PREPOSITION.search(lead) and not affected
        ):
            affected = _group(
                s, [m for m in after if s.at(m) >= s.at(mention)], cls.affected, False
            )
    for mention in before:
        owner = POSSESSIVE.match(s.text[mention.span.end - s.base :])
        near = len(s.text[mention.span.end - s.base : hit.begin].split()) <= 4
        if owner and near and mention.actor.type in cls.agent:
            agent = agent or [mention]
    return _actors(affected), _actors(agent)


def _owner_pronoun(s: _Sentence, previous: list[_Sentence], hit: _Hit) -> list[Actor]:
    """'a search of his residence' -> the person 'his' stands for."""
    match = re.match(r"\s+of\s+(?:his|her)\b", s.text[hit.end :], re.IGNORECASE)
    return _referent(s, previous, hit.end + match.end()) if match else []


# -- 4. the event --------------------------------------------------------------------


def _sentence_events(
    lexicon: Lexicon,
    s: _Sentence,
    previous: list[_Sentence],
    quotes: list[Span],
    told: list[Event] = (),  # type: ignore[assignment]
) -> list[tuple[Event, _Context, _Hit]]:
    """The sentence's events (dates still unset) with the context and trigger of
    each; `told` are the paragraph's events before it, for 'they', 'all three'."""
    hits = _hits(lexicon, s, quotes)
    found: list[tuple[Event, _Context, _Hit]] = []
    events: list[Event] = []
    for hit in hits:
        ctx = _context(s, hit)
        event = _event(lexicon, s, previous, hit, ctx, events, hits, [*told, *events])
        event.evidence = [_evidence(s, ctx, hit, {e.begin for e in events})]
        if not _merge_into(events, event, same_sentence=True):
            events.append(event)
            found.append((event, ctx, hit))
    return found


def _event(
    lexicon: Lexicon,
    s: _Sentence,
    previous: list[_Sentence],
    hit: _Hit,
    ctx: _Context,
    earlier: list[Event],
    hits: list[_Hit],
    told: list[Event],
) -> Event:
    cls = hit.cls
    left = _masked(s, ctx, ctx.begin, hit.begin)
    right = _masked(s, ctx, hit.end, ctx.end)
    # A phrase may hold its own subject: "the Security Service ... was canceled".
    subject_end = hit.match.start() if hit.trigger.kind == "verb" else hit.begin
    before = ctx.antecedent + _visible(s, ctx, ctx.begin, subject_end)
    if hit.trigger.kind == "phrase":
        before += _visible(s, ctx, hit.match.start(), hit.begin)
    after = _visible(s, ctx, hit.end, ctx.end)

    voice = _voice(hit, left)
    agent: list[Actor] = []
    affected: list[Actor] = []
    if voice in ("passive", "undergoes") or (voice == "active" and cls.subject_affected):
        affected = _subject_group(s, previous, ctx, before, cls.affected, hit.begin)
        if not affected and voice == "passive" and _elided(left) and earlier:
            affected = list(earlier[-1].affected)
        by = re.search(r"\bby\b", right)
        if by:
            after_by = [m for m in after if s.at(m) >= hit.end + by.end()]
            agent = _actors(_group(s, after_by, cls.agent, last=False))
    elif voice == "active":
        agent = _actors(
            _group(s, [m for m in before if not _possessive(s, m)], cls.agent, last=True)
        )
        affected = _object_group(s, previous, ctx, after, cls.affected, hit.end)
    else:
        affected, agent = _noun_roles(s, hit, after, before)
        if not affected and "Person" in cls.affected:
            affected = _owner_pronoun(s, previous, hit) or _actors(ctx.antecedent)

    if not affected and "Person" in cls.affected:
        affected = _plural_referent(s, ctx, hit, voice, told) or _client(s, previous, ctx)

    named = before + after
    places = _actors([m for m in named if _is_place(s, m)])
    participants = [
        a for a in _actors([m for m in named if m.actor.type in cls.participant]) if a not in places
    ]
    return Event(
        type=cls.name,
        evidence=[],
        agent=[a for a in agent if a not in affected],
        affected=affected,
        participant=participants,
        place=places,
        status=_status(lexicon, s, ctx, hits),
        quantity=_quantity(lexicon, hit, left, right) if cls.counts else None,
        duration=_duration(lexicon, hit, left, right) if cls.has_duration else None,
    )


def _plural_referent(
    s: _Sentence, ctx: _Context, hit: _Hit, voice: str, told: list[Event]
) -> list[Actor]:
    """'They were charged', 'detention for all three journalists': the people
    a plural pronoun or a counted noun phrase refers to, i.e. the latest group
    of two or more persons an event of the paragraph affected."""
    if voice in ("passive", "undergoes") or (voice == "active" and hit.cls.subject_affected):
        text = _masked(s, ctx, ctx.begin, hit.begin)
    else:
        text = _masked(s, ctx, hit.end, ctx.end)
    match = PLURAL_ANAPHOR.search(text)
    if match is None:
        return []
    groups = [e.affected for e in told if len([a for a in e.affected if a.type == "Person"]) > 1]
    if not groups:
        return []
    group = [a for a in groups[-1] if a.type == "Person"]
    count = match["count"]
    if count and load_lexicon().number(count) not in (None, len(group)):
        return []
    return group


def _client(s: _Sentence, previous: list[_Sentence], ctx: _Context) -> list[Actor]:
    """'Lawyer X, who represents Y, said that her client had been beaten': the
    client is the person the lawyer is said to represent or defend."""
    if not CLIENT.search(_masked(s, ctx, ctx.begin, ctx.end)):
        return []
    for sentence in [s, *reversed(previous)]:
        for mention in sentence.mentions:
            lead = sentence.text[: sentence.at(mention)]
            if mention.actor.type == "Person" and REPRESENTS.search(lead):
                return [mention.actor]
    return []


def _possessive(s: _Sentence, mention: Mention) -> bool:
    """ "Nurlan Libre’s account": the actor owns something, it does not act."""
    return bool(POSSESSIVE.match(s.text[mention.span.end - s.base :]))


def _is_place(s: _Sentence, mention: Mention) -> bool:
    """A place, or a country named as where something happens ('limited in Azerbaijan')."""
    if mention.actor.type == "Place":
        return True
    before = s.text[: s.at(mention)]
    return mention.actor.type == "Country" and bool(re.search(r"\b(?:in|at)\s+$", before))


def _status(lexicon: Lexicon, s: _Sentence, ctx: _Context, hits: list[_Hit]) -> str:
    """Alleged if a cue stands in the clause or earlier in the sentence; Planned if
    one stands in the clause. A cue that is itself a trigger ('accused of') is none."""

    def cued(status: str, begin: int, end: int) -> bool:
        return any(
            not any(h.match.start() <= m.start() < h.match.end() for h in hits)
            for m in lexicon.status[status].finditer(s.text, begin, end)
        )

    if cued("Alleged", 0, ctx.end):
        return "Alleged"
    if cued("Planned", ctx.begin, ctx.end):
        return "Planned"
    return "Occurred"


def _quantity(lexicon: Lexicon, hit: _Hit, left: str, right: str) -> int | None:
    """The number of people the clause counts, nearest the trigger: 'twelve
    people ... were arrested', '200 casualties had occurred', 'more than 400 injured'."""
    before = left + hit.match.group(0)[: hit.begin - hit.match.start()]
    bare = re.search(rf"(?<![\w-])(?P<number>{lexicon.number_pattern})\s+$", before, re.IGNORECASE)
    if bare and bare["number"].lower() in ("a", "an"):
        bare = None  # "a protest" is one event, not a count of people
    found = list(lexicon.count.finditer(before)) or list(lexicon.count.finditer(right))[:1]
    match = bare or (found[-1] if found else None)
    if match is None:
        return None
    number = lexicon.number(match["number"])
    if number is not None and re.search(r"\bthousand\b", match.group(0), re.IGNORECASE):
        number *= 1000
    return number


def _duration(lexicon: Lexicon, hit: _Hit, left: str, right: str) -> str | None:
    """'sentenced to four months', 'a 30-day administrative arrest', 'a one-day detention'."""
    match = (
        (hit.match if "unit" in hit.match.re.groupindex and hit.match["unit"] else None)
        or re.match(DURATION_AFTER + lexicon.duration.pattern, right, re.IGNORECASE)
        # "sentenced Arif Gasimzade, a member of ..., to six years in prison"
        or re.search(DURATION_LATER + lexicon.duration.pattern, right, re.IGNORECASE)
        or re.search(lexicon.duration.pattern + r"(?:\s+[\w-]+){0,2}\s*$", left, re.IGNORECASE)
    )
    if match is None:
        return None
    number = lexicon.number(match["number"])
    return lexicon.xsd_duration(number, match["unit"]) if number is not None else None


def _evidence(s: _Sentence, ctx: _Context, hit: _Hit, taken: set[int]) -> Span:
    """The clause that states the event, trimmed; from the trigger on if another
    event of the sentence already starts where the clause does."""
    clause = s.text[ctx.begin : ctx.end]
    begin = s.base + ctx.begin + len(clause) - len(clause.lstrip(" ,;:("))
    end = s.base + ctx.begin + len(clause.rstrip(" ,;:)"))
    if begin in taken:
        begin = s.base + hit.match.start()
    return Span(begin, end)


# -- merging -------------------------------------------------------------------------


def _merge_into(events: list[Event], event: Event, same_sentence: bool, noun: bool = False) -> bool:
    """Fold `event` into an earlier one that reports the same; True if done.

    In a sentence: an event of the same class, unless agents, persons or counts differ.
    In a paragraph: an event of the same class affecting the same named people,
    or one told by a noun (`noun`) that names no one and gives no date.
    """
    for earlier in events:
        if earlier.type != event.type or not _same_date(earlier, event):
            continue
        if same_sentence:
            same = _agree(earlier.agent, event.agent) and _same_people(earlier, event)
        else:
            same = bool(event.affected) and set(earlier.affected) == set(event.affected)
            # "It was their first meeting since October.": no one named, no date
            same = same or (noun and _bare(event))
        if same:
            _combine(earlier, event)
            return True
    return False


def _merge_restated(events: list[Event], nouns: set[int] = frozenset()) -> list[Event]:  # type: ignore[assignment]
    """Merge, for `restated` classes, later mentions without affected actors;
    for every class, a later mention told by a noun (ids in `nouns`) affecting
    the same people on no other date ('criticising the arrest of Mammadli' two
    paragraphs after his arrest)."""
    classes = load_lexicon().classes
    merged: list[Event] = []
    for event in events:
        target = next(
            (
                e
                for e in merged
                if e.type == event.type
                and _same_date(e, event)
                and _agree(e.agent, event.agent)
                and (
                    (classes[e.type].restated and not event.affected)
                    or (
                        id(event) in nouns
                        and bool(event.affected)
                        and set(e.affected) == set(event.affected)
                    )
                )
            ),
            None,
        )
        if target is None:
            merged.append(event)
        else:
            _combine(target, event)
    return merged


def _bare(event: Event) -> bool:
    """An event that names no one and has no date: a restatement, where one
    of its class was told before."""
    return not (event.agent or event.affected or event.participant or event.date) and (
        event.quantity is None
    )


def _same_people(a: Event, b: Event) -> bool:
    """Whether two events of a sentence may concern the same people: not if they
    name different persons, or one names persons and the other counts others
    ("Gulmamedov succumbed ..., and two individuals ... sustained injuries")."""
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


def _same_date(a: Event, b: Event) -> bool:
    return _agree(a.date, b.date)


def _combine(into: Event, other: Event) -> None:
    for role in ("agent", "affected", "participant", "place"):
        setattr(into, role, list(dict.fromkeys([*getattr(into, role), *getattr(other, role)])))
    into.date = into.date or other.date
    into.quantity = into.quantity if into.quantity is not None else other.quantity
    into.duration = into.duration or other.duration
    into.evidence.extend(span for span in other.evidence if span not in into.evidence)
