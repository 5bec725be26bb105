"""Run one read-only SPARQL query: every check, the evaluation, the serialization.

`run_query` is the single entry point (the endpoint and every page use it). The
checks run in the calling process; the evaluation (`evaluate`) runs in a worker
process of the app's pool when the app has one (a read-only store on disk, as
`voxgraph serve` opens), so that a query past the time limit can be stopped by
ending its process (see server/workers.py). Everything crossing to a worker is
a plain, picklable value.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from json.encoder import encode_basestring
from typing import IO

import pyoxigraph as ox
from flask import current_app, has_app_context

from voxgraph.iris import PREFIXES
from voxgraph.loader.store import AnswerTooLarge, RemoteAnswer, RemoteCut, RemoteTriples, Store
from voxgraph.loader.store.dumps import rdf_bytes
from voxgraph.server.errors import (
    READ_ONLY,
    BadQuery,
    Forbidden,
    MemoryExceeded,
    QueryError,
    QueryFailed,
    QueryTimeout,
    QueryTooLarge,
    RemoteServiceFailed,
)
from voxgraph.server.formats import GRAPH_FORMATS, RESULTS_FORMATS, ResultsFormat, Wanted, choose
from voxgraph.server.service_guard import (
    TOKEN_GAP,
    check_service_endpoints,
    decode_codepoint_escapes,
)
from voxgraph.server.settings import Settings

# Oxigraph parses and evaluates recursively; a query nested deeper than this
# could overflow a thread's stack and take the whole process down.
MAX_NESTING = 1_000
# ... and even below that, a long query (100,000 characters of BIND or UNION)
# needs far more stack than the usual 8 MiB: every thread that evaluates
# queries (waitress's, a worker's) gets this much. Only touched pages take memory.
THREAD_STACK_BYTES = 256 * 1024 * 1024
POOL_KEY = "voxgraph.workers"  # app.extensions[POOL_KEY]: the app's WorkerPool, if any
JSON_RESULTS = "application/sparql-results+json"
# An answer wanted as CSV, TSV or XML is written as SPARQL JSON first, up to this many
# times settings.max_result_bytes (JSON takes up to ~3 bytes for one of CSV).
JSON_PER_OTHER_BYTE = 4

# The project's prefixes, predeclared as the Wikidata Query Service does: written before
# the query on its first line (so error positions keep their line numbers), where a
# PREFIX of the query's own, coming later, wins.
PREDECLARED = "".join(f"PREFIX {prefix}: <{iri}> " for prefix, iri in PREFIXES.items())
_FIRST_LINE_POSITION = re.compile(r"\b1:(\d+)")
_BRACKET = re.compile(r"[{}()\[\]]")
_BASE = rf"BASE{TOKEN_GAP}<[^>]*>"
_PREFIX = rf"PREFIX{TOKEN_GAP}[^\s:]*:{TOKEN_GAP}<[^>]*>"
_PROLOGUE = rf"{TOKEN_GAP}(?:(?:{_BASE}|{_PREFIX}){TOKEN_GAP})*+"
_UPDATE_START = re.compile(
    rf"{_PROLOGUE}(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Dataset:
    """The protocol's default-graph-uri and named-graph-uri (empty: the whole store)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer. Its body is bytes, or, from a worker process, a file once it
    is larger than fits in one piece (see server/workers.py): read it with `content()`,
    or hand it to the HTTP server as a file."""

    body: bytes | IO[bytes]
    content_type: str
    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    truncated: bool = False  # rows were left out (settings.max_result_rows / _bytes)

    def content(self) -> bytes:
        """The whole body (closes its file, if it has one)."""
        if isinstance(self.body, bytes):
            return self.body
        try:
            return self.body.read()
        finally:
            self.body.close()


def looks_like_update(query: str) -> bool:
    """Whether `query` is SPARQL Update text (INSERT, LOAD, ... after the prologue).

    Only for a clear message: Store.query cannot run an update anyway.
    """
    return _UPDATE_START.match(decode_codepoint_escapes(query)) is not None


def run_query(
    store: Store,
    query: str,
    dataset: Dataset,
    settings: Settings,
    wanted: Wanted,
    base_iri: str | None = None,
) -> QueryAnswer:
    """Check `query`, evaluate it over `dataset` and serialize the answer as `wanted`.

    Relative IRIs in the query resolve against `base_iri` (the endpoint's URL, as
    the SPARQL 1.1 Protocol has it; a BASE in the query comes first); without one
    a relative IRI is a syntax error.

    In a request of an app with a worker pool the evaluation runs there, under
    `settings.timeout` and the concurrency limit; otherwise in this process.
    """
    endpoints = check_query(query, settings, base_iri)
    pool = current_app.extensions.get(POOL_KEY) if has_app_context() else None
    if pool is None or store.path is None:
        return evaluate(store, query, dataset, settings, wanted, endpoints, base_iri)
    return pool.run(str(store.path), query, dataset, settings, wanted, endpoints, base_iri)


def check_query(query: str, settings: Settings, base_iri: str | None = None) -> tuple[str, ...]:
    """Refuse what must never be evaluated; returns the (allowlisted) SERVICE endpoints."""
    if len(query) > settings.max_query_length:
        raise QueryTooLarge(f"the query is longer than {settings.max_query_length} characters")
    if looks_like_update(query):
        raise Forbidden(READ_ONLY)
    if _nesting_depth(query) > MAX_NESTING:
        raise BadQuery(f"the query nests brackets more than {MAX_NESTING} deep")
    try:  # parsed as it will be evaluated: after the predeclared prefixes
        return check_service_endpoints(PREDECLARED + query, settings.service_allowlist, base_iri)
    except BadQuery as refused:
        raise BadQuery(_unshifted(refused.message)) from None


def evaluate(
    store: Store,
    query: str,
    dataset: Dataset,
    settings: Settings,
    wanted: Wanted,
    endpoints: tuple[str, ...],
    base_iri: str | None = None,
) -> QueryAnswer:
    """Evaluate a checked query and serialize at most settings.max_result_rows of its answer."""
    engine_cut = ""  # why the store's engine cut its answer (loader/store/remote.py)
    try:
        result = store.query(
            PREDECLARED + query,
            default_graph=dataset.default_graphs,
            named_graphs=dataset.named_graphs,
            base_iri=base_iri,
        )
    except RemoteCut as cut:  # served, but marked as cut: never as a whole answer
        result, engine_cut = cut.result, str(cut)
    except AnswerTooLarge as error:  # a remote store's answer past max_answer_bytes
        raise MemoryExceeded(str(error)) from None
    except SyntaxError as error:
        raise BadQuery(f"malformed query: {_unshifted(str(error))}") from None
    except TimeoutError as error:  # a remote store (loader/store/remote.py) did not answer
        raise QueryTimeout(f"the query was stopped: {error}") from None
    except MemoryError:  # past the memory ceiling: the worker ends (server/workers.py)
        raise
    except Exception as error:  # whatever it is, only _failure's text reaches the client
        raise _failure(error, endpoints) from None
    if isinstance(result, RemoteAnswer):
        result.lenient = True  # a cut found at its end is told (_engine_cut), not raised
    try:
        if isinstance(result, ox.QueryBoolean):
            chosen = choose(RESULTS_FORMATS, wanted)
            out = io.BytesIO()
            result.serialize(out, chosen.oxigraph)
            return QueryAnswer(out.getvalue(), chosen.content_type, "results")
        # SELECT and CONSTRUCT evaluate lazily (and a remote store's answers are parsed
        # as they come) while their rows are read here.
        if isinstance(result, ox.QueryTriples | RemoteTriples):
            graph_format = choose(GRAPH_FORMATS, wanted)
            triples = list(islice(result, settings.max_result_rows + 1))
            kept = min(len(triples), settings.max_result_rows)
            body, kept, truncated = _fit(
                kept,
                len(triples) > kept,
                settings,
                lambda count: rdf_bytes(triples[:count], graph_format.oxigraph),
            )
            engine_cut = engine_cut or _engine_cut(result)
            marked = truncated or bool(engine_cut)
            return QueryAnswer(body, graph_format.content_type, "graph", marked)
        chosen = choose(RESULTS_FORMATS, wanted)
        names = [variable.value for variable in result.variables]
        if chosen.content_type.startswith(JSON_RESULTS):
            written = JsonRows.write(
                result, names, settings.max_result_rows, settings.max_result_bytes
            )
            kept, truncated = written.rows, written.truncated
            engine_cut = engine_cut or _engine_cut(result)
            note = f"the answer was cut to its first {kept} rows by the endpoint's limits"
            if engine_cut:
                note = f"the answer ({kept} rows) may be incomplete: {engine_cut}"
            body = written.document(note=note if truncated or engine_cut else None)
        else:  # written as JSON first (cut at any row), then by oxigraph as `chosen`
            cap = settings.max_result_bytes * JSON_PER_OTHER_BYTE
            written = JsonRows.write(result, names, settings.max_result_rows, cap)
            body, kept, truncated = _fit(
                written.rows,
                written.truncated,
                settings,
                lambda count: _converted(written.document(count), chosen),
            )
            engine_cut = engine_cut or _engine_cut(result)
        truncated = truncated or bool(engine_cut)
        return QueryAnswer(body, chosen.content_type, "results", truncated)
    except (QueryError, MemoryError):
        raise
    except AnswerTooLarge as error:
        raise MemoryExceeded(str(error)) from None
    except TimeoutError as error:  # a remote store stopped sending its answer in time
        raise QueryTimeout(f"the query was stopped: {error}") from None
    except Exception as error:
        raise _failure(error, endpoints) from None
    finally:
        # pyoxigraph's results must be dropped on the thread that made them, not by
        # a garbage collection elsewhere that finds them in a traceback's frame.
        del result


def _engine_cut(result: object) -> str:
    """Why a remote store's engine cut the answer, as far as it has been read ('' if not)."""
    return result.cut if isinstance(result, RemoteAnswer) else ""


