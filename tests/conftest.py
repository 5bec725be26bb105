"""Shared fixtures: a real on-disk store with the bundled corpus loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from loader import load as pipeline
from loader.store import GraphStore
from voxgraph.paths import CORPUS


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The five bundled digests loaded once into a store on disk (read it, don't write)."""
    store = GraphStore(tmp_path_factory.mktemp("corpus") / "store")
    report = pipeline.run([CORPUS], store)
    assert report.ok, f"the bundled corpus failed to load: {report.failed}"
    return store


@pytest.fixture
def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))
