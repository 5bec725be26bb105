"""Storing: one named graph per digest, in the embedded Oxigraph store on disk (oxigraph)
or in any SPARQL 1.1 server (remote); the counts kept with the data (statistics); the
incidents consolidated across digests (consolidate).

`open_store` picks the store from --store / --store-url and the environment.
"""

from __future__ import annotations

import os

import pyoxigraph as ox

from voxgraph.loader.store.oxigraph import GraphStore, store_path
from voxgraph.loader.store.remote import DEFAULT_TIMEOUT, RemoteStore, store_url


def open_store(
    path: str | os.PathLike[str] | None = None,
    url: str | None = None,
    *,
    read_only: bool = False,
    timeout: float | None = None,
) -> GraphStore | RemoteStore:
    """The remote store at `url` (else $VOXGRAPH_STORE_URL), else the embedded one at `path`."""
    chosen = store_url(url)
    if chosen:
        return RemoteStore(chosen, timeout=timeout or DEFAULT_TIMEOUT)
    return GraphStore(store_path(path), read_only=read_only)


def solutions(store: GraphStore | RemoteStore, sparql: str) -> ox.QuerySolutions:
    """The solutions of `sparql`, a SELECT query (query() answers any kind of query)."""
    answer = store.query(sparql)
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {sparql[:80]!r}")
    return answer
