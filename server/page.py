"""The query page at /: a form that works without JavaScript.

GET /?query=... runs the query and renders the answer as an HTML table on the
server (Jinja escapes every value). The small script in static/ only makes the
same form fetch /sparql instead of reloading the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template, request

from server.errors import QueryError
from server.formats import Wanted
from server.query import Dataset, run_query
from voxgraph.iris import BASE, PREFIXES

bp = Blueprint("page", __name__)

PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
PAGE_FORMATS = Wanted(accept="application/sparql-results+json, application/n-triples")

EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Publication dates of all digests",
        "SELECT ?digest ?date WHERE { ?digest a vox:Digest ; dcterms:date ?date } ORDER BY ?date",
    ),
    (
        "Sections of each digest in order",
        "SELECT ?date ?position ?title WHERE {\n"
        "  ?digest a vox:Digest ; dcterms:date ?date ; vox:section ?section .\n"
        "  ?section vox:position ?position ; dcterms:title ?title .\n"
        "} ORDER BY ?date ?position",
    ),
    (
        "Statements with speaker and quote",
        "SELECT ?date ?speaker ?name ?quote WHERE {\n"
        "  ?statement a vox:Statement ; vox:speaker ?speaker ; vox:quote ?quote ;\n"
        "    vox:reportedIn ?digest .\n"
        "  ?digest dcterms:date ?date .\n"
        "  OPTIONAL { ?speaker rdfs:label ?name }\n"
        "} ORDER BY ?date LIMIT 100",
    ),
    (
        "Actors by number of digests naming them",
        "SELECT ?actor (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?digest) AS ?digests) WHERE {\n"
        "  ?actor vox:mentionedIn ?digest .\n"
        "  OPTIONAL { ?actor rdfs:label ?label }\n"
        "} GROUP BY ?actor ORDER BY DESC(?digests) LIMIT 50",
    ),
    (
        "Events by type",
        "SELECT ?type (COUNT(?event) AS ?events) WHERE {\n"
        "  ?event a vox:Event , ?type .\n"
        "  FILTER(?type != vox:Event)\n"
        "} GROUP BY ?type ORDER BY DESC(?events)",
    ),
    (
        "Named graphs and their sizes",
        "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }\n"
        "GROUP BY ?graph ORDER BY ?graph",
    ),
)


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = "empty"  # iri, bnode, literal, triple or empty
    href: str | None = None
    title: str | None = None
    note: str | None = None  # a literal's language tag or datatype


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    total: int  # rows in the whole answer; more than len(rows) when cut


@bp.route("/")
def index() -> tuple[str, int]:
    query = request.args.get("query")
    table, boolean, error, status = None, None, None, 200
    if query:
        try:
            table, boolean = answer(query)
        except QueryError as refused:
            error, status = refused.message, refused.status
    examples = [(title, PROLOGUE + "\n" + text) for title, text in EXAMPLES]
    return render_template(
        "index.html",
        query=query if query is not None else examples[0][1],
        examples=[(title, "/?" + urlencode({"query": text})) for title, text in examples],
        table=table,
        boolean=boolean,
        error=error,
        prefixes=PREFIXES,
        base=BASE,
    ), status


def answer(query: str) -> tuple[Table | None, bool | None]:
    """Run `query` and turn its answer into a table (or, for ASK, a boolean)."""
    settings = current_app.config["VOXGRAPH_SETTINGS"]
    result = run_query(
        current_app.config["VOXGRAPH_STORE"], query, Dataset(), settings, PAGE_FORMATS
    )
    limit = settings.page_row_limit
    if result.kind == "graph":
        triples = list(ox.parse(result.body, ox.RdfFormat.N_TRIPLES))
        rows = [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in triples[:limit]]
        return Table(["subject", "predicate", "object"], rows, len(triples)), None
    parsed = ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return None, bool(parsed)
    columns = [variable.value for variable in parsed.variables]
    solutions = list(parsed)
    rows = [[cell(solution[name]) for name in columns] for solution in solutions[:limit]]
    return Table(columns, rows, len(solutions)), None


def cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        return Cell(short_iri(term.value), "iri", iri_link(term.value), term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}", "bnode")
    if isinstance(term, ox.Literal):
        if term.language:
            note = f"@{term.language}"
        else:
            datatype = term.datatype.value
            note = None if datatype.endswith("#string") else short_iri(datatype)
        return Cell(term.value, "literal", note=note)
    return Cell(str(term), "triple")


def short_iri(iri: str) -> str:
    """vox:Digest for https://w3id.org/voxgraph/ontology#Digest; other IRIs stay whole."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and all(c.isalnum() or c in "_-." for c in local):
            return f"{prefix}:{local}"
    return iri


def iri_link(iri: str) -> str | None:
    """Where a click on `iri` goes: this project's IRIs are described here, other web IRIs
    are followed, and anything else (javascript:, file:, urn:) is not a link."""
    if iri.startswith(BASE):
        return "/?" + urlencode({"query": f"DESCRIBE <{iri}>"})
    if iri.startswith(("http://", "https://")):
        return iri
    return None
