"""`voxgraph harvest` against a stand-in of the publisher's WordPress site (127.0.0.1).

The stand-in (tests/wordpress_standin.py) serves the five bundled digests as
WordPress posts, among a theme's chrome, plus an event announcement and a
research paper, through the documented REST API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Store
from rdflib.namespace import DCTERMS

from tests.wordpress_standin import CHROME, Post, StandIn, corpus_posts, digest_html, running
from voxgraph.cli import main
from voxgraph.iris import digest_graph, digest_iri
from voxgraph.loader import pipeline
from voxgraph.loader.extract import extract
from voxgraph.loader.read.digest import Digest
from voxgraph.loader.read.harvest import Criteria, PoliteSession, Summary, harvest, is_digest
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.registry import Registry
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS

SEEDS = sorted(CORPUS.glob("*.txt"))
DATES = [path.stem for path in SEEDS]
POSTS_API = "/eng/wp-json/wp/v2/posts"


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with running() as site:
        yield site


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary, str]:
    """The stand-in harvested once: the folder, the summary and the site root."""
    out = tmp_path_factory.mktemp("harvest")
    with running() as site:
        summary = harvest(site.site, out, delay=0)
    return out, summary, site.site


def quick(delay: float = 0, retries: int = 4) -> PoliteSession:
    """A polite session that does not make the tests wait long: short back-off."""
    return PoliteSession(delay, backoff=0.2, retries=retries)


def as_a_browser_shows_it(text: str) -> str:
    """A digest's text with runs of blanks collapsed and one blank line between blocks."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line) + "\n"


# --- what a harvest writes


def test_the_digests_are_written_by_date_and_the_other_posts_are_skipped(
    harvested: tuple[Path, Summary, str],
) -> None:
    out, summary, site = harvested
    written = sorted(p.name for p in out.iterdir() if p.is_file())
    assert written == sorted([f"{d}.txt" for d in DATES] + [f"{d}.txt.source" for d in DATES])
    assert summary.line() == (
        "5 new, 0 updated, 0 unchanged, 2 skipped as not a digest, 0 failed "
        "(5 pages fetched, 0 from the cache)"
    )
    assert sorted(summary.skipped) == [
        f"{site}energy-corridors-of-the-caspian/",
        f"{site}round-table-on-regional-security/",
    ], "the research paper and the event announcement are the posts to skip"
    for why in summary.skipped.values():
        assert why.startswith("no mark of the series"), why


def test_each_digest_keeps_its_page_url_beside_it(harvested: tuple[Path, Summary, str]) -> None:
    out, _, site = harvested
    source = (out / "2022-11-04.txt.source").read_text(encoding="utf-8")
    assert source == f"{site}digest-04-11-2022/\n"


def test_the_text_is_the_seed_text_as_a_browser_shows_it_without_the_theme(
    harvested: tuple[Path, Summary, str],
) -> None:
    out, _, _ = harvested
    for seed in SEEDS:
        text = (out / seed.name).read_text(encoding="utf-8")
        expected = as_a_browser_shows_it(seed.read_text(encoding="utf-8"))
        assert text == expected, f"{seed.name}: the harvested text is not the seed's text"
        leaked = [words for words in CHROME if words in text]
        assert not leaked, f"{seed.name}: the theme's chrome got into the digest: {leaked}"


def content(digest: Digest, registry: Registry) -> dict[str, list]:
    """The facts of a digest without offsets: what each says, and the words it was read from."""

    def words(span) -> str:
        return " ".join(digest.text[span.begin : span.end].split())

    def key(actors) -> tuple[str, ...]:
        return tuple(sorted(actor.key for actor in actors))

    facts = extract(digest, registry)
    return {
        "actors": sorted(
            {(m.actor.key, m.actor.type, " ".join(m.surface.split())) for m in facts.mentions}
        ),
        "roles": sorted(
            (r.actor.key, r.title, r.organization.key if r.organization else "", words(r.span))
            for r in facts.roles
        ),
        "statements": sorted(
            (
                s.speaker.key,
                " ".join((s.quote or "").split()),
                " ".join((s.paraphrase or "").split()),
                s.medium or "",
                key(s.mentions),
                tuple(words(span) for span in s.evidence),
            )
            for s in facts.statements
        ),
        "events": sorted(
            (
                e.type,
                key(e.agent),
                key(e.affected),
                key(e.participant),
                key(e.place),
                str(e.date),
                e.status,
                str(e.quantity),
                str(e.duration),
                tuple(words(span) for span in e.evidence),
            )
            for e in facts.events
        ),
    }


