"""The synthetic corpus of `voxgraph generate`: deterministic, distinct, valid."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from voxgraph.loader import pipeline
from voxgraph.loader.read.parse import read_digest
from voxgraph.synthesize import cached_sources, generate

COUNT = 5


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(COUNT, tmp_path_factory.mktemp("synthetic"), seed=7)


def test_same_seed_gives_byte_identical_files(corpus: list[Path], tmp_path: Path) -> None:
    again = generate(COUNT, tmp_path, seed=7)
    assert [p.name for p in again] == [p.name for p in corpus]
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in corpus]


def test_different_seeds_differ(corpus: list[Path], tmp_path: Path) -> None:
    other = generate(COUNT, tmp_path, seed=8)
    assert all(a.read_bytes() != b.read_bytes() for a, b in zip(corpus, other, strict=True))


def test_digests_are_distinct_and_dated_day_by_day(corpus: list[Path]) -> None:
    assert len({p.read_text(encoding="utf-8") for p in corpus}) == COUNT
    dates = [read_digest(p).date for p in corpus]
    assert dates == [date(2030, 1, day) for day in range(1, COUNT + 1)]


def test_people_are_renamed(corpus: list[Path]) -> None:
    sources = cached_sources()
    text = "\n".join(p.read_text(encoding="utf-8") for p in corpus)
    assert "Karimli" not in text and "Ibadoglu" not in text
    assert any(name in text for name in sources.surnames)


def test_every_digest_parses_maps_and_conforms(corpus: list[Path]) -> None:
    report = pipeline.run(corpus, store=None)
    assert report.failed == {}
    assert len(report.loaded) == COUNT
