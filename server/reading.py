"""The reading pages' content: what a statement's or an event's page states (its facts,
read from its triples, and the digest's sentences around its evidence), and the digest's
text with every evidence span marked and linked."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox
from markupsafe import Markup, escape

from voxgraph.loader.read.digest import DigestError
from voxgraph.loader.read.parse import parse_digest
from voxgraph.loader.store import Store
from voxgraph.server import linked_data as ld
from voxgraph.server.linked_data import VOX, rows


def long_date(value: str) -> str:
    """2022-11-04 as "4 November 2022"; anything else as it is."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


@dataclass
class Facts:
    """What a statement or an event page says: who, what, when, where, and where it was read."""

    kinds: list[str]  # the event's classes, as the ontology names them ("arrest")
    digest: str
    reported: str  # the digest's date
    date: str | None = None  # when it happened, where the text says
    said: list[tuple[str, str]] = field(default_factory=list)  # (quote or paraphrase, text)
    medium: list[str] = field(default_factory=list)
    status: str | None = None  # "alleged", "planned" (an event that occurred says nothing)
    quantity: str | None = None
    duration: str | None = None
    incident: str | None = None
    actors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # role: (IRI, name)
    sources: list[Source] = field(default_factory=list)

    def heading(self, statement: bool) -> str:
        """The page's title: Statement of Ali Karimli, reported 4 November 2022."""
        when = long_date(self.date) if self.date else f"reported {long_date(self.reported)}"
        if statement:
            speakers = " and ".join(name for _, name in self.actors.get("speaker", []))
            return f"Statement of {speakers or 'someone not named'}, {when}"
        return f"{', '.join(self.kinds).capitalize() or 'Event'}, {when}"


@dataclass(frozen=True)
class Source:
    """An evidence span and the sentence(s) of the digest around it, as parsed."""

    begin: int
    end: int
    before: str  # the sentence up to the span
    words: str  # the span: nif:anchorOf
    after: str
    href: str  # the digest's page at the span


ROLES = ("speaker", "agent", "affected", "participant", "place", "mentions")
LITERAL_FACTS = ("date", "quantity", "duration")


