"""The SPARQL 1.1 Protocol side of the remote store (loader/store/remote.py): where a
server's update and Graph Store URLs are, credentials from the environment, a query's
form and data set, the text of the updates it is sent, a graph PUT by the Graph Store
Protocol, the errors a request raises, and terms in canonical form.

Settings from the environment besides the URL and the credentials:
$VOXGRAPH_STORE_UPDATE_URL (default: the query URL, or `.../update` for one ending in
`/query`), $VOXGRAPH_GRAPH_STORE_URL (`none`: use SPARQL Update only) and
$VOXGRAPH_STORE_QUERY_PARAMS (extra protocol parameters sent with every query,
URL-encoded, e.g. `timeout=25000` for Virtuoso's anytime queries).
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import requests

from voxgraph.iris import GRAPH

OWN_GRAPHS = str(GRAPH)  # the project's graphs are named under this IRI


NO_GRAPH = OWN_GRAPHS + "none"  # names an empty data set (a protocol data set cannot be empty)


FORM = "application/x-www-form-urlencoded"


N_TRIPLES = "application/n-triples"


RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"


GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"


DEFAULT_TIMEOUT = 30.0


UPDATE_CHUNK = 500  # triples per INSERT DATA operation
# Changed triples per update request of a patch (loader/store/consolidate.py): Virtuoso 7.2
# refuses one request of ~12,800 triples in 26 operations (SQ199, "Maximum size (32767) of
# a code vector exceeded"); requests of this size pass.
UPDATE_REQUEST_TRIPLES = 2_500


XSD = "http://www.w3.org/2001/XMLSchema#"


INTEGERS = {
    XSD + name
    for name in [
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}


def store_url(explicit: str | None = None) -> str | None:
    """--store-url, else $VOXGRAPH_STORE_URL, else None (the embedded store)."""
    return explicit or os.environ.get("VOXGRAPH_STORE_URL") or None


def default_update_url(query_url: str) -> str:
    if query_url.rstrip("/").endswith("/query"):
        return query_url.rstrip("/")[: -len("query")] + "update"
    return query_url


def default_graph_store_url(query_url: str) -> str:
    """Where servers put their Graph Store Protocol, next to the query URL.

    Oxigraph: /query -> /store; Virtuoso: /sparql -> /sparql-graph-crud and
    /sparql-auth -> /sparql-graph-crud-auth; otherwise the query URL itself (Fuseki's
    data set URL takes queries and graph requests alike).
    """
    base = query_url.rstrip("/")
    if base.endswith("/query"):
        return base[: -len("query")] + "store"
    if base.endswith("/sparql"):
        return base + "-graph-crud"
    if base.endswith("/sparql-auth"):
        return base[: -len("auth")] + "graph-crud-auth"
    return query_url


def auth_from_environment() -> requests.auth.AuthBase | None:
    """Credentials for the store: $VOXGRAPH_STORE_USER, $VOXGRAPH_STORE_PASSWORD and
    $VOXGRAPH_STORE_AUTH (basic or digest)."""
    user = os.environ.get("VOXGRAPH_STORE_USER")
    if not user:
        return None
    password = os.environ.get("VOXGRAPH_STORE_PASSWORD", "")
    scheme = os.environ.get("VOXGRAPH_STORE_AUTH", "basic").lower()
    if scheme == "digest":
        return requests.auth.HTTPDigestAuth(user, password)
    if scheme == "basic":
        return requests.auth.HTTPBasicAuth(user, password)
    raise ValueError(f"VOXGRAPH_STORE_AUTH must be basic or digest, not {scheme!r}")


_PROLOGUE = re.compile(
    r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE
)


_FORM = re.compile(r"SELECT|ASK|CONSTRUCT|DESCRIBE", re.IGNORECASE)


_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE (what the query starts with after its prologue)."""
    prologue = _PROLOGUE.match(sparql)  # matches always: it may be empty
    found = _FORM.match(sparql, prologue.end() if prologue else 0)
    return found.group().upper() if found else "SELECT"


def query_dataset(sparql: str) -> tuple[list[str], list[str]] | None:
    """The query's own FROM and FROM NAMED graphs, or None if it names none."""
    if not _FROM.search(sparql):
        return None
    from rdflib.plugins.sparql import prepareQuery

    try:
        clauses = prepareQuery(sparql).algebra.get("datasetClause") or []
    except Exception:  # rdflib cannot parse it: the server will say what is wrong
        return None
    default = [str(dict.get(c, "default")) for c in clauses if dict.get(c, "default")]
    named = [str(dict.get(c, "named")) for c in clauses if dict.get(c, "named")]
    return (default, named) if default or named else None


_DATASET_CLAUSE = re.compile(
    r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*)"""
    r"|\bFROM\s+(?:NAMED\s+)?(?:<[^>]*>|[\w.-]*:[\w.-]*)",
    re.IGNORECASE,
)


def without_dataset(sparql: str) -> str:
    """The query without its FROM and FROM NAMED clauses (strings, IRIs, comments kept):
    Virtuoso lets them win over the protocol's data set, which the standard says not to."""
    return _DATASET_CLAUSE.sub(lambda found: found.group(1) or " ", sparql)


