"""`voxgraph load` reads saved pages of the series (*.html, *.htm) and harvested files'
sources (DATE.txt.source), with the same extraction as `voxgraph harvest`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal
from rdflib.namespace import DCTERMS

from tests.wordpress_standin import Post, article_page, corpus_posts
from voxgraph.cli import main
from voxgraph.iris import VOX
from voxgraph.loader import pipeline
from voxgraph.loader.read.webpage import digest_input, page_digest, source_file
from voxgraph.loader.registry import Registry
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS

SITE = "https://cnis-baku.org/eng/"


def posts() -> dict[str, Post]:
    """The stand-in's posts by slug."""
    return {post.slug: post for post in corpus_posts()}


def save(post: Post, path: Path, site: str = SITE) -> Path:
    """The post's page as a browser's "Save page as" (HTML only) writes it."""
    path.write_text(article_page(post, site), encoding="utf-8")
    return path


def browser_text(seed: Path) -> str:
    lines = [" ".join(line.split()) for line in seed.read_text(encoding="utf-8").splitlines()]
    return "\n\n".join(line for line in lines if line) + "\n"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load()


def test_a_saved_page_is_read_as_its_digest_with_the_canonical_url_as_source(
    tmp_path: Path, registry: Registry
) -> None:
    page = save(posts()["digest-26-09-2023"], tmp_path / "Digest 26.09.2023 – CNIS.html")
    mapped = pipeline.prepare(page, registry)
    assert mapped.key == "2023-09-26"
    digest = next(mapped.graph.subjects(DCTERMS.date, None))
    assert mapped.graph.value(digest, DCTERMS.source) == Literal(f"{SITE}digest-26-09-2023/")
    text = str(mapped.graph.value(digest, VOX.text))
    assert text == browser_text(CORPUS / "2023-09-26.txt"), "the page's text is not the digest's"


def test_a_page_without_a_canonical_link_is_its_own_source(tmp_path: Path) -> None:
    html = article_page(posts()["digest-22-09-2023"], SITE)
    html = "\n".join(line for line in html.splitlines() if "canonical" not in line)
    html = "\n".join(line for line in html.splitlines() if "og:url" not in line)
    page = tmp_path / "digest.htm"
    page.write_text(html, encoding="utf-8")
    text, source = digest_input(page)
    assert source == "digest.htm"
    assert text.decode().startswith("Center for National and International Studies\n\n“")


def test_load_takes_saved_pages_among_text_files_and_reloads_none_unchanged(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    save(posts()["digest-04-11-2022"], folder / "digest-04-11-2022.html")
    save(posts()["digest-08-11-2022"], folder / "digest-08-11-2022.htm")
    (folder / "2023-10-03.txt").write_bytes((CORPUS / "2023-10-03.txt").read_bytes())
    store = GraphStore(tmp_path / "store")
    first = pipeline.run([folder], store)
    assert first.ok, first.failed
    assert [Path(name).name for name in first.loaded] == [
        "2023-10-03.txt",
        "digest-04-11-2022.html",
        "digest-08-11-2022.htm",
    ]
    again = pipeline.run([folder], store)
    assert again.loaded == [] and len(again.unchanged) == 3, "unchanged pages are reloaded"


def test_a_page_without_article_text_is_refused_with_the_reason(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><head><title>CNIS</title></head><body></body></html>")
    result = CliRunner().invoke(main, ["validate", str(page)])
    assert result.exit_code == 1
    assert "empty.html: no article text found in the page" in result.output


def test_a_page_that_is_no_digest_is_refused_as_a_text_file_would_be(tmp_path: Path) -> None:
    about = Post(1, "2024-01-01T00:00:00", "about", "About us", "<p>We are a think tank.</p>", [])
    page = save(about, tmp_path / "about.html")
    result = CliRunner().invoke(main, ["validate", str(page)])
    assert result.exit_code == 1
    assert f"{SITE}about/:1: no publication date found" in result.output, result.output
    assert page_digest(page.read_bytes())[0] == "We are a think tank.\n", (
        "a short article brought the theme's chrome along"
    )


def test_a_new_source_file_changes_the_stored_source_with_replace(tmp_path: Path) -> None:
    digest = tmp_path / "2022-11-08.txt"
    digest.write_bytes((CORPUS / "2022-11-08.txt").read_bytes())
    store = GraphStore(tmp_path / "store")
    assert pipeline.run([digest], store).loaded == [str(digest)]
    source_file(digest).write_text(f"{SITE}digest-08-11-2022/\n", encoding="utf-8")
    refused = pipeline.run([digest], store)
    assert "already stored from another file, 2022-11-08.txt" in refused.failed[str(digest)], (
        "a digest known by another source must not be replaced silently"
    )
    again = pipeline.run([digest], store, replace=True)
    assert again.loaded == [str(digest)], "with --replace the new source is taken in"
    sources = store.query(
        "SELECT ?source { ?d a <https://w3id.org/voxgraph/ontology#Digest> ; "
        "<http://purl.org/dc/terms/source> ?source }"
    )  # the digest's source; a Wikidata link node has one too (the page that states it)
    assert [row["source"].value for row in sources] == [f"{SITE}digest-08-11-2022/"]
