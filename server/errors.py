"""Refusals and failures of a query, each with the HTTP status it answers with."""

from __future__ import annotations


class QueryError(Exception):
    """A query that is refused or failed; `message` is safe to show the client.

    `headers` go into the response too (Retry-After when the server is busy).
    """

    status = 400
    headers: dict[str, str] = {}

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadQuery(QueryError):
    status = 400


class Forbidden(QueryError):
    status = 403


class NotAcceptable(QueryError):
    status = 406


class UnsupportedBody(QueryError):
    status = 415


class QueryTooLarge(QueryError):
    status = 413


class RemoteServiceFailed(QueryError):
    status = 502


class QueryFailed(QueryError):
    status = 500


class Busy(QueryError):
    """Every query slot is taken: the client may try again after a few seconds."""

    status = 503
    headers = {"Retry-After": "2"}


class WorkerLost(QueryError):
    """The process evaluating the query ended (it was replaced); the query may be retried."""

    status = 503
    headers = {"Retry-After": "1"}


class MemoryExceeded(QueryError):
    """The query needed more memory than --max-memory allows; its worker process was replaced.

    507 Insufficient Storage: the server could not hold what answering needs. Not 503,
    which tells clients to try again: the same query would fail the same way.
    """

    status = 507


class QueryTimeout(QueryError):
    """The query ran past the time limit and its worker process was ended."""

    status = 504


READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