def test_the_harvested_digests_give_the_same_facts_as_the_seed_files(
    harvested: tuple[Path, Summary, str],
) -> None:
    out, _, _ = harvested
    registry = Registry.load()
    for seed in SEEDS:
        expected = content(read_digest(seed), registry)
        got = content(read_digest(out / seed.name), registry)
        assert sum(len(facts) for facts in expected.values()) > 20, "the seed gives few facts"
        for kind in expected:
            missing = set(expected[kind]) - set(got[kind])
            extra = set(got[kind]) - set(expected[kind])
            assert not missing and not extra, (
                f"{seed.name}: {kind} differ; only in the seed: {missing}; "
                f"only in the harvest: {extra}"
            )


def test_the_harvested_folder_loads_with_each_page_url_as_the_source(
    harvested: tuple[Path, Summary, str], tmp_path: Path
) -> None:
    out, _, site = harvested
    result = CliRunner().invoke(
        main, ["load", str(out), "--store", str(tmp_path / "store"), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "5 loaded, 0 unchanged, 0 failed" in result.output, (
        "the page cache in .cache/ must not be loaded as digests: " + result.output
    )
    store = Store.read_only(str(tmp_path / "store"))
    rows = store.query(
        "SELECT ?date ?source { ?d <http://purl.org/dc/terms/date> ?date ; "
        "<http://purl.org/dc/terms/source> ?source } ORDER BY ?date",
        use_default_graph_as_union=True,
    )
    sources = {row["date"].value: row["source"].value for row in rows}
    assert sources["2022-11-04"] == f"{site}digest-04-11-2022/"
    assert sorted(sources) == DATES


# --- polite and repeatable


def test_a_second_run_fetches_the_listing_only(standin: StandIn, tmp_path: Path) -> None:
    harvest(standin.site, tmp_path, delay=0)
    standin.requests.clear()
    again = harvest(standin.site, tmp_path, delay=0)
    assert standin.page_requests() == [], "a second run fetched articles it already had"
    assert standin.api_requests() == [POSTS_API, "/eng/wp-json/wp/v2/categories"]
    assert again.line() == (
        "0 new, 0 updated, 5 unchanged, 2 skipped as not a digest, 0 failed "
        "(0 pages fetched, 5 from the cache)"
    )


def test_a_post_changed_since_is_fetched_again_and_its_file_updated(
    standin: StandIn, tmp_path: Path
) -> None:
    harvest(standin.site, tmp_path, delay=0)
    post = standin.post("digest-08-11-2022")
    post.content = post.content.replace("Sochi", "Sochi (Russia)", 1)
    post.modified = "2022-11-09T08:00:00"
    standin.requests.clear()
    again = harvest(standin.site, tmp_path, delay=0)
    assert standin.page_requests() == ["/eng/digest-08-11-2022/"]
    assert again.updated == [tmp_path / "2022-11-08.txt"]
    assert len(again.unchanged) == 4


def test_a_digest_updated_on_the_site_loads_again_in_its_own_place(
    standin: StandIn, tmp_path: Path
) -> None:
    out, store = tmp_path / "harvest", GraphStore(tmp_path / "store")
    harvest(standin.site, out, delay=0, since=date(2022, 11, 8), until=date(2022, 11, 8))
    digest = out / "2022-11-08.txt"
    assert pipeline.run([digest], store).loaded == [str(digest)]
    post = standin.post("digest-08-11-2022")
    post.content = post.content.replace("Sochi", "Sochi (Russia)", 1)
    post.modified = "2022-11-09T08:00:00"
    harvest(standin.site, out, delay=0, since=date(2022, 11, 8), until=date(2022, 11, 8))
    again = pipeline.run([digest], store)
    assert again.loaded == [str(digest)], f"the updated digest was not loaded: {again.failed}"
    source = store.value(digest_graph("2022-11-08"), digest_iri("2022-11-08"), DCTERMS.source)
    assert source == standin.url(post), "the digest is known by its page's URL"


def test_since_and_until_ask_the_api_for_those_days_only(standin: StandIn, tmp_path: Path) -> None:
    summary = harvest(
        standin.site, tmp_path, delay=0, since=date(2023, 9, 22), until=date(2023, 9, 26)
    )
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == ["2023-09-22.txt", "2023-09-26.txt"]
    assert list(summary.skipped) == [f"{standin.site}round-table-on-regional-security/"]
    listing = [q for _, path, q, _ in standin.requests if path == POSTS_API]
    assert "after=2023-09-21T23%3A59%3A59" in listing[0], listing[0]
    assert "before=2023-09-27T00%3A00%3A00" in listing[0], listing[0]


def test_the_listing_is_read_page_by_page_to_the_last(standin: StandIn, tmp_path: Path) -> None:
    summary = harvest(standin.site, tmp_path, delay=0, per_page=3)
    pages = [
        re.search(r"(?:^|&)page=(\d+)", q)[1]
        for _, path, q, _ in standin.requests
        if path == POSTS_API
    ]
    assert pages == ["1", "2", "3"], "7 posts at 3 a page are 3 pages (X-WP-TotalPages)"
    assert len(summary.new) + len(summary.skipped) == 7


def test_429_waits_as_long_as_retry_after_says(standin: StandIn, tmp_path: Path) -> None:
    standin.fail(POSTS_API, 429, retry_after="2")
    summary = harvest(standin.site, tmp_path, session=quick())
    (first, _, _, _), (second, _, _, _) = standin.requests[:2]
    assert 2.0 <= second - first < 3.5, f"retried after {second - first:.2f} s, not 2 s"
    assert summary.ok and len(summary.new) == 5


def test_a_503_is_retried_with_back_off(standin: StandIn, tmp_path: Path) -> None:
    page = "/eng/digest-22-09-2023/"
    standin.fail(page, 503)
    session = quick()
    summary = harvest(standin.site, tmp_path, session=session)
    assert standin.page_requests().count(page) == 2, "the page was not asked again"
    assert session.waits == [0.2], "no Retry-After: the first back-off step"
    assert summary.ok and len(summary.new) == 5


def test_a_page_that_keeps_failing_is_reported_and_the_others_are_harvested(
    standin: StandIn, tmp_path: Path
) -> None:
    standin.fail("/eng/digest-26-09-2023/", 503, times=10)
    summary = harvest(standin.site, tmp_path, session=quick(retries=2))
    assert summary.failed == {
        f"{standin.site}digest-26-09-2023/": f"{standin.site}digest-26-09-2023/: gave up after "
        "3 attempts: HTTP 503 Service Unavailable"
    }
    assert len(summary.new) == 4
    assert not summary.ok


def test_requests_go_one_at_a_time_apart_with_the_projects_user_agent(
    standin: StandIn, tmp_path: Path
) -> None:
    harvest(standin.site, tmp_path, delay=0.1)
    times = [when for when, _, _, _ in standin.requests]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert standin.most_at_once == 1
    assert len(times) == 7 and min(gaps) >= 0.09, f"requests closer than the delay: {gaps}"
    agents = {agent for _, _, _, agent in standin.requests}
    assert len(agents) == 1 and "voxgraph" in agents.pop().lower()
    assert "https://w3id.org/voxgraph" in standin.requests[0][3]


def test_a_second_digest_of_the_same_day_gets_a_suffix_and_keeps_it(tmp_path: Path) -> None:
    seed = (CORPUS / "2023-09-22.txt").read_text(encoding="utf-8")
    side = seed.replace(
        "Center for National and International Studies",
        "FB Digest@VoxPOPULI\n\nCenter for National and International Studies",
        1,
    )
    posts = corpus_posts()
    posts.append(
        Post(
            id=301,
            date="2023-09-22T18:00:00",
            slug="fb-digest-voxpopuli-22-09-2023",
            title="FB Digest@VoxPOPULI 22.09.2023",
            content=digest_html(side),
            categories=[],
        )
    )
    with running(posts) as site:
        harvest(site.site, tmp_path, delay=0)
        (tmp_path / "2023-09-22.txt").unlink()  # and the first one is gone
        again = harvest(site.site, tmp_path, delay=0)
    assert (
        (tmp_path / "2023-09-22-2.txt.source")
        .read_text()
        .endswith("/fb-digest-voxpopuli-22-09-2023/\n")
    )
    assert again.new == [tmp_path / "2023-09-22.txt"], "the first digest is written again"
    assert tmp_path / "2023-09-22-2.txt" in again.unchanged, "the second kept its name"
    assert read_digest(tmp_path / "2023-09-22-2.txt").series == "FB Digest@VoxPOPULI"


def test_a_listing_that_keeps_failing_stops_the_harvest_with_the_reason(
    standin: StandIn, tmp_path: Path
) -> None:
    standin.fail(POSTS_API, 500, times=10)
    summary = harvest(standin.site, tmp_path, session=quick(retries=1))
    assert summary.error == (
        f"{standin.site}wp-json/wp/v2/posts: gave up after 2 attempts: "
        "HTTP 500 Internal Server Error"
    )
    assert not summary.ok and summary.new == []


# --- telling digests from other posts


CRITERIA = Criteria.load()
PUBLISHER = "<p>Center for National and International Studies</p>"


@pytest.mark.parametrize(
    ("title", "categories", "body", "verdict"),
    [
        ("Digest 22.09.2023", [], "<h3>Peace talks</h3><p>They met.</p>", "'digest' in the title"),
        ("Weekly review", ["Digest"], "<p>They met in Baku.</p>", "in the category 'Digest'"),
        ("Weekly review", [], "<h3>Governance and Corruption</h3><p>A minister.</p>", "heading"),
        ("Round table", ["Events"], "<h3>Programme</h3><p>Talks and questions.</p>", None),
        ("Energy corridors", ["Research"], "<h3>Introduction</h3><p>Routes.</p>", None),
    ],
)
def test_a_digest_is_laid_out_as_one_and_marked_as_the_series(
    title: str, categories: list[str], body: str, verdict: str | None
) -> None:
    content = f"{PUBLISHER}{body}<p>September 22, 2023</p>"
    digest, why = is_digest(title, categories, content, CRITERIA)
    if verdict is None:
        assert not digest, f"{title!r} was taken for a digest: {why}"
        assert why.startswith("no mark of the series")
    else:
        assert digest, f"{title!r} was not taken for a digest: {why}"
        assert verdict in why


def test_a_post_called_digest_without_the_digest_layout_is_not_one() -> None:
    content = "<p>We met readers in Ganja.</p><p>Thank you for coming!</p>"
    digest, why = is_digest("Digest of our events", [], content, CRITERIA, date(2023, 5, 2))
    assert not digest
    assert why == (
        "not laid out as a digest: no publisher line, series line or pull quote at the top"
    )


def test_a_post_without_a_date_line_is_read_with_its_publication_date() -> None:
    content = "<blockquote>“They met in Baku.”</blockquote><h3>Peace talks</h3><p>They met.</p>"
    assert is_digest("Weekly", [], content, CRITERIA, date(2021, 3, 2))[0]
    digest, why = is_digest("Weekly", [], content, CRITERIA)
    assert not digest and why.startswith("not laid out as a digest: no publication date"), why


# --- the command


def test_the_command_harvests_and_prints_the_summary(standin: StandIn, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["harvest", standin.site, "-o", str(tmp_path), "--delay", "0", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert f"new: {tmp_path / '2022-11-04.txt'}" in result.output
    assert f"skipped, not a digest: {standin.site}round-table-on-regional-security/" in (
        result.output
    )
    assert result.output.rstrip().endswith(
        "5 new, 0 updated, 0 unchanged, 2 skipped as not a digest, 0 failed "
        "(5 pages fetched, 0 from the cache)"
    )


def test_the_command_exits_1_when_a_digest_fails(tmp_path: Path) -> None:
    gone = Post(
        id=401,
        date="2023-10-05T10:00:00",
        slug="digest-05-10-2023",
        title="Digest 05.10.2023",
        content=f"{PUBLISHER}<h3>Peace talks</h3><p>They met.</p><p>October 5, 2023</p>",
        categories=[],
        served=False,  # listed, but its page answers 404
    )
    with running([*corpus_posts(), gone]) as site:
        result = CliRunner().invoke(
            main, ["harvest", site.site, "-o", str(tmp_path), "--delay", "0", "--no-progress"]
        )
    assert result.exit_code == 1, result.output
    assert f"FAILED: {site.site}digest-05-10-2023/\n  the page answered HTTP 404" in result.output
    assert "5 new, 0 updated, 0 unchanged, 2 skipped as not a digest, 1 failed" in result.output


def test_the_help_documents_every_option() -> None:
    result = CliRunner().invoke(main, ["harvest", "--help"])
    for option in ("--output", "--since", "--until", "--delay", "--cache", "--progress"):
        assert option in result.output, f"{option} is not in voxgraph harvest --help"
