"""What a remote store (loader/store/remote.py) gets back, checked: answers parsed as
they are read from the connection, which tell whether the engine cut them (a row cap,
a partial answer), and a graph as the engine stored it against what was sent.

A query's answer is parsed as it is read from the connection, so a caller that
wants the first rows reads only those (the endpoint reads at most its row limit
plus one), and no answer is held whole in memory; more than `max_answer_bytes`
read for one answer (a few giant values) raise AnswerTooLarge. A cut that shows
only at the end of an answer (a row cap reached) is found when the last row has
been read: iterating the answer then raises RemoteCut, unless the reader chose to
be told instead (`RemoteAnswer.lenient`, then `RemoteAnswer.cut`), as the endpoint does.
"""

from __future__ import annotations

import http.client
import io
import json
from collections.abc import Callable, Iterator
from typing import cast

import pyoxigraph as ox
import requests

from voxgraph.loader.store.remote_protocol import (
    XSD,
    AnswerTooLarge,
    RemoteStoreError,
    RemoteTimeout,
    triple_key,
)

# Virtuoso echoes each graph of a query's data set as a header of its answer
# (X-SPARQL-default-graph, X-SPARQL-named-graph): two per digest, past the 100
# headers Python's HTTP client reads by default.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 1_000_000)  # type: ignore[attr-defined]


RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}


MAX_ANSWER_BYTES = 100_000_000  # read for one answer at most


READ_BYTES = 64 * 1024  # read from the connection at a time


class RemoteCut(RemoteStoreError):
    """The engine cut its answer (a row cap, a partial result); `result` is what it sent
    (not yet read, or read to its end when the cut showed only there)."""

    def __init__(self, message: str, result: RemoteSolutions | RemoteTriples):
        super().__init__(message)
        self.result = result


class RemoteAnswer:
    """The rows of a SELECT answer (RemoteSolutions) or the triples of a CONSTRUCT or
    DESCRIBE answer (RemoteTriples), parsed as they are read.

    `cut` says why the engine cut the answer, once that is known: from the start (a
    partial answer), or when the last row has been read (`check`, given how many rows
    there were). A cut found at the end raises RemoteCut from the iteration, unless
    `lenient` is set: then the reader looks at `cut` itself.
    """

    def __init__(
        self, rows: Iterator, check: Callable[[int], str] | None = None, cut: str = ""
    ) -> None:
        self._rows = rows
        self._check = check
        self.cut = cut
        self.count = 0  # rows read so far
        self.lenient = bool(cut)

    def __iter__(self) -> RemoteAnswer:
        return self

    def __next__(self):
        try:
            row = next(self._rows)
        except StopIteration:
            check, self._check = self._check, None
            if check is not None:
                self.cut = self.cut or check(self.count)
                if self.cut and not self.lenient:
                    raise RemoteCut(self.cut, self) from None
            raise
        self.count += 1
        return row


class RemoteSolutions(RemoteAnswer):
    """The solutions of a SELECT answer, parsed as they are read."""

    def __init__(
        self, solutions: ox.QuerySolutions, check: Callable[[int], str] | None = None, cut: str = ""
    ) -> None:
        super().__init__(iter(solutions), check, cut)
        self.variables = solutions.variables

    def serialize(self, output=None, format: ox.QueryResultsFormat | None = None):  # noqa: A002
        """The rows not yet read, written as pyoxigraph's QuerySolutions.serialize does."""
        names = [variable.value for variable in self.variables]
        bindings = [
            {name: _json_term(term) for name, term in zip(names, row, strict=True) if term}
            for row in self
        ]
        document = {"head": {"vars": names}, "results": {"bindings": bindings}}
        text = json.dumps(document, ensure_ascii=False).encode()
        solutions = ox.parse_query_results(text, ox.QueryResultsFormat.JSON)
        return solutions.serialize(output, format)


class RemoteTriples(RemoteAnswer):
    """The triples of a CONSTRUCT or DESCRIBE answer, parsed as they are read."""

    def __init__(
        self, quads: Iterator[ox.Quad], check: Callable[[int], str] | None = None, cut: str = ""
    ) -> None:
        super().__init__((quad.triple for quad in quads), check, cut)

    def serialize(self, output=None, format: ox.RdfFormat | None = None):  # noqa: A002
        """The triples not yet read, written as pyoxigraph's QueryTriples.serialize does."""
        return ox.serialize(list(self), output, format)


class AnswerReader(io.RawIOBase):
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


def partial_state(response: requests.Response) -> str:
    """The engine's own sign of a partial answer (Virtuoso: X-SQL-State S1TAT), or ''."""
    state = response.headers.get("X-SQL-State", "")
    if not state:
        return ""
    return f"{state}: {response.headers.get('X-SQL-Message', '')}".strip(": ")[:300]


def ask_answer(result: ox.QuerySolutions, url: str) -> ox.QueryBoolean:
    """An ASK answered as a one-column table (Virtuoso 7.2: ?__ASK_RETVAL, 1 or no row)."""
    rows = [[term for term in row] for row in result]
    if len(result.variables) != 1 or len(rows) > 1:
        raise RemoteStoreError(f"{url}: an ASK query answered with a table, not true or false")
    truth = bool(rows) and rows[0][0] is not None and rows[0][0].value in ("1", "true")
    answer = ox.Store().query("ASK { FILTER(true) }" if truth else "ASK { FILTER(false) }")
    assert isinstance(answer, ox.QueryBoolean)
    return answer


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
    """One RDF term in the SPARQL 1.1 (and SPARQL-star) JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    literal = {"type": "literal", "value": term.value}
    if term.language:
        literal["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        literal["datatype"] = term.datatype.value
    return literal


def stored_changes(
    name: str,
    body: str,
    triples: list[ox.Triple],
    *,
    strict: bool,
    same_only: bool = False,
) -> list[str]:
    """How graph `name` as stored (`triples`) differs from `body`: warnings for
    literals changed.

    strict: a triple missing or extra raises RemoteStoreError. same_only: any
    difference but a canonical form is reported (as one warning).
    """
    sent = {triple_key(t): t for t in ox.parse(body.encode("utf-8"), ox.RdfFormat.N_TRIPLES)}
    stored = {triple_key(t): t for t in triples}
    missing = [sent[k] for k in sent.keys() - stored.keys()]
    extra = {(t.subject, t.predicate): t for k, t in stored.items() if k not in sent}
    if same_only:
        return ["differs"] if missing or extra else []
    changed: list[tuple[ox.Triple, ox.Triple]] = []
    lost: list[ox.Triple] = []
    for triple in sorted(missing, key=str):
        other = extra.pop((triple.subject, triple.predicate), None)
        if other is not None and isinstance(other.object, ox.Literal):
            changed.append((triple, other))
        else:
            lost.append(triple)
    if strict and (lost or extra):
        raise RemoteStoreError(
            f"<{name}> was not stored whole: {len(lost)} of {len(sent)} triples missing, "
            f"{len(extra)} unexpected" + (f"; first missing: {lost[0]}" if lost else "")
        )
    if not changed:
        return []
    kinds = sorted(
        {
            before.object.datatype.value.removeprefix(XSD)
            for before, _ in changed
            if isinstance(before.object, ox.Literal)
        }
    )
    before, after = changed[0]
    return [
        f"the store changed {len(changed)} literal(s) of <{name}> "
        f"({', '.join(kinds)}), e.g. {before.object} became {after.object}: a fault of "
        "the engine (see README, Beyond one machine)"
    ]
