"""Result formats and content negotiation.

SELECT and ASK answer with a SPARQL results format, CONSTRUCT and DESCRIBE with
an RDF format. The `format=` parameter (Fuseki's names, and SPARQLWrapper's)
wins over the Accept header. A request that accepts nothing we offer, not even
through `*/*`, gets 406 Not Acceptable; no Accept header means the default
(JSON results, Turtle graphs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from voxgraph.server.errors import NotAcceptable

OxFormat = TypeVar("OxFormat", bound=ox.QueryResultsFormat | ox.RdfFormat)


@dataclass(frozen=True)
class Format(Generic[OxFormat]):
    """A results format (Format[ox.QueryResultsFormat]) or a graph format (ox.RdfFormat)."""

    name: str
    media_type: str
    oxigraph: OxFormat
    aliases: tuple[str, ...] = ()  # other media types that select it
    format_names: tuple[str, ...] = ()  # values of the format= parameter that select it

    @property
    def content_type(self) -> str:
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


ResultsFormat = Format[ox.QueryResultsFormat]  # SELECT and ASK answers
GraphFormat = Format[ox.RdfFormat]  # CONSTRUCT and DESCRIBE answers, documents, dumps

RESULTS_FORMATS: tuple[ResultsFormat, ...] = (  # the first one is the default
    Format(
        "json",
        "application/sparql-results+json",
        ox.QueryResultsFormat.JSON,
        ("application/json",),
        ("json", "srj"),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        ox.QueryResultsFormat.XML,
        ("application/xml", "text/xml"),
        ("xml", "srx"),
    ),
    Format("csv", "text/csv", ox.QueryResultsFormat.CSV, (), ("csv",)),
    Format("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, (), ("tsv",)),
)

GRAPH_FORMATS: tuple[GraphFormat, ...] = (  # the first one is the default
    Format(
        "ttl",
        "text/turtle",
        ox.RdfFormat.TURTLE,
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
        ("ttl", "turtle", "n3"),
    ),
    Format(
        "nt",
        "application/n-triples",
        ox.RdfFormat.N_TRIPLES,
        ("text/plain",),
        ("nt", "ntriples", "n-triples"),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        ox.RdfFormat.RDF_XML,
        ("application/xml", "text/xml"),
        ("rdfxml", "rdf+xml", "rdf", "xml"),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        ox.RdfFormat.JSON_LD,
        ("application/json",),
        ("jsonld", "json-ld", "json"),
    ),
)


@dataclass(frozen=True)
class Wanted:
    """What the client asked for, as plain strings (so it can cross a process boundary)."""

    accept: str = ""
    format_name: str = ""


def choose(formats: tuple[Format[OxFormat], ...], wanted: Wanted) -> Format[OxFormat]:
    """The format from `formats` that `wanted` prefers; raises NotAcceptable."""
    if wanted.format_name:
        name = wanted.format_name.strip().lower()
        for candidate in formats:
            if name in candidate.format_names or name == candidate.media_type:
                return candidate
        offered = ", ".join(f.name for f in formats)
        raise NotAcceptable(
            f"format={wanted.format_name} is not available here; use one of {offered}"
        )
    if not wanted.accept.strip():
        return formats[0]
    by_media_type: dict[str, Format[OxFormat]] = {}
    for candidate in formats:
        for media_type in (candidate.media_type, *candidate.aliases):
            by_media_type.setdefault(media_type, candidate)
    best = parse_accept_header(wanted.accept, MIMEAccept).best_match(list(by_media_type))
    if best is None:
        offered = ", ".join(f.media_type for f in formats)
        raise NotAcceptable(
            f"none of the accepted media types is available; this answer comes as {offered}"
        )
    return by_media_type[best]