def _fit(
    count: int, truncated: bool, settings: Settings, serialize: Callable[[int], bytes]
) -> tuple[bytes, int, bool]:
    """The first `count` rows serialized, cut further to settings.max_result_bytes; how many
    rows that is, and whether any were cut (`truncated`: some were already)."""
    body = serialize(count)
    while len(body) > settings.max_result_bytes and count:
        share = settings.max_result_bytes / len(body)
        count = min(count - 1, int(count * share * 0.95))
        truncated = True
        body = serialize(count)
    return body, count, truncated


def _converted(json_document: bytes, chosen: ResultsFormat) -> bytes:
    out = io.BytesIO()
    ox.parse_query_results(json_document, ox.QueryResultsFormat.JSON).serialize(
        out, chosen.oxigraph
    )
    return out.getvalue()


_JSON_FOOTER = b"]}}"
_TERMS_KEPT = 10_000  # distinct terms whose JSON text is kept for the rows that repeat them


@dataclass
class JsonRows:
    """A SELECT answer as SPARQL JSON, written row by row as the rows are read.

    Written as text, each distinct term once (IRIs repeat from row to row): about 2.5
    times as fast as building the document as dicts for json.dumps. Nothing but the
    text is kept (not the rows), and where each row ends, so that the document can be
    cut after any row.
    """

    text: io.BytesIO
    head_end: int
    ends: list[int]  # offset in `text` after each row
    truncated: bool  # rows were left out (the row or byte limit)

    @classmethod
    def write(
        cls, solutions: Iterable[ox.QuerySolution], names: list[str], max_rows: int, max_bytes: int
    ) -> JsonRows:
        """At most `max_rows` rows, and as many as fit a document of `max_bytes`."""
        keys = [_json_string(name) + ":" for name in names]
        head = ",".join(_json_string(name) for name in names)
        text = io.BytesIO()
        text.write(f'{{"head":{{"vars":[{head}]}},"results":{{"bindings":['.encode())
        written = cls(text, text.tell(), [], False)
        terms: dict = {}  # term -> its JSON text
        room = max_bytes - len(_JSON_FOOTER)
        for solution in solutions:
            if len(written.ends) == max_rows:
                written.truncated = True
                break
            cells = []
            for key, term in zip(keys, solution, strict=True):
                if term is not None:
                    value = terms.get(term)
                    if value is None:
                        if len(terms) == _TERMS_KEPT:
                            terms.clear()
                        value = terms[term] = _json_term(term)
                    cells.append(key + value)
            row = ("," if written.ends else "") + "{" + ",".join(cells) + "}"
            encoded = row.encode()
            if text.tell() + len(encoded) > room:
                written.truncated = True
                break
            text.write(encoded)
            written.ends.append(text.tell())
        return written

    @property
    def rows(self) -> int:
        return len(self.ends)

    def document(self, rows: int | None = None, note: str | None = None) -> bytes:
        """The document of all the rows written, or of the first `rows`, with a top-level
        "voxgraph" member saying that rows were left out if `note` is given."""
        rows = self.rows if rows is None else rows
        end = self.ends[rows - 1] if rows else self.head_end
        footer = _JSON_FOOTER
        if note is not None:
            member = json.dumps(
                {"truncated": True, "note": note}, ensure_ascii=False, separators=(",", ":")
            )
            footer = footer[:-1] + b',"voxgraph":' + member.encode() + b"}"
        with self.text.getbuffer() as text:
            return b"".join((text[:end], footer))  # one copy of the text