def item_facts(
    graph: Store, iri: str, outgoing: list[ox.Quad], types: set[str], names: dict[str, str]
) -> Facts:
    """A statement's or an event's facts, read from its triples (`outgoing`), with the
    ontology's names for its classes, medium and status, and the digest's sentences around
    its evidence."""
    found: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = defaultdict(list)
    for quad in outgoing:
        name = quad.predicate.value.removeprefix(VOX)
        term = quad.object
        if not isinstance(term, ox.Triple) and term not in found[name]:  # no RDF-star here
            found[name].append(term)
    terms = {t.value for t in (*found["medium"], *found["status"])} | types
    words = {
        r["x"]: r["label"]
        for r in rows(
            graph,
            f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{
                  VALUES ?x {{ {" ".join(f"<{t}>" for t in sorted(terms))} }}
                  ?x rdfs:label|skos:prefLabel ?l }} GROUP BY ?x""",
        )
    }
    digest = found["reportedIn"][0].value if found["reportedIn"] else ""
    reported = rows(graph, f"SELECT ?date WHERE {{ <{digest}> dcterms:date ?date }} LIMIT 1")
    status = words.get(found["status"][0].value) if found["status"] else None
    facts = Facts(
        kinds=sorted(
            words.get(t, ld.short_iri(t))
            for t in types
            if t not in (VOX + "Event", VOX + "Statement")
        ),
        digest=digest,
        reported=reported[0]["date"] if reported else "",
        said=[("quote", t.value) for t in found["quote"]]
        + [("paraphrase", t.value) for t in found["paraphrase"]],
        medium=[words.get(t.value, ld.short_iri(t.value)) for t in found["medium"]],
        status=None if status == "occurred" else status,
        incident=found["incident"][0].value if found["incident"] else None,
        actors={
            role: sorted(
                ((t.value, names.get(t.value, ld.short_iri(t.value))) for t in found[role]),
                key=lambda pair: pair[1].lower(),
            )
            for role in ROLES
            if found[role]
        },
    )
    for name in LITERAL_FACTS:
        if found[name]:
            setattr(facts, name, found[name][0].value)
    if facts.duration:
        facts.duration = plain_duration(facts.duration)
    facts.sources = sources(graph, iri, digest, facts.reported)
    return facts


def sources(graph: Store, iri: str, digest: str, day: str) -> list[Source]:
    """Each evidence span of `iri` with the sentences of the digest it lies in (as the
    parser splits them); where the text cannot be parsed, the span alone."""
    spans = rows(
        graph,
        f"""SELECT DISTINCT ?b ?e ?anchor WHERE {{ <{iri}> vox:evidence ?ev .
              ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor }}""",
    )
    if not spans:
        return []
    found = rows(graph, f"SELECT ?text WHERE {{ <{digest}> vox:text ?text }} LIMIT 1")
    sentences: list[tuple[int, int]] = []
    if found:
        try:
            parsed = parse_digest(found[0]["text"], f"{day}.txt")
            sentences = [
                (s.span.begin, s.span.end) for p in parsed.paragraphs() for s in p.sentences
            ]
        except DigestError:
            pass
    text = found[0]["text"] if found else ""
    result = []
    for span in sorted(spans, key=lambda r: (int(r["b"]), int(r["e"]))):
        begin, end = int(span["b"]), int(span["e"])
        around = [(b, e) for b, e in sentences if b < end and e > begin]
        start = min([begin, *(b for b, _ in around)])
        stop = max([end, *(e for _, e in around)])
        result.append(
            Source(
                begin,
                end,
                text[start:begin],
                span["anchor"].strip(),
                text[end:stop],
                f"{ld.local_href(digest)}#char={begin},{end}",
            )
        )
    return result


DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
DURATION_UNITS = ("year", "month", "week", "day")


def plain_duration(value: str) -> str:
    """An xsd:duration of whole years, months, weeks or days in words ("P30D": "30 days");
    any other the way it is written."""
    found = DURATION.match(value)
    if found is None or not any(found.groups()):
        return value
    return ", ".join(
        f"{count} {unit}{'' if count == '1' else 's'}"
        for count, unit in zip(found.groups(), DURATION_UNITS, strict=True)
        if count
    )


@dataclass(frozen=True)
class Span:
    """An evidence span as the digest page marks it: what was read from it, by kind."""

    begin: int
    end: int
    items: tuple[tuple[str, str], ...]  # (kind, IRI): statement, event or role

    @property
    def classes(self) -> str:
        """The mark's classes: ev, and the kinds that colour it (not a role)."""
        kinds = sorted({kind for kind, _ in self.items})
        return " ".join(["ev", *kinds])

    @property
    def anchor(self) -> str:
        return f"char={self.begin},{self.end}"


MARKER_LETTER = {"statement": "S", "event": "E", "role": "R"}
BLOCK_LINE = re.compile(r"[^\n]+")
BLANK = " \t\u00a0\u200b\u200c\u200d\ufeff"


def highlighted_text(graph: Store, digest: str) -> Markup:
    """The digest's text in its shape (each line a paragraph, the lines the parser read as
    section titles headings), every evidence span of a statement, event or role marked,
    with links to what was read from it.

    Spans may overlap and even cross, and a span may run past its paragraph: each is a
    <mark> nested in the marks open around it; one crossing another's end is closed and
    opened again after it, and one crossing a paragraph's end goes on in the next. Only
    a span's first piece carries its id (the target of char=begin,end links) and its
    markers. All text is escaped.
    """
    found = rows(graph, f"SELECT ?text WHERE {{ <{digest}> vox:text ?text }}")
    if not found:
        return Markup("")
    text = found[0]["text"]
    titles = Counter(
        r["title"].strip()
        for r in rows(
            graph,
            f"SELECT ?s ?title WHERE {{ <{digest}> vox:section ?s . ?s dcterms:title ?title }}",
        )
    )
    by_offsets: dict[tuple[int, int], set[tuple[str, str]]] = defaultdict(set)
    for span in rows(
        graph,
        f"""SELECT DISTINCT ?x ?kind ?b ?e WHERE {{
              ?x vox:evidence ?ev . ?ev nif:referenceContext <{digest}> ;
              nif:beginIndex ?b ; nif:endIndex ?e .
              OPTIONAL {{ ?x a vox:Statement BIND("statement" AS ?statement) }}
              OPTIONAL {{ ?x a vox:Event BIND("event" AS ?event) }}
              BIND(COALESCE(?statement, ?event, "role") AS ?kind)
            }}""",
    ):
        by_offsets[int(span["b"]), int(span["e"])].add((span["kind"], span["x"]))
    spans = [
        Span(b, e, tuple(sorted(read))) for (b, e), read in sorted(by_offsets.items()) if b < e
    ]
    started: set[Span] = set()
    blocks = []
    for tag, begin, end in digest_blocks(text, titles):
        inside = [s for s in spans if s.begin < end and s.end > begin]
        blocks.append(f"<{tag}>{marked(text, begin, end, inside, started)}</{tag}>")
    return Markup("\n".join(blocks))


def digest_blocks(text: str, titles: Counter[str]) -> list[tuple[str, int, int]]:
    """(tag, begin, end) of each line of `text`: "h2" for a section's title, "p" for the rest.
    An older issue's inline heading ("Human rights. Activists reported ...") becomes a
    heading of its own, and its paragraph starts after it and its full stop."""
    blocks = []
    for line in BLOCK_LINE.finditer(text):
        begin = line.start() + len(line.group()) - len(line.group().lstrip(BLANK))
        end = line.start() + len(line.group().rstrip(BLANK))
        if begin >= end:
            continue
        whole = text[begin:end]
        title = next(
            (
                t
                for t, n in titles.items()
                if t and n > 0 and (whole == t or whole.startswith((t + ".", t + ":")))
            ),
            None,
        )
        if title is None:
            blocks.append(("p", begin, end))
            continue
        titles[title] -= 1
        blocks.append(("h2", begin, begin + len(title)))
        rest = end - len(whole[len(title) :].lstrip(". :"))
        if rest < end:
            blocks.append(("p", rest, end))
    return blocks


def marked(text: str, begin: int, end: int, spans: list[Span], started: set[Span]) -> str:
    """text[begin:end] escaped, with `spans` (those reaching into it) as nested marks;
    `started` holds the spans whose first piece is already written, and gains those
    begun here."""
    cuts = sorted(
        {begin, end} | {max(s.begin, begin) for s in spans} | {min(s.end, end) for s in spans}
    )
    opening = sorted(spans, key=lambda s: (max(s.begin, begin), -s.end, s.items))
    pieces: list[str] = []
    stack: list[Span] = []
    for here, following in zip(cuts, cuts[1:], strict=False):
        ending = [i for i, s in enumerate(stack) if s.end <= here]
        if ending:  # close down to the first that ends; open again those that go on
            reopened = [s for s in stack[ending[0] :] if s.end > here]
            pieces.append("</mark>" * (len(stack) - ending[0]))
            del stack[ending[0] :]
            for span in reopened:
                pieces.append(f'<mark class="{span.classes}">')
                stack.append(span)
        while opening and max(opening[0].begin, begin) == here:
            span = opening.pop(0)
            pieces.append(open_mark(span, started))
            stack.append(span)
        pieces.append(str(escape(text[here:following])))
    pieces.append("</mark>" * len(stack))
    return "".join(pieces)


def open_mark(span: Span, started: set[Span]) -> str:
    """A span's <mark>: its first piece with the id and a marker linking to each item."""
    if span in started:
        return f'<mark class="{span.classes}">'
    started.add(span)
    markers = "".join(
        f'<a class="marker {kind}" href="{escape(ld.local_href(item) or item)}" '
        f'title="the {kind} read from these words" aria-label="{kind}">{MARKER_LETTER[kind]}</a>'
        for kind, item in span.items
    )
    return f'<mark class="{span.classes}" id="{span.anchor}">{markers}'
