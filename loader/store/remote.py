"""A store reached over HTTP: any SPARQL 1.1 server stands in for the embedded Oxigraph.

`RemoteStore` offers what the loader and the server use of `GraphStore`
(loader/store/oxigraph.py) and speaks standard protocols only:

- queries: the SPARQL 1.1 Protocol (POST application/sparql-query to the query
  URL; `default-graph-uri` / `named-graph-uri` for a chosen data set);
- replacing a digest's graph: one SPARQL 1.1 Update request,
  `DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }` (or, when a
  digest from another file must stay, the guarded form of
  loader.store.guarded_replace_update), POSTed to the update URL, which a
  server that runs each request in one transaction (Oxigraph, Virtuoso,
  GraphDB, Fuseki/TDB2, RDF4J) applies whole or not at all.

The server must make its default graph the union of the named graphs, as the
embedded store does (`oxigraph serve --union-default-graph`; Virtuoso and
GraphDB do by default; Fuseki: `tdb2:unionDefaultGraph true`). Time-outs are
HTTP time-outs: a query that takes longer raises `RemoteTimeout` (a
TimeoutError), which the endpoint answers with 504; the remote server should
have its own query time-out too, since the HTTP client cannot stop it.

The update URL defaults to the query URL, except that a query URL ending in
`/query` (Oxigraph's, Fuseki's) gets `/update` in its place.

A query's answer is parsed as it is read from the connection, so a caller that
wants the first rows reads only those (the endpoint reads at most its row limit
plus one), and no answer is held whole in memory; more than `max_answer_bytes`
read for one answer (a few giant values) raise AnswerTooLarge.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, cast

import pyoxigraph as ox
import requests
from rdflib import Graph
from rdflib.namespace import DCTERMS
from rdflib.term import URIRef

from voxgraph.loader.store import statistics, statistics_update
from voxgraph.loader.store.oxigraph import (
    Pattern,
    graph_as_ntriples,
    guarded_replace_update,
    other_source_absent,
)
from voxgraph.loader.store.statistics import Statistics

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
DEFAULT_TIMEOUT = 30.0
WRITE_ATTEMPTS = 5
UPDATE_TIMEOUT = 300.0
MAX_ANSWER_BYTES = 100_000_000  # read for one answer at most
READ_BYTES = 64 * 1024  # read from the connection at a time
ERROR_TEXT = 1_000  # characters of a refusal's body kept for the message


def replacement_update(name: URIRef, body: str, condition: str = "") -> str:
    """Graph `name` becomes `body` (N-Triples; "" empties it), if `condition` holds."""
    insert = (
        f" ;\nINSERT {{ GRAPH <{name}> {{\n{body}\n}} }} WHERE {{ {condition} }}" if body else ""
    )
    if not condition:
        data = f" ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}" if body else ""
        return f"DROP SILENT GRAPH <{name}>{data}"
    return (
        f"DELETE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} "
        f"WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} {condition} }}{insert}"
    )


class RemoteTimeout(TimeoutError):
    """The remote SPARQL server did not answer in time."""


class RemoteStoreError(RuntimeError):
    """The remote SPARQL server refused or failed a request."""


class AnswerTooLarge(RemoteStoreError):
    """More than `max_answer_bytes` were read for one answer."""


class RemoteTriples:
    """The triples of a CONSTRUCT or DESCRIBE answer, parsed as they are read."""

    def __init__(self, quads: Iterator[ox.Quad]) -> None:
        self._quads = quads

    def __iter__(self) -> Iterator[ox.Triple]:
        return (quad.triple for quad in self._quads)


class _AnswerReader(io.RawIOBase):
    """The body of a streamed response, as the parser asks for it: at most `limit` bytes.

    Closed (and the connection with it) when the parser that reads it is dropped.
    """

    def __init__(self, response: requests.Response, limit: int) -> None:
        super().__init__()
        self._response = response
        self._chunks = response.iter_content(READ_BYTES)
        self._pending = b""
        self._left = limit
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except requests.ConnectionError as error:  # requests reports a read time-out so
                url = self._response.url
                if "timed out" in str(error):
                    raise RemoteTimeout(f"{url} did not send its answer in time") from None
                raise RemoteStoreError(f"{url}: the answer broke off ({error})") from None
            self._left -= len(self._pending)
            if self._left < 0:
                raise AnswerTooLarge(
                    f"{self._response.url}: the answer is larger than {self._limit:,} bytes, "
                    "more than this server reads for one query"
                )
        target = memoryview(cast(bytearray, buffer)).cast("B")  # io hands a writable buffer
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._response.close()
        super().close()


def store_url(explicit: str | None = None) -> str | None:
    """--store-url, else $VOXGRAPH_STORE_URL, else None (the embedded store)."""
    return explicit or os.environ.get("VOXGRAPH_STORE_URL") or None


def default_update_url(query_url: str) -> str:
    if query_url.rstrip("/").endswith("/query"):
        return query_url.rstrip("/")[: -len("query")] + "update"
    return query_url


class RemoteStore:
    """A SPARQL 1.1 server seen as a set of named graphs (the interface of GraphStore)."""

    path = None  # no files here: no snapshots, no worker processes, no Last-Modified
    read_only = False

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ):
        self.url = query_url
        self.update_url = update_url or default_update_url(query_url)
        self.timeout = timeout
        self.session = session or requests.Session()
        self.max_answer_bytes = max_answer_bytes

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # -- writing ---------------------------------------------------------------

    def replace_graph(self, name: URIRef, graph: Graph | str) -> None:
        """Replace named graph `name` by `graph` (or its N-Triples text) in one SPARQL Update,
        with the statistics (loader/store/statistics.py) if the store keeps them."""
        body = graph if isinstance(graph, str) else graph_as_ntriples(graph)
        self._write(name, body, lambda condition: replacement_update(name, body, condition))

    def replace_unless_other_source(
        self, name: URIRef, graph: Graph | str, digest: URIRef, source: str
    ) -> str | None:
        """Replace graph `name` unless it holds a `digest` whose dcterms:source is another
        file than `source`: then nothing changes and that file's name is returned (None
        when the graph was replaced).

        Several loaders may write to one server, so the decision is part of the update
        itself (loader.store.guarded_replace_update); a look-up afterwards says which
        way it went.
        """
        body = graph if isinstance(graph, str) else graph_as_ntriples(graph)
        absent = other_source_absent(name, digest, source)
        self._write(
            name,
            body,
            lambda condition: guarded_replace_update(name, body, digest, source, condition),
            absent,
            lambda: self.value(name, digest, DCTERMS.source) not in (None, source),
        )
        stored = self.value(name, digest, DCTERMS.source)
        return stored if stored is not None and stored != source else None

    def remove_graph(self, name: URIRef) -> None:
        self._write(name, "", lambda condition: replacement_update(name, "", condition))

    def _write(
        self,
        name: URIRef,
        body: str,
        data: Callable[[str], str],
        condition: str = "",
        refused: Callable[[], bool] = lambda: False,
    ) -> None:
        """Run `data(guard)` (the data's operations) with the statistics' own, in one
        update. Other loaders may write to the server meanwhile, so every operation holds
        only while the statistics are as they were read (statistics_update.Change); if another
        writer came between, nothing was applied and it is done again, from a fresh read.
        `refused()` says the data's own condition kept it from applying (then the
        statistics did not change either, as they should not)."""
        for _ in range(WRITE_ATTEMPTS):
            change = statistics_update.replacement(self, str(name), body, condition)
            if change is None:
                self.update(data(""))
                return
            self.update(data(change.guard) + " ;\n" + change.operations)
            if statistics.record(self) == change.record or refused():
                return
        raise RemoteStoreError(
            f"{self.update_url}: the statistics changed under each of {WRITE_ATTEMPTS} "
            f"attempts to write <{name}> (other loaders writing?); nothing was written"
        )

    def statistics(self) -> Statistics | None:
        """The counts kept with the data (loader/store/statistics.py), or None if it keeps none."""
        return statistics.read(self)

    def recount_statistics(self) -> Statistics:
        """Count the statistics afresh (reads every quad) and keep them from now on."""
        self.update(statistics_update.recount_update(self, self.named_graphs()))
        counted = self.statistics()
        assert counted is not None
        return counted

    def update(self, sparql: str) -> None:
        response = self._post(self.update_url, sparql, SPARQL_UPDATE, {}, UPDATE_TIMEOUT)
        if response.status_code >= 300:
            raise RemoteStoreError(
                f"{self.update_url}: update refused ({response.status_code}): {response.text[:500]}"
            )

    def flush(self) -> None:
        """Nothing to do: the server commits each update."""

    # -- reading ---------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | RemoteTriples:
        """Run a query on the server; the answer as pyoxigraph's result objects (for
        CONSTRUCT and DESCRIBE, RemoteTriples), parsed as they are read.

        Relative IRIs resolve against `base_iri`, sent as a BASE before the query
        (the protocol has no parameter for it, and the server would otherwise use
        its own URL); a BASE in the query itself still comes after it and wins. It
        shares the query's first line, so the server's error positions keep their
        line numbers. A malformed query raises SyntaxError, as the embedded store does.
        """
        if base_iri:
            sparql = f"BASE {ox.NamedNode(base_iri)} {sparql}"
        params = [("default-graph-uri", g) for g in default_graph or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        response = self._post(
            self.url, sparql, SPARQL_QUERY, {"Accept": ACCEPT}, None, params, stream=True
        )
        if response.status_code != 200:
            with response:
                text = next(response.iter_content(ERROR_TEXT), b"").decode("utf-8", "replace")
            if response.status_code == 400:
                raise SyntaxError(text)
            raise RemoteStoreError(f"{self.url}: query failed ({response.status_code}): {text}")
        kind = response.headers.get("Content-Type", "").split(";")[0].strip()
        # pyoxigraph's parsers only call the reader's read(): it needs no more of a file
        body = cast(IO[bytes], _AnswerReader(response, self.max_answer_bytes))
        if kind == "application/sparql-results+json":
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        if kind == "application/sparql-results+xml":
            return ox.parse_query_results(body, ox.QueryResultsFormat.XML)
        rdf_format = ox.RdfFormat.from_media_type(kind)
        if rdf_format is None:
            body.close()
            raise RemoteStoreError(f"{self.url}: unexpected answer of type {kind!r}")
        return RemoteTriples(ox.parse(body, rdf_format))

    def select(self, sparql: str) -> ox.QuerySolutions:
        """The solutions of `sparql`, a SELECT query over the default graph (the union)."""
        answer = self.query(sparql)
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError(f"not a SELECT query: {sparql[:80]!r}")
        return answer

    def quads_for_pattern(
        self, subject=None, predicate=None, object=None, graph_name=None, *, limit=None
    ) -> Iterator[ox.Quad]:
        """Quads of the named graphs matching the pattern (None: any), like pyoxigraph's;
        at most `limit` of them (the server is asked for no more)."""
        s, p, o, g = (
            str(term) if term is not None else f"?{var}"
            for term, var in zip((subject, predicate, object, graph_name), "spog", strict=True)
        )
        # The bound terms written into the pattern (not joined from VALUES): the server
        # then looks them up in its indexes whatever its optimizer does with VALUES.
        query = f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        for row in self.select(query):
            yield ox.Quad(
                subject or row["s"],
                predicate or row["p"],
                object or row["o"],
                graph_name or row["g"],
            )

    def first_quads(
        self, patterns: Sequence[Pattern], *, outside: str | None = None
    ) -> list[ox.Quad | None]:
        """For each (subject, predicate, object, graph) pattern (None: any; graph: a named
        graph), its first quad not in graph `outside`, or None: one query, a LIMIT 1 each."""
        if not patterns:
            return []
        skip = f"FILTER(?g != <{outside}>)" if outside else ""
        parts = []
        for index, (subject, predicate, object_, graph) in enumerate(patterns):
            terms = " ".join(
                str(term) if term is not None else f"?{name}"
                for term, name in zip((subject, predicate, object_), "spo", strict=True)
            )
            where = f"GRAPH {graph if graph is not None else '?g'} {{ {terms} }}"
            chosen = f"{where} {skip} BIND({index} AS ?i)"
            parts.append(f"{{ SELECT ?s ?p ?o ?g ?i WHERE {{ {chosen} }} LIMIT 1 }}")
        found: list[ox.Quad | None] = [None] * len(patterns)
        for row in self.select("SELECT * WHERE {\n" + "\nUNION\n".join(parts) + "\n}"):
            index = int(row["i"].value)
            subject, predicate, object_, graph = patterns[index]
            found[index] = ox.Quad(
                subject or row["s"], predicate or row["p"], object_ or row["o"], graph or row["g"]
            )
        return found

    def named_graphs(self) -> list[str]:
        """The server's named graphs (`GRAPH ?g {}` lists them without reading their quads)."""
        rows = self.select("SELECT ?g WHERE { GRAPH ?g {} }")
        return sorted(row["g"].value for row in rows)

    def value(self, graph: URIRef, subject: URIRef, predicate: URIRef) -> str | None:
        for quad in self.quads_for_pattern(
            ox.NamedNode(str(subject)),
            ox.NamedNode(str(predicate)),
            None,
            ox.NamedNode(str(graph)),
            limit=1,
        ):
            return None if isinstance(quad.object, ox.Triple) else quad.object.value
        return None

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad (of one graph), in a stable order."""
        graph_node = ox.NamedNode(graph) if graph else None
        return iter(sorted(self.quads_for_pattern(None, None, None, graph_node), key=str))

    def publish_snapshot(self):
        raise ValueError("a remote store has no snapshots")

    # -- HTTP ------------------------------------------------------------------

    def _post(
        self,
        url: str,
        body: str,
        content_type: str,
        headers: dict[str, str],
        timeout: float | None,
        params: list[tuple[str, str]] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        try:
            return self.session.post(
                url,
                params=params or None,
                data=body.encode("utf-8"),
                headers={"Content-Type": f"{content_type}; charset=utf-8", **headers},
                timeout=timeout or self.timeout,
                stream=stream,
            )
        except requests.Timeout:
            raise RemoteTimeout(
                f"{url} did not answer within {timeout or self.timeout:g} s"
            ) from None
        except requests.ConnectionError as error:
            raise RemoteStoreError(f"{url}: cannot connect ({error})") from None