def _results_bytes(
    names: list[str], solutions: list[ox.QuerySolution], chosen: ResultsFormat
) -> bytes:
    """All of `solutions` as `chosen` (SPARQL JSON as JsonRows writes it)."""
    document = JsonRows.write(solutions, names, len(solutions), 2**62).document()
    if chosen.content_type.startswith(JSON_RESULTS):
        return document
    return _converted(document, chosen)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_json_string = encode_basestring  # json.dumps's own string writer (ensure_ascii=False)


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """One RDF term in the SPARQL 1.1 (and SPARQL-star) JSON results form, as JSON text."""
    if isinstance(term, ox.NamedNode):
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    if isinstance(term, ox.Literal):
        value = '{"type":"literal","value":' + _json_string(term.value)
        if term.language:
            return value + ',"xml:lang":' + _json_string(term.language) + "}"
        if term.datatype.value != _XSD_STRING:
            return value + ',"datatype":' + _json_string(term.datatype.value) + "}"
        return value + "}"
    parts = (
        f'"subject":{_json_term(term.subject)},"predicate":{_json_term(term.predicate)},'
        f'"object":{_json_term(term.object)}'
    )
    return '{"type":"triple","value":{' + parts + "}}"


def _failure(error: Exception, endpoints: tuple[str, ...]) -> Exception:
    """The error to show: never the text of a remote SERVICE's answer, which oxigraph echoes."""
    if endpoints:
        named = ", ".join(f"<{endpoint}>" for endpoint in endpoints)
        return RemoteServiceFailed(f"the remote SERVICE {named} failed")
    return QueryFailed(f"the query failed: {error}")


def _unshifted(message: str) -> str:
    """A parser's message with its positions on line 1 counted from the query's own start."""
    return _FIRST_LINE_POSITION.sub(
        lambda found: f"1:{max(1, int(found.group(1)) - len(PREDECLARED))}", message
    )


def _nesting_depth(query: str) -> int:
    """How deep brackets nest, counted over the whole text (strings too: a safe overestimate)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(query):
        if bracket.group() in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest
