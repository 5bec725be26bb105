"""A store reached over HTTP: any SPARQL 1.1 server stands in for the embedded Oxigraph.

`RemoteStore` offers what the loader and the server use of `GraphStore`
(loader/store/oxigraph.py), relies only on what the standards promise, and checks what it gets:

- queries: the SPARQL 1.1 Protocol, by form-encoded POST (`query=`; every server must
  take it, and Virtuoso 7.2 never answers a direct `application/sparql-query` POST),
  with `Accept` chosen by the query form: SPARQL results for SELECT and ASK, RDF
  (N-Triples) for CONSTRUCT and DESCRIBE;
- replacing a graph: a `PUT` of the graph by the SPARQL 1.1 Graph Store HTTP Protocol
  where the server has one (found next to the query URL, or named by
  $VOXGRAPH_GRAPH_STORE_URL), else one SPARQL Update request of bounded operations
  (`DROP SILENT GRAPH <g> ; INSERT DATA {...} ; INSERT DATA {...}`, at most
  UPDATE_CHUNK triples each: Virtuoso refuses one operation of more than ~1,000).
  Every graph written is read back and compared with what was sent: a triple lost is
  an error (that digest fails, named), a literal the engine changed is a warning for
  that digest (Virtuoso 7.2 stores xsd:duration as a number of seconds), a literal
  merely written in its canonical form ("007" -> "7") is no difference at all;
- the statistics (loader/store/statistics.py), where the store keeps them, follow each graph
  written in a second request, computed from the graph's triples before and as read
  back (so in the engine's own literal forms, as a recount reads them), guarded
  against another writer's change in between;
- only the project's own graphs (IRIs under https://w3id.org/voxgraph/graph/) are
  read or listed. A server that holds other graphs too (Virtuoso's five system
  graphs, another application's data) is detected once, and every query is then
  asked over an explicit data set, the project's graphs (`default-graph-uri` and
  `named-graph-uri`; a query's own FROM / FROM NAMED keep only the project's graphs);
- an answer the engine cut is never taken for a whole one: a partial answer
  (`X-SQL-State`), a SELECT cut at the row cap (`X-SPARQL-MaxRows`), a CONSTRUCT or
  DESCRIBE answer as long as the cap (asked once) raise `RemoteCut`, which carries the
  answer: the endpoint serves it marked as cut, everything else refuses it. A whole
  graph is read in pages under the cap, and counted;
- credentials from the environment: $VOXGRAPH_STORE_USER and $VOXGRAPH_STORE_PASSWORD,
  sent as $VOXGRAPH_STORE_AUTH = `basic` (the default) or `digest` (Virtuoso's
  `/sparql-auth`).

The server's default graph must be the union of its named graphs, as the embedded
store's is (`oxigraph serve --union-default-graph`; Virtuoso and GraphDB do by
default; Fuseki: `tdb2:unionDefaultGraph true`) — or it holds other graphs too, and
then every query names the data set anyway. A query past the HTTP time-out, or refused
by the engine's cost estimate, raises `RemoteTimeout` (a TimeoutError: 504 from the web
layer); the engine should have its own time-out, which the client cannot impose.
Protocol details: remote_protocol.py; answers and their checks: remote_answers.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, cast
from urllib.parse import parse_qsl

import pyoxigraph as ox
import requests
from rdflib import Graph
from rdflib.namespace import DCTERMS
from rdflib.term import URIRef

from voxgraph.loader.store import statistics, statistics_update
from voxgraph.loader.store.oxigraph import Pattern, graph_as_ntriples
from voxgraph.loader.store.remote_answers import (
    MAX_ANSWER_BYTES,
    RESULTS_FORMATS,
    AnswerReader,
    RemoteAnswer,
    RemoteCut,
    RemoteSolutions,
    RemoteTriples,
    ask_answer,
    partial_state,
    stored_changes,
)
from voxgraph.loader.store.remote_protocol import (
    DEFAULT_TIMEOUT,
    ERROR_TEXT,
    FORM,
    GRAPH_ACCEPT,
    NO_GRAPH,
    OWN_GRAPHS,
    PAGE_ROWS,
    RESULTS_ACCEPT,
    UPDATE_REQUEST_TRIPLES,
    UPDATE_TIMEOUT,
    RemoteStoreError,
    RemoteTimeout,
    auth_from_environment,
    default_graph_store_url,
    default_update_url,
    duration_filter,
    excerpt,
    graph_count,
    graph_pages,
    projection,
    put_graph,
    quad_pattern,
    query_dataset,
    query_form,
    update_text,
    without_dataset,
)
from voxgraph.loader.store.statistics import Statistics

WRITE_ATTEMPTS = 5
OWN_GRAPHS_TTL = 5.0  # seconds the list of the project's graphs is reused
SHARED_TTL = 300.0  # seconds before looking again for graphs that are not the project's
PROBE_FROM = 1_000  # a CONSTRUCT or DESCRIBE answer this long makes us ask about row caps


class RemoteStore:
    """A SPARQL 1.1 server seen as a set of named graphs (the interface of GraphStore)."""

    path = None  # no files here: no snapshots, no worker processes, no Last-Modified
    read_only = False
    # Virtuoso 7.2 never matches a plain literal of a VALUES block of several rows:
    # loader/store/statistics.py asks about literals one at a time here.
    values_of_literals = False
    update_triples: int | None = UPDATE_REQUEST_TRIPLES  # a patch goes in requests this big

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        graph_store_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        auth: requests.auth.AuthBase | None = None,
        query_params: dict[str, str] | None = None,
        graph_prefix: str = OWN_GRAPHS,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ):
        self.url = query_url
        self.graph_prefix = graph_prefix  # the graphs named so are the project's ("": all)
        self.update_url = (
            update_url
            or os.environ.get("VOXGRAPH_STORE_UPDATE_URL")
            or default_update_url(query_url)
        )
        chosen = graph_store_url or os.environ.get("VOXGRAPH_GRAPH_STORE_URL")
        if chosen == "none":
            self.graph_store_url: str | None = None
        else:
            self.graph_store_url = chosen or default_graph_store_url(query_url)
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.auth = auth or auth_from_environment()
        if query_params is None:
            query_params = dict(parse_qsl(os.environ.get("VOXGRAPH_STORE_QUERY_PARAMS", "")))
        self.query_params = query_params
        self.notes: list[str] = []  # warnings of the last writes (take_notes)
        self.row_cap: int | None = None  # rows the engine returns at most, once known
        self._whole_up_to = 0  # the engine returned this many rows when asked for them
        self._lock = threading.Lock()
        self._own: tuple[float, list[str]] = (0.0, [])
        self._shared: tuple[float, bool] = (0.0, False)
        self.max_answer_bytes = max_answer_bytes

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # -- writing ---------------------------------------------------------------

    def replace_graph(self, name: URIRef, graph: Graph | str) -> list[str]:
        """Replace named graph `name` by `graph` (or its N-Triples text), then read it back;
        the statistics (loader/store/statistics.py) brought up to date if the store keeps them.

        Returns warnings: literals the engine stored changed. Raises RemoteStoreError if
        the graph could not be written, or was not stored whole.
        """
        body = graph if isinstance(graph, str) else graph_as_ntriples(graph)
        return self._write(str(name), body)

    def replace_unless_other_source(
        self, name: URIRef, graph: Graph | str, digest: URIRef, source: str
    ) -> str | None:
        """Replace graph `name` unless it holds a `digest` whose dcterms:source is another
        file than `source`: then nothing changes and that file's name is returned (None
        when the graph was replaced; its warnings, if any, in `notes`).

        Looked up, then written by replace_graph (a Graph Store PUT has no condition):
        two loaders writing the same digest from two files at the same moment could
        both pass the look-up; the embedded store decides in the update itself.
        """
        stored = self.value(name, digest, DCTERMS.source)
        if stored is not None and stored != source:
            return stored
        self.notes.extend(self.replace_graph(name, graph))
        return None

    literal_filter = staticmethod(duration_filter)

    def take_notes(self) -> list[str]:
        """The warnings of replace_unless_other_source since the last call."""
        notes, self.notes = self.notes, []
        return notes

    def holds(self, name: URIRef, graph: Graph | str) -> bool:
        """Whether graph `name` holds `graph` already (as this engine stores it)."""
        body = graph if isinstance(graph, str) else graph_as_ntriples(graph)
        try:
            stored = self._graph_triples(str(name))
            return not stored_changes(str(name), body, stored, strict=False, same_only=True)
        except RemoteStoreError:
            return False

    def remove_graph(self, name: URIRef) -> None:
        self._write(str(name), "")

    def _write(self, name: str, body: str) -> list[str]:
        """Graph `name` becomes `body` (N-Triples; "" removes it): a Graph Store PUT, else
        one SPARQL Update of bounded operations; read back and compared; then the
        statistics, if the store keeps them, from the graph's triples before and as the
        engine stored them (its own literal forms, which a later recount reads too).

        Not one transaction, as on the embedded store: a PUT cannot carry the statistics'
        update. So the statistics follow the data in a second request, guarded as in
        loader/store/statistics.py (they apply only if no other writer changed them since they
        were read, else they are computed again); a loader stopped between the two
        leaves them behind the data until a recount (README, Beyond one machine)."""
        self._own = (0.0, [])  # the list of graphs may change
        keeps = statistics.record(self) is not None and name != statistics.STATISTICS_GRAPH
        before = self._graph_triples(name) if keeps else []
        notes: list[str] = []
        stored: list[ox.Triple] = []
        if not body:
            self.update(f"DROP SILENT GRAPH <{name}>")
        else:
            if self.graph_store_url is None or not put_graph(
                self.session, self.graph_store_url, name, body
            ):
                self.graph_store_url = None
                self.update(update_text(name, body))
            stored = self._graph_triples(name)
            notes = stored_changes(name, body, stored, strict=True)
        if keeps:
            self._keep_statistics(name, before, stored)
        return notes

    def _keep_statistics(self, name: str, before: list[ox.Triple], after: list[ox.Triple]) -> None:
        """Bring the statistics up to date after graph `name` went from `before` to `after`.
        Another writer may change them between the read and the update: then the update
        applies nothing and is computed again; after WRITE_ATTEMPTS, they are recounted."""
        for _ in range(WRITE_ATTEMPTS):
            change = statistics_update.replacement(
                self, name, "", old=before, new=after, after_write=True
            )
            if change is None:
                return
            self.update(change.operations)
            if statistics.record(self) == change.record:
                return
        self.recount_statistics()

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
        """Run a SPARQL Update request (form-encoded `update=`)."""
        self._own = (0.0, [])
        response = self._send("POST", self.update_url, [("update", sparql)], {}, UPDATE_TIMEOUT)
        if response.status_code >= 300:
            raise RemoteStoreError(
                f"{self.update_url}: update refused ({response.status_code}): "
                f"{excerpt(response.text)}"
            )

    def flush(self) -> None:
        """Nothing to do: the server commits each request."""

    def _graph_triples(self, name: str) -> list[ox.Triple]:
        """The triples of graph `name` as the engine stores them, read in pages under its
        row cap (graph_pages; in smaller ones if a page was cut, the cap then known) and
        counted: a read the engine cut or reordered raises."""
        count = int(next(iter(self._select(graph_count(name))))["n"].value)
        while True:
            page = min(PAGE_ROWS, (self.row_cap or PAGE_ROWS + 1) - 1)  # one under the cap
            pages = graph_pages(name, count, page)
            try:
                triples = [
                    ox.Triple(r["s"], r["p"], r["o"]) for q in pages for r in self._select(q)
                ]
                break
            except RemoteCut:
                if (self.row_cap or page) >= page:
                    raise
        if len(triples) != count or len(set(triples)) != count:
            raise RemoteStoreError(
                f"graph <{name}>: {len(set(triples))} of its {count} triples read "
                f"in {len(pages)} pages (the store cut or reordered its answers)"
            )
        return triples

    # -- reading ---------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QueryBoolean | RemoteSolutions | RemoteTriples:
        """Run a query over the project's graphs; the answer as pyoxigraph's QueryBoolean,
        or as RemoteSolutions or RemoteTriples, parsed as they are read.

        Relative IRIs resolve against `base_iri`, sent as a BASE before the query (the
        protocol has no parameter for it, and the server would otherwise use its own
        URL); a BASE in the query itself still comes after it and wins. It shares the
        query's first line, so the server's error positions keep their line numbers.
        A malformed query raises SyntaxError, as the embedded store does; an answer the
        engine cut raises RemoteCut (with the answer).
        """
        if base_iri:
            sparql = f"BASE {ox.NamedNode(base_iri)} {sparql}"
        default, named = self._dataset(sparql, list(default_graph or ()), list(named_graphs or ()))
        if default and query_dataset(sparql) is not None:  # the protocol's data set decides
            sparql = without_dataset(sparql)
        return self._query(sparql, default, named)

    def select(self, sparql: str) -> ox.QuerySolutions:
        """The solutions of `sparql`, a SELECT query over the project's graphs."""
        answer = self.query(sparql)
        if not isinstance(answer, RemoteSolutions):
            raise TypeError(f"not a SELECT query: {sparql[:80]!r}")
        # read as QuerySolutions are: rows of ox.QuerySolution, variables, serialize()
        return cast(ox.QuerySolutions, answer)

    def _select(self, sparql: str) -> RemoteSolutions:
        """A query of this module's own, over the server's whole data set."""
        return self._query(sparql, [], [])  # type: ignore[return-value]

    def _query(
        self, sparql: str, default: list[str], named: list[str]
    ) -> ox.QueryBoolean | RemoteSolutions | RemoteTriples:
        form = query_form(sparql)
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        fields = [("query", sparql)]
        fields += [("default-graph-uri", g) for g in default]
        fields += [("named-graph-uri", g) for g in named]
        fields += list(self.query_params.items())
        response = self._send("POST", self.url, fields, {"Accept": accept}, None, stream=True)
        if response.status_code != 200:
            self._refuse(response)
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        # pyoxigraph's parsers only call the reader's read(): it needs no more of a file
        body = cast(IO[bytes], AnswerReader(response, self.max_answer_bytes))
        results_format = RESULTS_FORMATS.get(kind)
        if results_format is None:
            rdf_format = ox.RdfFormat.from_media_type(kind)
            if rdf_format is None or form not in ("CONSTRUCT", "DESCRIBE"):
                body.close()
                raise RemoteStoreError(
                    f"{self.url}: a {form} query answered with {kind or 'no type'!r}"
                )
            return self._triples(response, ox.parse(body, rdf_format))
        result = ox.parse_query_results(body, results_format)
        if isinstance(result, ox.QueryBoolean):
            return result
        if form == "ASK":
            return ask_answer(result, self.url)
        return self._solutions(response, result)

    def _refuse(self, response: requests.Response) -> None:
        with response:  # the start of the refusal only: its body may be long
            start = next(response.iter_content(ERROR_TEXT), b"")
        text = excerpt(start.decode(response.encoding or "utf-8", "replace"))
        if "estimated execution time" in text.lower():  # Virtuoso's cost estimate
            raise RemoteTimeout(f"the store refused the query as too long to run: {text}")
        if "SR171" in text or "SR203" in text:  # Virtuoso stopped it at its time limit
            raise RemoteTimeout(f"the store stopped the query at its time limit: {text}")
        if response.status_code == 400 or "syntax error" in text.lower():
            raise SyntaxError(text)
        raise RemoteStoreError(f"{self.url}: query failed ({response.status_code}): {text}")

    def _solutions(self, response: requests.Response, result: ox.QuerySolutions) -> RemoteSolutions:
        partial = partial_state(response)
        if partial:
            raise RemoteCut(
                f"the store sent a partial answer ({partial})",
                RemoteSolutions(result, cut=f"the store sent a partial answer ({partial})"),
            )
        cap = response.headers.get("X-SPARQL-MaxRows", "")
        if not cap.isdigit():
            return RemoteSolutions(result)
        self.row_cap = int(cap)

        def check(rows: int) -> str:  # known once the last row is read
            if rows < int(cap):
                return ""
            return f"the store answers at most {cap} rows (its row cap): the answer may be longer"

        return RemoteSolutions(result, check)

    def _triples(self, response: requests.Response, quads: Iterator[ox.Quad]) -> RemoteTriples:
        partial = partial_state(response)
        if partial:
            message = f"the store sent a partial answer ({partial})"
            raise RemoteCut(message, RemoteTriples(quads, cut=message))

        def check(count: int) -> str:  # known once the last triple is read
            if count < PROBE_FROM or self._returns(count):
                return ""
            return (
                f"the store answers at most {self.row_cap} rows (its row cap): "
                f"the answer of {count} triples may be longer"
            )

        return RemoteTriples(quads, check)

    def _returns(self, rows: int) -> bool:
        """Whether the engine returns `rows` + 1 rows when asked: a SELECT of that many
        solutions made of VALUES alone, asked once per size (its row cap, if it has one,
        cuts CONSTRUCT answers too, without saying so)."""
        if rows < self._whole_up_to:
            return True
        if self.row_cap is not None:
            return rows < self.row_cap
        side = 2
        while side**3 <= rows + 1:
            side *= 2
        values = " ".join(str(i) for i in range(side))
        probe = (
            f"SELECT ?a ?b ?c WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
            f"VALUES ?c {{ {values} }} }} LIMIT {rows + 1}"
        )
        try:
            answer: RemoteAnswer = self._select(probe)
        except RemoteCut as cut:
            answer = cut.result
        answer.lenient = True  # the row cap, if any, is what this asks
        got = sum(1 for _ in answer)
        if got > rows:
            self._whole_up_to = max(self._whole_up_to, got)
            return True
        self.row_cap = got
        return False

    # -- the project's graphs -----------------------------------------------------

    def named_graphs(self) -> list[str]:
        """The project's named graphs that hold quads (never the engine's own)."""
        rows = self._select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{self.graph_prefix}")) }}'
        )
        return sorted(row["g"].value for row in rows)

    def is_shared(self) -> bool:
        """Whether the server holds graphs that are not the project's (looked at now and
        then: a full scan on some engines)."""
        with self._lock:
            checked, shared = self._shared
            if time.monotonic() - checked < SHARED_TTL:
                return shared
        rows = self._select(
            "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(!STRSTARTS(STR(?g), "{self.graph_prefix}")) }} LIMIT 1'
        )
        shared = any(True for _ in rows)
        with self._lock:
            self._shared = (time.monotonic(), shared)
        return shared

    def own_graphs(self) -> list[str]:
        """named_graphs(), reused for a few seconds (every query of a shared server needs it)."""
        with self._lock:
            checked, graphs = self._own
            if time.monotonic() - checked < OWN_GRAPHS_TTL:
                return graphs
        graphs = self.named_graphs()
        with self._lock:
            self._own = (time.monotonic(), graphs)
        return graphs

    def _dataset(
        self, sparql: str, default: list[str], named: list[str]
    ) -> tuple[list[str], list[str]]:
        """The data set to ask for: as given on a server of the project's alone, else only
        the project's graphs of it (all of them when none are named)."""
        if not self.is_shared():
            return default, named
        own = self.own_graphs()
        if not default and not named:
            from_query = query_dataset(sparql)
            if from_query is None:
                return own or [NO_GRAPH], own or [NO_GRAPH]
            default, named = from_query
        mine = set(own)
        default = [g for g in default if g in mine] or [NO_GRAPH]
        named = [g for g in named if g in mine] or [NO_GRAPH]
        return default, named

    # -- quads -----------------------------------------------------------------------

    def quads_for_pattern(
        self, subject=None, predicate=None, object=None, graph_name=None, *, limit=None
    ) -> Iterator[ox.Quad]:
        """Quads of the project's graphs matching the pattern (None: any), like pyoxigraph's;
        at most `limit` of them (the server is asked for no more).

        Read graph by graph when nothing but the graph is bound, and a graph a page at a
        time (_graph_triples): an engine's row cap cuts long answers (RemoteCut, raised
        when the cut answer has been read to its end, so a reader never holds a part).
        """
        named = isinstance(graph_name, ox.NamedNode) and (limit is None or limit > PAGE_ROWS)
        if named and (subject, predicate, object) == (None, None, None):  # a whole graph
            for t in self._graph_triples(graph_name.value)[:limit]:
                yield ox.Quad(t.subject, t.predicate, t.object, graph_name)
            return
        if graph_name is None and subject is None and predicate is None and object is None:
            left = limit
            for name in self.named_graphs():
                for quad in self.quads_for_pattern(graph_name=ox.NamedNode(name), limit=left):
                    yield quad
                    if left is not None:
                        left -= 1
                if left == 0:
                    return
            return
        # The bound terms written into the pattern (not joined from VALUES): the server
        # then looks them up in its indexes whatever its optimizer does with VALUES.
        where = quad_pattern(subject, predicate, object, graph_name, self.graph_prefix)
        query = f"SELECT {projection(subject, predicate, object, graph_name)} WHERE {{ {where} }}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        for row in self._select(query):
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
            where = quad_pattern(subject, predicate, object_, graph, self.graph_prefix)
            chosen = f"{where} {skip if graph is None else ''} BIND({index} AS ?i)"
            variables = projection(subject, predicate, object_, graph, "?i")
            parts.append(f"{{ SELECT {variables} WHERE {{ {chosen} }} LIMIT 1 }}")
        found: list[ox.Quad | None] = [None] * len(patterns)
        for row in self._select("SELECT * WHERE {\n" + "\nUNION\n".join(parts) + "\n}"):
            index = int(row["i"].value)
            subject, predicate, object_, graph = patterns[index]
            found[index] = ox.Quad(
                subject or row["s"], predicate or row["p"], object_ or row["o"], graph or row["g"]
            )
        return found

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

    def _send(
        self,
        method: str,
        url: str,
        fields: list[tuple[str, str]],
        headers: dict[str, str],
        timeout: float | None,
        stream: bool = False,
    ) -> requests.Response:
        try:
            response = self.session.request(
                method,
                url,
                data=fields,
                headers={"Content-Type": f"{FORM}; charset=utf-8", **headers},
                timeout=timeout or self.timeout,
                stream=stream,
            )
        except requests.Timeout:
            raise RemoteTimeout(
                f"{url} did not answer within {timeout or self.timeout:g} s"
            ) from None
        except requests.ConnectionError as error:
            raise RemoteStoreError(f"{url}: cannot connect ({error})") from None
        if response.status_code == 401:
            raise RemoteStoreError(
                f"{url}: the store wants credentials (401): set VOXGRAPH_STORE_USER, "
                "VOXGRAPH_STORE_PASSWORD and VOXGRAPH_STORE_AUTH=basic|digest"
            )
        return response
