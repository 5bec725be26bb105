"""Bad digests among good ones: each is named with a specific reason or loaded with a
warning, the rest of the batch loads, and nothing stored is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voxgraph.loader import pipeline
from voxgraph.loader.read.digest import DigestError
from voxgraph.loader.read.parse import MAX_DIGEST_BYTES, read_digest
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS

GOOD = CORPUS / "2022-11-08.txt"
TEXT = GOOD.read_text(encoding="utf-8")
LATIN = (
    "Center for National and International Studies\n\n"
    "Opposition\n\n"
    "Ali Karimli said: “The café protest will go on.” The Popular Front confirmed it.\n\n"
    "November 4, 2022\n"
)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.Report, GraphStore]:
    """One batch with every kind of bad file, loaded over a store holding one digest."""
    folder = tmp_path_factory.mktemp("batch")
    store = GraphStore(folder.parent / (folder.name + "-store"))
    pipeline.run([CORPUS / "2023-10-03.txt"], store)
    write(folder, "a-empty.txt", b"")
    write(folder, "b-binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(folder, "c-latin1.txt", LATIN.replace("“", '"').replace("”", '"').encode("cp1252"))
    write(folder, "d-utf16.txt", LATIN.replace("2022", "2021").encode("utf-16"))
    write(folder, "e-utf16-nobom.txt", LATIN.replace("2022", "2020").encode("utf-16-le"))
    with (folder / "f-huge.txt").open("wb") as huge:
        huge.write(TEXT.encode() * (50_000_000 // len(TEXT.encode()) + 1))
    write(folder, "g-undated.txt", TEXT.rsplit("\n", 2)[0].encode())
    no_sections = (
        "Center for National and International Studies\n\n"
        "Ali Karimli said the rally will go on. Police detained two activists.\n\n"
        "March 1, 2021\n"
    )
    write(folder, "h-no-sections.txt", no_sections.encode())
    unbalanced = TEXT.replace("”", "", 3).replace("“", "", 1).replace("November 8", "November 9")
    write(folder, "i-unbalanced-quotes.txt", unbalanced.encode())
    shutil.copy(GOOD, folder / "j-good.txt")
    shutil.copy(GOOD, folder / "k-good-copy.txt")
    report = pipeline.run([folder], store)
    return folder, report, store


def test_each_bad_file_is_named_with_its_problem(batch) -> None:
    folder, report, _ = batch
    failed = {Path(name).name: reason for name, reason in report.failed.items()}
    assert set(failed) == {"a-empty.txt", "b-binary.txt", "f-huge.txt", "g-undated.txt"}
    assert failed["a-empty.txt"].endswith("a-empty.txt: empty file")
    assert "binary content, not text: NUL byte at byte 8" in failed["b-binary.txt"]
    assert "file too large for a digest" in failed["f-huge.txt"]
    assert f"the limit is {MAX_DIGEST_BYTES:,}" in failed["f-huge.txt"]
    assert "g-undated.txt:" in failed["g-undated.txt"]
    assert "no publication date found" in failed["g-undated.txt"]


def test_latin1_and_utf16_load_with_a_warning_where_guessed(batch) -> None:
    folder, report, store = batch
    loaded = {Path(name).name for name in report.loaded}
    assert {"c-latin1.txt", "d-utf16.txt", "e-utf16-nobom.txt"} <= loaded
    warnings = {Path(name).name: w for name, w in report.warnings.items()}
    assert "read as Windows-1252 (Latin-1)" in warnings["c-latin1.txt"][0]
    assert "c-latin1.txt:5: not UTF-8 (invalid byte 0xe9" in warnings["c-latin1.txt"][0]
    assert "d-utf16.txt" not in warnings  # a byte-order mark says what it is
    assert "UTF-16 without a byte-order mark" in warnings["e-utf16-nobom.txt"][0]
    text = store.value(
        "https://w3id.org/voxgraph/graph/digest/2022-11-04",
        "https://w3id.org/voxgraph/id/digest/2022-11-04",
        "https://w3id.org/voxgraph/ontology#text",
    )
    assert text is not None and "café" in text


def test_odd_layouts_load_best_effort_and_conform(batch) -> None:
    _, report, store = batch
    loaded = {Path(name).name for name in report.loaded}
    assert {"h-no-sections.txt", "i-unbalanced-quotes.txt", "j-good.txt"} <= loaded
    graphs = store.named_graphs()
    assert "https://w3id.org/voxgraph/graph/digest/2021-03-01" in graphs
    assert "https://w3id.org/voxgraph/graph/digest/2022-11-09" in graphs


def test_the_same_bytes_twice_load_once_with_a_warning(batch) -> None:
    folder, report, _ = batch
    assert report.duplicates == {str(folder / "k-good-copy.txt"): str(folder / "j-good.txt")}


def test_what_was_stored_before_is_still_there(batch) -> None:
    _, _, store = batch
    assert "https://w3id.org/voxgraph/graph/digest/2023-10-03" in store.named_graphs()


def test_text_that_is_neither_utf8_nor_latin1_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "x.txt", b"Center\nline two\n\x81\x8d\x8f junk\n")
    with pytest.raises(DigestError, match=r"x\.txt:3: not UTF-8 text: invalid byte 0x81"):
        read_digest(path)


def test_a_mapper_bug_fails_one_file_not_the_batch(tmp_path: Path, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    shutil.copy(GOOD, tmp_path / "a.txt")
    monkeypatch.setattr(pipeline, "map_digest", broken)
    report = pipeline.run([tmp_path / "a.txt"], None)
    assert "could not be mapped (RuntimeError: boom)" in report.failed[str(tmp_path / "a.txt")]
