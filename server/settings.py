"""What an operator can tune about the endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox

from voxgraph.server.memory import MIN_MAX_MEMORY, default_max_memory

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
DEFAULT_SERVICES: tuple[str, ...] = (WIKIDATA_SPARQL,)


@dataclass(frozen=True)
class Settings:
    """Endpoint settings; the defaults are the safe ones.

    `service_allowlist` holds the exact endpoint IRIs a query may name in a
    SERVICE clause (absolute http/https IRIs): by default Wikidata's query
    service, for federated queries over the actors' Wikidata links. Empty means
    SERVICE is refused.

    The query limits (`timeout`, `workers`, `max_concurrent_queries`,
    `max_memory`) apply where queries run in a worker process: an app over a
    read-only store on disk, as `voxgraph serve` opens (see server/workers.py).
    `max_memory` bounds the private memory of the worker processes together, by
    default a quarter of the machine's memory (server/memory.py).
    """

    service_allowlist: tuple[str, ...] = DEFAULT_SERVICES
    max_query_length: int = 100_000  # characters
    max_body_bytes: int = 1_000_000
    page_row_limit: int = 1_000  # rows the HTML page shows
    max_result_rows: int = 100_000  # rows (or triples) per answer; more: cut, and said so
    max_result_bytes: int = 50_000_000  # serialized answer; more: rows cut, and said so
    timeout: float = 30.0  # seconds a query may run before its worker is ended (504)
    workers: int = 4  # query threads of the worker process (0: evaluate in the server process)
    max_concurrent_queries: int = 16  # running and waiting for a worker; more get 503
    max_memory: int = field(default_factory=default_max_memory)  # bytes; a query past it: 507

    def __post_init__(self) -> None:
        if self.max_memory < MIN_MAX_MEMORY:
            raise ValueError(
                f"max_memory must be at least {MIN_MAX_MEMORY // 2**20} MiB: a query worker "
                "needs about 60 MiB before its first query"
            )
        object.__setattr__(self, "service_allowlist", tuple(self.service_allowlist))
        for iri in self.service_allowlist:
            parts = urlsplit(iri)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"service_allowlist needs absolute http(s) IRIs, not {iri!r}")
            ox.NamedNode(iri)  # raises ValueError for what is no IRI at all
