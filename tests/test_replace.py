"""Nothing is replaced silently: a digest is known by its date, its file by its name.

A file whose date is that of a digest stored from another file is refused, naming
both, and changes nothing; `voxgraph load --replace` lets it through. Loading the
same file again after an edit replaces its digest as before. The loader tests run
on both backends (tests/conftest.py): the embedded store and `oxigraph serve`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from tests.conftest import StoreFactory
from voxgraph import iris
from voxgraph.cli import main
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS

KEY = "2022-11-04"
GRAPH = iris.digest_graph(KEY)
DIGEST = iris.digest_iri(KEY)


def quads(store: Store) -> set[str]:
    return {str(q) for q in store.quads()}


def source_of(store: Store, key: str = KEY) -> str | None:
    return store.value(iris.digest_graph(key), iris.digest_iri(key), DCTERMS.source)


def notes_from_friday(folder: Path, key: str = KEY, name: str = "notes-from-friday.txt") -> Path:
    """A file with the date of the bundled digest `key` and a slightly different text."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (CORPUS / f"{key}.txt").read_text(encoding="utf-8")
    notes = folder / name
    notes.write_text(text.replace("\n\n", "\n\nFriday's notes.\n\n", 1), encoding="utf-8")
    return notes


def stored_digest(store: Store, folder: Path) -> Path:
    """The bundled digest of KEY, loaded from a file of its own name."""
    folder.mkdir(parents=True, exist_ok=True)
    original = shutil.copy(CORPUS / f"{KEY}.txt", folder / f"{KEY}.txt")
    assert pipeline.run([original], store).loaded == [str(original)]
    return Path(original)


