r"""Refuse SERVICE clauses whose endpoint is not allowlisted, before pyoxigraph runs.

pyoxigraph's Store.query performs the HTTP request of a SERVICE clause itself
and puts the remote body into its error, so an unguarded endpoint lets anyone
make this server fetch internal URLs and read the answer. The guard decides
from the query text alone, in three steps:

1. Oxigraph reads the keyword as seven literal letters (any case), so a query
   in which "service" occurs nowhere, neither as written nor after decoding
   \uXXXX escapes, has no SERVICE clause. Most queries stop here.
2. Otherwise rdflib parses the query; every ServiceGraphPattern of its algebra
   must name an allowlisted IRI. A variable endpoint is refused; a query rdflib
   cannot parse is refused.
3. rdflib's parser is not oxigraph's (a `#` comment ends at CR for oxigraph but
   not for rdflib, so `# \r SERVICE <x> {} \n` hides a clause from rdflib), so
   oxigraph's own parser has the last word. Each "service" that is written as
   `SERVICE [SILENT] <allowlisted IRI>` becomes a GRAPH clause of the same shape,
   every other one is defaced ("servicx"), and the result must still parse.
   It contains no "service" at all, so oxigraph can parse it (against an empty
   in-memory store) without reaching the network. A SERVICE keyword that step 2
   missed no longer parses there, and the query is refused.

Allowlisted endpoints must therefore be written as full <IRI>s, not prefixed
names or relative IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import pyoxigraph as ox
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Identifier, URIRef

from server.errors import BadQuery, Forbidden

SERVICE_WORD = re.compile("service", re.IGNORECASE)
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Oxigraph's space between tokens: blanks and `#` comments ending at CR or LF.
# Possessive, as oxigraph's parser is, which also rules out catastrophic backtracking.
TOKEN_GAP = r"(?:[ \t\r\n]|#[^\r\n]*+)*+"
_WRITTEN_ENDPOINT = re.compile(
    rf"service(?P<gap1>{TOKEN_GAP})(?:(?P<silent>silent)(?P<gap2>{TOKEN_GAP}))?"
    r"<(?P<iri>[^>]*)>",
    re.IGNORECASE,
)
_STAND_IN_ENDPOINT = "<urn:x-voxgraph:allowlisted-endpoint>"
_DEFACING_LETTERS = "xqzjk"
_EMPTY_STORE = ox.Store()


def decode_codepoint_escapes(text: str) -> str:
    r"""Replace \uXXXX and \UXXXXXXXX by the characters they stand for."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT_ESCAPE.sub(character, text)


def check_service_endpoints(query: str, allowlist: Collection[str]) -> tuple[str, ...]:
    """The SERVICE endpoints `query` calls, all on `allowlist`.

    Raises Forbidden for an endpoint that is not allowlisted (or a variable one)
    and BadQuery when the endpoints cannot be verified.
    """
    written = len(SERVICE_WORD.findall(query))
    decoded = len(SERVICE_WORD.findall(decode_codepoint_escapes(query)))
    if not written and not decoded:
        return ()
    if decoded != written:
        raise BadQuery("could not verify SERVICE targets: SERVICE is spelled with \\u escapes")
    endpoints = _rdflib_service_endpoints(query)
    for endpoint in endpoints:
        if not isinstance(endpoint, URIRef):
            raise Forbidden(
                f"SERVICE with a variable endpoint ({endpoint.n3()}) is not allowed: "
                "name an allowlisted endpoint IRI"
            )
        if str(endpoint) not in allowlist:
            raise Forbidden(
                f"SERVICE <{endpoint}> is not allowed: it is not on this endpoint's allowlist"
            )
    if not _oxigraph_sees_only_allowlisted(query, allowlist):
        raise BadQuery(
            "could not verify SERVICE targets: the query parses differently for the checker "
            "and for the query engine; write allowlisted endpoints as full <IRI>s"
        )
    return tuple(sorted({str(endpoint) for endpoint in endpoints}))


def _rdflib_service_endpoints(query: str) -> list[Identifier]:
    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception as error:  # any failure (syntax, rdflib bug, recursion) means unverified
        raise BadQuery(f"could not verify SERVICE targets: {error}") from None
    endpoints, pending, seen = [], [algebra], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                endpoints.append(node["term"])
            pending.extend(node.values())
        elif isinstance(node, list | tuple):
            pending.extend(node)
    return endpoints


def _oxigraph_sees_only_allowlisted(query: str, allowlist: Collection[str]) -> bool:
    probe = _probe_text(query, allowlist)
    if probe is None or SERVICE_WORD.search(decode_codepoint_escapes(probe)):
        return False
    try:
        _EMPTY_STORE.query(probe)  # no "service" left: nothing can leave this machine
    except SyntaxError:
        return False
    return True


def _probe_text(query: str, allowlist: Collection[str]) -> str | None:
    """`query` with allowlisted SERVICE clauses as GRAPH and every other "service" defaced.

    Everything between the keywords (blanks, comments, line ends) is kept as it is,
    so that comments end where they ended in `query`.
    """
    lowered = query.lower()
    letter = next((c for c in _DEFACING_LETTERS if f"servic{c}" not in lowered), None)
    if letter is None:
        return None
    pieces, done = [], 0
    for word in SERVICE_WORD.finditer(query):
        if word.start() < done:  # inside an allowlisted IRI already rewritten
            continue
        pieces.append(query[done : word.start()])
        clause = _WRITTEN_ENDPOINT.match(query, word.start())
        if clause and _unescape_iri(clause["iri"]) in allowlist:
            silent = " " * len(clause["silent"] or "")
            pieces.append(
                f"GRAPH{clause['gap1']}{silent}{clause['gap2'] or ''}{_STAND_IN_ENDPOINT}"
            )
            done = clause.end()
        else:
            defaced = letter.upper() if word.group()[-1].isupper() else letter
            pieces.append(word.group()[:-1] + defaced)
            done = word.end()
    pieces.append(query[done:])
    return "".join(pieces)


def _unescape_iri(written: str) -> str | None:
    r"""An IRIREF's content as oxigraph reads it: only \u and \U escapes are allowed."""
    if "\\" in _CODEPOINT_ESCAPE.sub("", written):
        return None
    return decode_codepoint_escapes(written)
