"""The query page at /: the YASGUI editor when it is bundled, a form that works without it.

GET /?query=... runs the query and renders the answer as an HTML table on the
server (Jinja escapes every value), so the page works with JavaScript off.
static/editor.js mounts YASGUI over the form when `make serve` has bundled it
into static/vendor/; otherwise static/query.js makes the form fetch /sparql.
The example queries come from the library in queries/ (server/examples.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template, request, url_for

from voxgraph.iris import BASE, PREFIXES
from voxgraph.loader.store import Store
from voxgraph.server.errors import QueryError
from voxgraph.server.examples import load_examples
from voxgraph.server.formats import Wanted
from voxgraph.server.linked_data import local_href, short_iri
from voxgraph.server.query import Dataset, run_query

bp = Blueprint("page", __name__)

XSD = PREFIXES["xsd"]
VOX = PREFIXES["vox"]

PAGE_FORMATS = Wanted(accept="application/sparql-results+json, application/n-triples")
EDITOR = Path(__file__).parent / "static" / "vendor" / "yasgui.min.js"


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = "empty"  # iri, bnode, literal, triple or empty
    href: str | None = None
    title: str | None = None
    note: str | None = None  # a literal's language tag or datatype (shown in the RDF view)
    plain: str | None = None  # a literal as a reader would write it (shown by default)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    total: int  # rows in the answer; more than len(rows) when not all are shown
    more: bool = False  # the answer had more rows than `total` (the page asked for no more)


@bp.route("/")
def index() -> tuple[str, int]:
    query = request.args.get("query")
    table, boolean, error, status = None, None, None, 200
    if query:
        try:
            table, boolean = answer(query)
        except QueryError as refused:
            error, status = refused.message, refused.status
    examples = load_examples()
    return render_template(
        "index.html",
        overview=overview(current_app.config["VOXGRAPH_STORE"]),
        arrests_query="/?" + urlencode({"query": ARRESTS_IN_A_MONTH}),
        query=query if query is not None else examples[0].body,
        examples=[(e, "/?" + urlencode({"query": e.body})) for e in examples],
        downloads={
            name: "/sparql?" + urlencode({"query": query, "format": name})
            for name in ("csv", "json")
        }
        if query
        else {},
        table=table,
        raw=request.args.get("view") == "rdf",
        views={
            "plain": "/?" + urlencode({"query": query or ""}),
            "rdf": "/?" + urlencode({"query": query or "", "view": "rdf"}),
        },
        boolean=boolean,
        error=error,
        prefixes=PREFIXES,
        base=BASE,
        editor=EDITOR.exists(),
    ), status


OVERVIEW = {  # what the home page counts, from the loader's statistics: name -> class
    "digests": "Digest",
    "people": "Person",
    "organisations": "Organization",
    "statements": "Statement",
    "events": "Event",
    "arrests": "Arrest",
    "sentences": "Sentencing",
    "court decisions": "CourtDecision",
    "protests": "Protest",
}
# The home page's "arrests in a month" link: who, when, and the words it was read from.
ARRESTS_IN_A_MONTH = """\
# Arrests in September 2023: change the two dates for another month
SELECT DISTINCT ?date ?person ?words ?event WHERE {
  ?event a vox:Arrest ; vox:reportedIn/dcterms:date ?reported ;
         vox:evidence/nif:anchorOf ?words .
  OPTIONAL { ?event vox:date ?happened }
  BIND(COALESCE(?happened, ?reported) AS ?date)
  FILTER(?date >= "2023-09-01"^^xsd:date && ?date < "2023-10-01"^^xsd:date)
  OPTIONAL { ?event vox:affected ?who . ?who a vox:Person ; rdfs:label ?person }
} ORDER BY ?date ?person
"""


def overview(store: Store) -> dict[str, int] | None:
    """How many digests, people, events ... the graph holds (None: no statistics kept)."""
    statistics = store.statistics()
    if statistics is None:
        return None
    return {name: statistics.classes.get(VOX + kind, 0) for name, kind in OVERVIEW.items()}


def answer(query: str) -> tuple[Table | None, bool | None]:
    """Run `query` and turn its answer into a table (or, for ASK, a boolean).

    The page shows settings.page_row_limit rows and asks for no more (an answer cut
    there says so), not for the whole answer, which could be 50 MB to parse here.
    """
    settings = current_app.config["VOXGRAPH_SETTINGS"]
    limit = settings.page_row_limit
    result = run_query(
        current_app.config["VOXGRAPH_STORE"],
        query,
        Dataset(),
        replace(settings, max_result_rows=min(limit, settings.max_result_rows)),
        PAGE_FORMATS,
        base_iri=url_for("sparql.sparql", _external=True),  # as its download links at /sparql
    )
    if result.kind == "graph":
        triples = list(ox.parse(result.content(), ox.RdfFormat.N_TRIPLES))
        rows = [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in triples[:limit]]
        columns = ["subject", "predicate", "object"]
        return Table(columns, rows, len(triples), result.truncated), None
    parsed = ox.parse_query_results(result.content(), ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return None, bool(parsed)
    try:
        columns = [variable.value for variable in parsed.variables]
        solutions = list(parsed)
    finally:
        del parsed  # pyoxigraph's results must be dropped on the thread that made them
    rows = [[cell(solution[name]) for name in columns] for solution in solutions[:limit]]
    return Table(columns, rows, len(solutions), result.truncated), None


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        return Cell(short_iri(term.value), "iri", iri_link(term.value), term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", "bnode")
    if isinstance(term, ox.Literal):
        note: str | None
        if term.language:
            note = f"@{term.language}"
        else:
            datatype = term.datatype.value
            note = None if datatype.endswith("#string") else short_iri(datatype)
        return Cell(term.value, "literal", note=note, plain=plain_text(term))
    return Cell(str(term), "triple")


_DURATION = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
_DURATIONS = {XSD + name for name in ("duration", "dayTimeDuration", "yearMonthDuration")}


def plain_text(literal: ox.Literal) -> str:
    """`literal` as a reader would write it: its value without language tag or datatype,
    a duration in words ("P30D": "30 days"), a dateTime with a space for its T.
    (static/plain.js does the same for the tables drawn in the browser.)"""
    datatype = literal.datatype.value
    if datatype in _DURATIONS and (parts := _DURATION.fullmatch(literal.value)):
        words = [
            f"{amount} {unit}{'' if float(amount) == 1 else 's'}"
            for unit, amount in zip(_UNITS, parts.groups()[1:], strict=True)
            if amount is not None
        ]
        if words:
            return ("minus " if parts.group(1) else "") + " ".join(words)
    if datatype == XSD + "dateTime":
        return literal.value.replace("T", " ", 1)
    return literal.value


def iri_link(iri: str) -> str | None:
    """Where a click on `iri` goes: this project's IRIs to their pages here, other web IRIs
    are followed, and anything else (javascript:, file:, urn:) is not a link."""
    if iri.startswith(BASE):
        return local_href(iri) or "/?" + urlencode({"query": f"DESCRIBE <{iri}>"})
    if iri.startswith(("http://", "https://")):
        return iri
    return None
