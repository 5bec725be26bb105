"""What an operator can tune about the endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox


@dataclass(frozen=True)
class Settings:
    """Endpoint settings; the defaults are the safe ones.

    `service_allowlist` holds the exact endpoint IRIs a query may name in a
    SERVICE clause (absolute http/https IRIs). Empty means SERVICE is refused.
    """

    service_allowlist: tuple[str, ...] = ()
    max_query_length: int = 100_000  # characters
    max_body_bytes: int = 1_000_000
    page_row_limit: int = 1_000  # rows the HTML page shows; /sparql has no such cap

    def __post_init__(self) -> None:
        object.__setattr__(self, "service_allowlist", tuple(self.service_allowlist))
        for iri in self.service_allowlist:
            parts = urlsplit(iri)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"service_allowlist needs absolute http(s) IRIs, not {iri!r}")
            ox.NamedNode(iri)  # raises ValueError for what is no IRI at all
