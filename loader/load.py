"""The loading pipeline: files -> parse -> map -> validate -> store.

Each digest is checked in full before anything is written, and then replaces
its own named graph in one transaction: a bad file among good ones is
reported and skipped, the good ones load, and nothing stored before is lost
or half-replaced. A digest whose source and mapping code are unchanged since
it was loaded is skipped (its stored `vox:fingerprint` matches), and so is a
file with the same bytes as one before it in the batch (with a warning).

Crash safety: a digest is stored by one SPARQL Update (drop its graph, insert
the new one), which RocksDB commits atomically through its write-ahead log,
so a loader killed at any point leaves each digest either whole or as it was;
running the same command again loads what is missing (the rest is unchanged).
After the batch the store publishes a snapshot for the server (loader/store.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph
from tqdm import tqdm

from loader.map import map_digest
from loader.parse import DigestError, digest_from_bytes, read_digest_bytes
from loader.registry import Registry
from loader.store import GraphStore
from loader.validate import ShapeError, check
from voxgraph import iris
from voxgraph.iris import VOX
from voxgraph.paths import MAPPINGS, ONTOLOGY, ROOT, SHAPES

DIGEST_SUFFIXES = (".txt",)


@dataclass
class Report:
    """What a batch did, file by file."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # source -> same bytes as this
    failed: dict[str, str] = field(default_factory=dict)  # source -> readable reason
    warnings: dict[str, list[str]] = field(default_factory=dict)  # loaded, but see these

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class MappedDigest:
    source: Path
    key: str
    fingerprint: str
    graph: Graph
    warnings: list[str] = field(default_factory=list)


def digest_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the digest files inside folders named, in a stable order."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in DIGEST_SUFFIXES))
        else:
            found.append(path)
    return found


@cache
def mapping_version() -> str:
    """A checksum of everything that decides how text becomes triples."""
    digest = hashlib.sha256()
    sources = [
        *sorted((ROOT / "loader").glob("*.py")),
        *sorted(MAPPINGS.glob("*")),
        ONTOLOGY,
        SHAPES,
    ]
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()[:32]}-{mapping_version()}"


def prepare(path: Path, registry: Registry, raw: bytes | None = None) -> MappedDigest:
    """Parse, map and SHACL-check one file (given its bytes, if already read).

    Raises DigestError or ShapeError.
    """
    raw = read_digest_bytes(path) if raw is None else raw
    digest = digest_from_bytes(raw, path.name)
    key = iris.digest_key(digest.date, digest.series)
    stamp = fingerprint(raw)
    graph = map_digest(digest, registry, stamp)
    check(graph, context=registry.graph(), digest=f"{path.name} ({key})")
    return MappedDigest(path, key, stamp, graph, digest.warnings)


def load_reference_graphs(store: GraphStore, registry: Registry) -> None:
    """The ontology and the curated registry, each in its own named graph."""
    store.replace_graph(iris.ONTOLOGY_GRAPH, Graph().parse(ONTOLOGY))
    registry_graph = registry.graph()
    check(registry_graph, digest="mappings/actors.yaml")
    store.replace_graph(iris.REGISTRY_GRAPH, registry_graph)


def run(
    paths: Iterable[str | Path],
    store: GraphStore | None = None,
    *,
    progress: bool = False,
) -> Report:
    """Check every digest file and, given a store, load the ones that pass."""
    registry = Registry.load()
    if store is not None:
        load_reference_graphs(store, registry)
    report = Report()
    seen: dict[str, Path] = {}  # digest key -> file
    contents: dict[str, Path] = {}  # sha-256 of the bytes -> file
    files = digest_files(paths)
    for path in tqdm(files, desc="digests", unit="digest", disable=not progress):
        name = str(path)
        try:
            raw = read_digest_bytes(path)
            content = hashlib.sha256(raw).hexdigest()
            if content in contents:
                report.duplicates[name] = str(contents[content])
                continue
            contents[content] = path
            if store is not None and _stored(store, fingerprint(raw)):
                report.unchanged.append(name)
                continue
            mapped = prepare(path, registry, raw)
        except (DigestError, ShapeError, OSError) as error:
            report.failed[name] = str(error)
            continue
        except Exception as error:  # a bug in a mapper must not stop the batch
            report.failed[name] = f"{name}: could not be mapped ({type(error).__name__}: {error})"
            continue
        if mapped.key in seen:
            report.failed[name] = (
                f"{name}: same digest ({mapped.key}) as {seen[mapped.key]} but different text; "
                "not loaded twice"
            )
            continue
        seen[mapped.key] = path
        if store is not None:
            store.replace_graph(iris.digest_graph(mapped.key), mapped.graph)
        report.loaded.append(name)
        if mapped.warnings:
            report.warnings[name] = mapped.warnings
    if store is not None:
        store.flush()
        if store.path is not None:
            store.publish_snapshot()
    return report


def _stored(store: GraphStore, stamp: str) -> bool:
    """True if a digest with this exact fingerprint is already stored."""
    # A fingerprint is hex digits and '-': safe inside a literal.
    return bool(store.query(f'ASK {{ ?digest <{VOX.fingerprint}> "{stamp}" }}'))
