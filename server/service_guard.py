r"""Refuse SERVICE clauses whose endpoint is not allowlisted, before pyoxigraph runs.

pyoxigraph's Store.query performs the HTTP request of a SERVICE clause itself
and puts the remote body into its error, so an unguarded endpoint lets anyone
make this server fetch internal URLs and read the answer. The guard decides
from the query text alone, and lets oxigraph's own parser have the last word:

1. Oxigraph reads the keyword as seven literal letters (any case), so a query
   in which "service" occurs nowhere, neither as written nor after decoding
   \uHHHH escapes (H a hex digit), has no SERVICE clause. Most queries stop here. A "service"
   spelled with escapes is refused.
2. Otherwise the query is rewritten into a probe: each "service" written as
   `SERVICE [SILENT] <allowlisted IRI>` becomes a GRAPH clause of the same
   shape, and every other "service" is defaced ("servicx", with a letter that
   occurs after "servic" nowhere in the query, so that no declared prefix can
   make the defaced word mean something). Everything between the keywords
   (blanks, comments, line ends) is kept, so comments end where they ended.
3. The probe contains no "service" at all, so oxigraph can parse it (against an
   empty in-memory store) without reaching the network. If it parses, every
   defaced "service" was inside an IRI, a string, a name or a comment: none
   was a SERVICE clause, and the only clauses left are the allowlisted ones.
   A defaced SERVICE keyword is a bare word, which never parses: the query is
   refused, naming the endpoint when it is written out.

Earlier versions also parsed the query with rdflib; its parser is not
oxigraph's (a `#` comment ends at CR for oxigraph, at LF only for rdflib), so
only step 3 was ever the guarantee, and the rdflib parse cost more than the
rest of an ordinary request together.

Allowlisted endpoints must therefore be written as full <IRI>s, not prefixed
names or relative IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import pyoxigraph as ox

from voxgraph.server.errors import BadQuery, Forbidden

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
_VARIABLE_ENDPOINT = re.compile(
    rf"service{TOKEN_GAP}(?:silent{TOKEN_GAP})?(?P<variable>[?$]\w+)", re.IGNORECASE
)
_STAND_IN_ENDPOINT = "<urn:x-voxgraph:allowlisted-endpoint>"
_DEFACING_LETTERS = "xqzjk"
_EMPTY_STORE = ox.Store()


def decode_codepoint_escapes(text: str) -> str:
    r"""Replace \uHHHH and \UHHHHHHHH (H a hex digit) by the characters they stand for."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT_ESCAPE.sub(character, text)


def check_service_endpoints(
    query: str, allowlist: Collection[str], base_iri: str | None = None
) -> tuple[str, ...]:
    """The SERVICE endpoints `query` may call, all on `allowlist`.

    `base_iri` is the one the query will be evaluated with, so that the probe
    parses as the query will (a relative IRI is an error without one).

    Raises Forbidden for an endpoint that is not allowlisted (or a variable one)
    and BadQuery when the endpoints cannot be verified.
    """
    written = len(SERVICE_WORD.findall(query))
    decoded = len(SERVICE_WORD.findall(decode_codepoint_escapes(query)))
    if not written and not decoded:
        return ()
    if decoded != written:
        raise BadQuery("could not verify SERVICE targets: SERVICE is spelled with \\u escapes")
    probe = _probe(query, allowlist)
    if probe is None:
        raise BadQuery(
            "could not verify SERVICE targets: the query uses every spelling the check needs"
        )
    problem = _parse_problem(probe.text, base_iri)
    if problem is None:
        return tuple(sorted(probe.allowed))
    if probe.refused:
        raise Forbidden(
            f"SERVICE <{probe.refused[0]}> is not allowed: it is not on this endpoint's allowlist"
        )
    variable = _VARIABLE_ENDPOINT.search(query)
    if variable:
        raise Forbidden(
            f"SERVICE with a variable endpoint ({variable['variable']}) is not "
            "allowed: name an allowlisted endpoint IRI"
        )
    raise BadQuery(
        f"could not verify SERVICE targets: {problem} (write allowlisted endpoints as full <IRI>s)"
    )


@dataclass(frozen=True)
class _Probe:
    text: str  # the query with allowlisted clauses as GRAPH and every other "service" defaced
    allowed: frozenset[str]  # allowlisted endpoints written as SERVICE clauses
    refused: tuple[str, ...]  # other endpoints written as if in SERVICE clauses


def _parse_problem(probe: str, base_iri: str | None = None) -> str | None:
    """Why oxigraph cannot parse `probe` (which has no "service"), or None if it can."""
    if SERVICE_WORD.search(decode_codepoint_escapes(probe)):
        return "the rewritten query still says SERVICE"
    try:
        _EMPTY_STORE.query(probe, base_iri=base_iri)  # no "service" left: nothing leaves
    except SyntaxError as error:
        return str(error)
    return None


def _probe(query: str, allowlist: Collection[str]) -> _Probe | None:
    """The probe of `query` (the module's step 2); None if no letter is left to deface with."""
    lowered = query.lower()
    letter = next((c for c in _DEFACING_LETTERS if f"servic{c}" not in lowered), None)
    if letter is None:
        return None
    pieces, done = [], 0
    allowed: set[str] = set()
    refused: list[str] = []
    for word in SERVICE_WORD.finditer(query):
        if word.start() < done:  # inside an allowlisted IRI already rewritten
            continue
        pieces.append(query[done : word.start()])
        clause = _WRITTEN_ENDPOINT.match(query, word.start())
        endpoint = _unescape_iri(clause["iri"]) if clause else None
        if clause and endpoint is not None and endpoint in allowlist:
            silent = " " * len(clause["silent"] or "")
            pieces.append(
                f"GRAPH{clause['gap1']}{silent}{clause['gap2'] or ''}{_STAND_IN_ENDPOINT}"
            )
            allowed.add(endpoint)
            done = clause.end()
        else:
            if clause:
                refused.append(clause["iri"])
            defaced = letter.upper() if word.group()[-1].isupper() else letter
            pieces.append(word.group()[:-1] + defaced)
            done = word.end()
    pieces.append(query[done:])
    return _Probe("".join(pieces), frozenset(allowed), tuple(refused))


def _unescape_iri(written: str) -> str | None:
    r"""An IRIREF's content as oxigraph reads it: only \u and \U escapes are allowed."""
    if "\\" in _CODEPOINT_ESCAPE.sub("", written):
        return None
    return decode_codepoint_escapes(written)