def test_a_file_with_the_date_of_a_digest_from_another_file_is_refused(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    store = new_store("store")
    stored_digest(store, tmp_path / "corpus")
    before = quads(store)
    notes = notes_from_friday(tmp_path / "inbox")

    report = pipeline.run([notes], store)

    assert report.loaded == [] and not report.ok
    assert report.failed == {
        str(notes): f"{notes}: digest {KEY} (its date) is already stored from another file, "
        f"{KEY}.txt; not loaded, nothing changed. If notes-from-friday.txt is a new version "
        f"of that digest, `voxgraph load --replace {notes}` puts it in its place"
    }
    assert quads(store) == before, "a refused file changed the store"


def test_replace_puts_it_in_the_digests_place_and_says_so(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    store = new_store("store")
    stored_digest(store, tmp_path / "corpus")
    notes = notes_from_friday(tmp_path / "inbox")

    report = pipeline.run([notes], store, replace=True)

    assert report.ok and report.loaded == [str(notes)]
    assert report.replaced == {str(notes): (KEY, f"{KEY}.txt")}
    assert source_of(store) == "notes-from-friday.txt"
    text = store.value(GRAPH, DIGEST, iris.VOX.text)
    assert text is not None and "Friday's notes." in text
    # From now on the digest comes from the notes: the old file is the other one.
    again = pipeline.run([CORPUS / f"{KEY}.txt"], store)
    assert list(again.failed) == [str(CORPUS / f"{KEY}.txt")]
    assert (
        "already stored from another file, notes-from-friday.txt"
        in again.failed[str(CORPUS / f"{KEY}.txt")]
    )


def test_the_same_file_edited_or_moved_still_replaces_its_digest(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    store = new_store("store")
    original = stored_digest(store, tmp_path / "corpus")
    original.write_text(
        original.read_text(encoding="utf-8").replace("\n\n", "\n\nAn editor's fix.\n\n", 1),
        encoding="utf-8",
    )
    edited = pipeline.run([original], store)
    assert edited.ok and edited.loaded == [str(original)] and edited.replaced == {}

    moved = tmp_path / "elsewhere" / original.name  # a file is known by its name
    moved.parent.mkdir()
    shutil.copy(CORPUS / original.name, moved)
    report = pipeline.run([moved], store)
    assert report.ok and report.loaded == [str(moved)]
    assert "An editor's fix." not in (store.value(GRAPH, DIGEST, iris.VOX.text) or "")


def test_two_files_of_one_date_in_one_batch_with_worker_processes(tmp_path: Path) -> None:
    """20 files, so that --jobs 2 starts two workers: the second of each date is refused
    unless replace, whatever the number of workers."""
    batch = tmp_path / "batch"
    batch.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        shutil.copy(path, batch / path.name)
        shutil.copy(path, batch / f"same-bytes-{path.name}")  # loaded once, as before
        shutil.copy(path, batch / f"same-bytes-again-{path.name}")
        notes_from_friday(batch, path.stem, f"notes-{path.name}")
    files = pipeline.digest_files([batch])
    assert len(files) == 20

    outcomes = []
    for jobs in (1, 2):
        store = GraphStore(tmp_path / f"store-{jobs}")
        report = pipeline.run([batch], store, jobs=jobs)
        outcomes.append((report.loaded, report.failed, report.duplicates, quads(store)))
        assert sorted(report.loaded) == sorted(str(batch / p.name) for p in CORPUS.glob("*.txt"))
        refused = str(batch / f"notes-{KEY}.txt")
        assert report.failed[refused] == (
            f"{refused}: digest {KEY} (its date) also comes from {batch / f'{KEY}.txt'}, "
            "earlier in this batch; not loaded. `voxgraph load --replace` loads the later "
            "file in its place"
        )
        assert len(report.failed) == 5
        assert source_of(store) == f"{KEY}.txt"
    assert outcomes[0] == outcomes[1], "one worker and two gave different results"

    store = GraphStore(tmp_path / "store-replace")
    report = pipeline.run([batch], store, jobs=2, replace=True)
    assert report.ok and len(report.loaded) == 10
    assert report.replaced[str(batch / f"notes-{KEY}.txt")] == (KEY, str(batch / f"{KEY}.txt"))
    assert source_of(store) == f"notes-{KEY}.txt"


def test_the_store_itself_refuses_a_graph_from_another_file(new_store: StoreFactory) -> None:
    """The check is part of the write, so two loaders writing one remote server cannot
    both win: the one that comes second changes nothing and learns which file won."""
    store = new_store("store")
    name, digest = URIRef("https://example.org/graph/d"), URIRef("https://example.org/id/d")
    first = f'<{digest}> <{DCTERMS.source}> "first.txt" .'
    second = f'<{digest}> <{DCTERMS.source}> "second.txt" .'
    assert store.replace_unless_other_source(name, first, digest, "first.txt") is None
    assert store.replace_unless_other_source(name, second, digest, "second.txt") == "first.txt"
    assert store.value(name, digest, DCTERMS.source) == "first.txt"
    assert store.replace_unless_other_source(name, first, digest, "first.txt") is None


def voxgraph(*args: str) -> subprocess.CompletedProcess[str]:
    """The `voxgraph` command, run as a user runs it (stderr into stdout, as on a terminal)."""
    command = [sys.executable, "-m", "voxgraph.cli", *args]
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_command_refuses_then_replaces(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    original = shutil.copy(CORPUS / f"{KEY}.txt", tmp_path / f"{KEY}.txt")
    loaded = voxgraph("load", str(original), "--store", store, "--no-progress")
    assert loaded.returncode == 0, loaded.stdout
    notes = notes_from_friday(tmp_path / "inbox")

    refused = voxgraph("load", str(notes), "--store", store, "--no-progress")
    assert refused.returncode == 1, refused.stdout
    assert f"FAILED: {notes}" in refused.stdout
    assert f"already stored from another file, {KEY}.txt" in refused.stdout
    assert f"voxgraph load --replace {notes}" in refused.stdout
    assert "0 loaded, 0 unchanged, 1 failed" in refused.stdout

    replaced = voxgraph("load", "--replace", str(notes), "--store", store, "--no-progress")
    assert replaced.returncode == 0, replaced.stdout
    assert f"REPLACED: digest {KEY}, stored from {KEY}.txt, by {notes}" in replaced.stdout
    assert "1 loaded, 0 unchanged, 0 failed" in replaced.stdout


def test_load_help_documents_replace() -> None:
    shown = CliRunner().invoke(main, ["load", "--help"]).output
    assert "--replace" in shown and "refused" in shown