def canonical(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term's text with its literal value in canonical form: engines write the same
    value differently ("007"^^xsd:integer as "7", "true"^^xsd:boolean as "1" in
    Virtuoso's JSON, any xsd:integer-derived type as xsd:integer in Oxigraph)."""
    if not isinstance(term, ox.Literal) or term.language:
        return str(term)
    kind, text = term.datatype.value, term.value.strip()
    try:
        if kind in INTEGERS:  # Oxigraph keeps "1"^^xsd:nonNegativeInteger as xsd:integer
            kind, text = XSD + "integer", str(int(text))
        elif kind == XSD + "decimal":
            text = format(Decimal(text).normalize(), "f")
        elif kind in (XSD + "double", XSD + "float"):
            text = repr(float(text))
        elif kind == XSD + "boolean":
            text = {"1": "true", "0": "false"}.get(text, text)
    except (InvalidOperation, ValueError):
        pass
    return f"{text!r}^^<{kind}>"


def update_text(name: str, body: str) -> str:
    """DROP the graph, then INSERT DATA its triples UPDATE_CHUNK at a time: one request."""
    lines = [line for line in body.splitlines() if line.strip()]
    operations = [f"DROP SILENT GRAPH <{name}>"]
    for start in range(0, len(lines), UPDATE_CHUNK):
        chunk = "\n".join(lines[start : start + UPDATE_CHUNK])
        operations.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{chunk}\n}} }}")
    return " ;\n".join(operations)


def quad_pattern(subject, predicate, object_, graph, prefix: str) -> str:
    """A SPARQL pattern of one quad, its bound terms written in (None: a variable, ?s
    ?p ?o ?g); an unbound graph is one of the project's (named under `prefix`)."""
    s, p, o = (
        str(term) if term is not None else f"?{name}"
        for term, name in zip((subject, predicate, object_), "spo", strict=True)
    )
    if graph is not None:
        return f"GRAPH {graph} {{ {s} {p} {o} }}"
    return f'GRAPH ?g {{ {s} {p} {o} }} FILTER(STRSTARTS(STR(?g), "{prefix}"))'


def projection(subject, predicate, object_, graph, *more: str) -> str:
    """The variables of quad_pattern's pattern (an engine may refuse to project a
    variable its pattern does not bind), or a constant when it has none."""
    terms = (subject, predicate, object_, graph)
    names = [f"?{n}" for t, n in zip(terms, "spog", strict=True) if t is None] + list(more)
    return " ".join(names) or "(1 AS ?found)"


PAGE_ROWS = 5_000  # rows asked for at once when a whole graph is read (under row caps)


def graph_count(name: str) -> str:
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"


def graph_pages(name: str, count: int, page: int = PAGE_ROWS) -> list[str]:
    """The SELECTs (?s ?p ?o) that read graph `name` of `count` triples, `page` at a time:
    one when it fits, else pages of one order. The order is a subquery's, LIMIT and OFFSET
    outside it: Virtuoso 7.2 refuses an ORDER BY whose OFFSET + LIMIT passes 10,000 (SR353,
    its MaxSortedTopRows) but pages a sorted subquery."""
    pattern = f"GRAPH <{name}> {{ ?s ?p ?o }}"
    if count <= page:
        return [f"SELECT ?s ?p ?o WHERE {{ {pattern} }}"]
    ordered = f"{{ SELECT ?s ?p ?o WHERE {{ {pattern} }} ORDER BY ?s ?p ?o }}"
    return [
        f"SELECT ?s ?p ?o WHERE {{ {ordered} }} LIMIT {page} OFFSET {start}"
        for start in range(0, count, page)
    ]


def triple_key(triple: ox.Triple) -> tuple[str, str, str]:
    term = triple.object
    return (
        str(triple.subject),
        str(triple.predicate),
        str(term) if isinstance(term, ox.Triple) else canonical(term),
    )


def duration_filter(term: ox.NamedNode | ox.BlankNode | ox.Literal, variable: str) -> str | None:
    """A filter that finds `term` as `variable` where the engine cannot look it up as
    written, else None: Virtuoso 7.2 keeps an xsd:duration as a number (README,
    Beyond one machine), which no pattern with the literal finds (nor `=`, which it
    answers with the constant itself), but its STR() does: "2592000" for the
    "2.592e+06" its JSON writes."""
    if not isinstance(term, ox.Literal) or term.datatype.value != XSD + "duration":
        return None
    try:
        number = float(term.value)
    except ValueError:  # a duration as written ("P30D"): the engine kept it
        return None
    text = str(int(number)) if number.is_integer() else repr(number)
    return (
        f"FILTER(isLiteral({variable}) && DATATYPE({variable}) = <{XSD}duration> "
        f'&& STR({variable}) = "{text}")'
    )


UPDATE_TIMEOUT = 300.0
ERROR_TEXT = 1_000  # characters of a refusal's body kept for the message


class RemoteStoreError(RuntimeError):
    """The remote SPARQL server refused or failed a request."""


class RemoteTimeout(TimeoutError):
    """The remote SPARQL server did not answer in time, or refused a query as too costly."""


class AnswerTooLarge(RemoteStoreError):
    """More than `max_answer_bytes` were read for one answer."""


def excerpt(text: str) -> str:
    return " ".join(text.split())[:500]


def put_graph(session: requests.Session, url: str, name: str, body: str) -> bool:
    """PUT graph `name` (N-Triples `body`) by the Graph Store Protocol at `url`; False if
    the server has none there."""
    try:
        response = session.put(
            url,
            params={"graph": name},
            data=body.encode("utf-8"),
            headers={"Content-Type": f"{N_TRIPLES}; charset=utf-8"},
            timeout=UPDATE_TIMEOUT,
        )
    except requests.Timeout:
        raise RemoteTimeout(f"{url} did not answer within {UPDATE_TIMEOUT:g} s") from None
    except requests.ConnectionError as error:
        raise RemoteStoreError(f"{url}: cannot connect ({error})") from None
    if response.status_code in (404, 405, 501):  # no Graph Store Protocol here
        return False
    if response.status_code >= 300:
        raise RemoteStoreError(
            f"{url}: PUT of <{name}> refused ({response.status_code}): {excerpt(response.text)}"
        )
    return True
