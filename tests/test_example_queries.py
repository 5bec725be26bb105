"""Every example query in queries/ runs against the bundled corpus and returns the rows
written next to it (NN-slug.expected.csv), which were checked by reading the digests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql.parser import parseQuery

from tests.conftest import as_virtuoso_stores_duration, on_virtuoso
from voxgraph.loader.store import Store
from voxgraph.server.examples import QUERIES, Example, load_examples, read_example

EXAMPLES = load_examples()


def test_the_library_has_at_least_fifteen_queries() -> None:
    assert len([e for e in EXAMPLES if not e.federated]) >= 15
    assert len({e.title for e in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
def test_every_example_parses(example: Example) -> None:
    """Federated ones too: they need Wikidata to run, so they are only parsed (by rdflib,
    which, unlike oxigraph, never performs a SERVICE call while parsing)."""
    assert example.title and example.description
    parseQuery(example.query)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.federated], ids=lambda e: e.slug)
def test_example_returns_the_checked_rows(each_corpus_store: Store, example: Example) -> None:
    expected = (QUERIES / f"{example.slug}.expected.csv").read_text(encoding="utf-8")
    out = io.BytesIO()
    each_corpus_store.query(example.query).serialize(out, ox.QueryResultsFormat.CSV)
    got = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"))))
    wanted = list(csv.reader(io.StringIO(expected)))
    if on_virtuoso(each_corpus_store):  # it keeps an xsd:duration as a number (README)
        got, wanted = as_numbers(got), as_numbers(wanted)
    assert got == wanted


def as_numbers(rows: list[list[str]]) -> list[list[str]]:
    """Cells that are durations (P30D) as the number Virtuoso keeps of them, numbers as floats."""

    def cell(text: str) -> str:
        kept = as_virtuoso_stores_duration(text)
        if kept is not None:
            return repr(kept)
        try:
            return repr(float(text))
        except ValueError:
            return text

    return [[cell(text) for text in row] for row in rows]


def test_headers_and_federated_flag(tmp_path: Path) -> None:
    path = tmp_path / "99-wikidata-born.rq"
    path.write_text(
        "# title: Born where\n# description: One sentence.\n# federated: true\n"
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }\n"
    )
    example = read_example(path)
    assert example.federated and example.title == "Born where"
    assert example.query.startswith("PREFIX vox: <https://w3id.org/voxgraph/ontology#>")


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("1-x.rq", "# title: a\n# description: b\nASK {}", "named NN-slug.rq"),
        ("01-x.rq", "# title: a\nASK {}", "description"),
        ("01-x.rq", "# title: a\n# description: b\nPREFIX x: <urn:x>\nASK {}", "PREFIX"),
    ],
)
def test_malformed_examples_are_refused(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValueError, match=problem):
        read_example(path)
