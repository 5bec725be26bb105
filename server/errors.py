"""Refusals and failures of a query, each with the HTTP status it answers with."""

from __future__ import annotations


class QueryError(Exception):
    """A query that is refused or failed; `message` is safe to show the client."""

    status = 400

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


READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
