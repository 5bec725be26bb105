"""Linking actors to Wikidata, against a local stand-in of the API (tests/wikidata_standin.py)."""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL

from tests.wikidata_standin import (
    ECONOMIST,
    FOOTBALLER,
    POLITICIAN,
    SURNAME,
    StandIn,
    wikidata_standin,
)
from voxgraph.cli import main
from voxgraph.iris import ID, VOX, WD
from voxgraph.loader.link import candidates as link
from voxgraph.loader.link.wikidata import WikidataClient, WikidataError
from voxgraph.loader.registry import Link, Registry, RegistryError, Source
from voxgraph.loader.validate.shacl import ShapeError, check
from voxgraph.names import fold, similarity
from voxgraph.paths import ACTOR_REGISTRY

DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

# A made-up public data set that names the stand-in's items (tests/wikidata_standin.py).
COMMIT = "0123456789abcdef0123456789abcdef01234567"
PEOPLE_CSV = f"example/politicians:data/people.csv@{COMMIT}"
KARIMLI_ROW = f"{POLITICIAN},Ali Karimli,Azerbaijan,Chairman of the Azerbaijan Popular Front Party"


def sourced(qid: str, status: str = "verified", score: float | None = None) -> Link:
    """A link to `qid` whose source is a row of the made-up data set."""
    row = f"{qid},someone,Azerbaijan"
    where = Source(repository="example/politicians", path="data/people.csv", commit=COMMIT, row=row)
    return Link(qid, status, where, "2026-11-22", match="country Azerbaijan", score=score)


ACTORS = [
    {
        "id": "ali-karimli",
        "label": "Ali Karimli",
        "type": "Person",
        "aliases": ["Karimli"],
        "roles": [
            {"title": "Chairperson of APFP", "in": "azerbaijan-popular-front-party"},
            {"title": "Opposition leader"},
        ],
        "country": "azerbaijan",
    },
    {
        "id": "gubad-ibadoglu",
        "label": "Gubad Ibadoglu",
        "type": "Person",
        "aliases": ["Ibadoglu", "Ibadoghlu"],
        "roles": [{"title": "Professor"}, {"title": "political prisoner"}],
    },
    {"id": "nurlan-libre", "label": "Nurlan Libre", "type": "Person", "roles": []},
    {
        "id": "azerbaijan-popular-front-party",
        "label": "Azerbaijan Popular Front Party",
        "type": "PoliticalParty",
        "aliases": ["APFP"],
    },
]


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with wikidata_standin() as state:
        yield state


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "actors.yaml"
    text = "# a small registry\n\n" + yaml.safe_dump(ACTORS, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def client(standin: StandIn, cache: Path | None, **options) -> WikidataClient:
    return WikidataClient(standin.url, cache, backoff=0, **options)


def target(registry_file: Path, actor: str) -> link.Target:
    registry = Registry.load(registry_file)
    return link.target_from_entry(registry.by_id[actor], registry, curated=True)


# -- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ibadoglu", "İbadoğlu"),
        ("Ibadoghlu", "İbadoğlu"),
        ("Gubad Ibadoglu", "Qubad İbadoğlu"),
        ("Ali Karimli", "Əli Kərimli"),
        ("Hikmet Hajiyev", "Hikmət Hacıyev"),
        ("Tofig Yagublu", "Tofiq Yaqublu"),
        ("Ibrahim Khudayi", "İbrahim Xudayi"),
        ("Aliyev Ilham", "Ilham Aliyev"),
    ],
)
def test_transliterations_fold_together(a: str, b: str) -> None:
    assert fold(a) == fold(b) or similarity(a, b) == 1.0


def test_different_names_stay_apart() -> None:
    assert similarity("Ali Karimli", "Ali Asadov") < 0.6
    assert similarity("Hikmet Hajiyev", "Hikmat Mirzayev") < 0.7


# -- finding candidates ------------------------------------------------------------------


def test_the_party_leader_is_found_and_the_footballer_namesake_is_not(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    found = link.find_candidates(target(registry_file, "ali-karimli"), client(standin, tmp_path))
    scores = {c.item.id: c for c in found}
    assert scores[POLITICIAN].score >= link.DEFAULT_THRESHOLD
    assert scores[FOOTBALLER].score < link.DEFAULT_THRESHOLD
    assert any("contradicts the roles" in r for r in scores[FOOTBALLER].reasons)
    assert found[0].item.id == POLITICIAN


def test_a_transliterated_item_is_found_and_a_surname_item_is_ruled_out(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    ibadoglu = target(registry_file, "gubad-ibadoglu")
    found = {c.item.id: c for c in link.find_candidates(ibadoglu, client(standin, tmp_path))}
    assert found[ECONOMIST].score >= link.DEFAULT_THRESHOLD
    assert "name 1.00" in found[ECONOMIST].reasons[0]
    assert SURNAME not in found  # a bare surname is not searched for a person
    surname = client(standin, tmp_path).items([SURNAME])[SURNAME]
    assert link.score(ibadoglu, surname).score == 0  # not a human


def test_an_actor_without_an_item_gets_no_candidate(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    libre = target(registry_file, "nurlan-libre")
    assert link.find_candidates(libre, client(standin, tmp_path)) == []


def test_an_item_linked_to_another_actor_is_not_offered(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    karimli = target(registry_file, "ali-karimli")
    taken = {POLITICIAN: "someone-else"}
    found = link.find_candidates(karimli, client(standin, tmp_path), taken)
    assert [c.item.id for c in found] == [FOOTBALLER]


# -- the client --------------------------------------------------------------------------


def test_a_second_run_asks_nothing(standin: StandIn, registry_file: Path, tmp_path: Path) -> None:
    karimli = target(registry_file, "ali-karimli")
    first = client(standin, tmp_path / "cache")
    link.find_candidates(karimli, first)
    assert first.requests > 0
    before = len(standin.requests)
    second = client(standin, tmp_path / "cache")
    again = link.find_candidates(karimli, second)
    assert second.requests == 0 and len(standin.requests) == before
    assert again[0].item.id == POLITICIAN


def test_429_is_retried_after_the_wait_it_asks_for(standin: StandIn, tmp_path: Path) -> None:
    waits: list[float] = []
    api = client(standin, None, sleep=waits.append)
    standin.fail_next = 2
    assert api.search("Ali Karimli")[:1] == [POLITICIAN]
    assert api.requests == 3 and waits == [0.0, 0.0]  # Retry-After: 0


def test_giving_up_names_the_problem(standin: StandIn) -> None:
    api = client(standin, None, sleep=lambda _: None)
    standin.fail_next = 100
    try:
        with pytest.raises(WikidataError, match="HTTP 429"):
            api.search("Ali Karimli")
    finally:
        standin.fail_next = 0


def test_items_are_fetched_50_at_a_time_with_a_descriptive_user_agent(standin: StandIn) -> None:
    api = client(standin, None)
    before = len(standin.requests)
    ids = [POLITICIAN, *(f"Q8{n:06d}" for n in range(120))]
    found = api.items(ids)
    assert list(found) == [POLITICIAN]  # the others are missing
    calls = standin.requests[before:]
    assert [len(c["ids"].split("|")) for c in calls] == [50, 50, 21]
    assert all(c["format"] == "json" and c["maxlag"] == "5" for c in calls)
    assert "voxgraph" in standin.user_agents[-1] and "https://" in standin.user_agents[-1]


# -- the command -------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["link", *args])
    return result.exit_code, result.output


def test_the_command_writes_the_candidates_above_the_threshold(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "candidates.csv"
    code, output = run(
        *("--registry", str(registry_file), "--store", str(tmp_path / "no-store")),
        *("--api", standin.url, "--cache", str(tmp_path / "cache"), "-o", str(out)),
    )
    assert code == 0, output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by_actor = {}
    for row in rows:
        by_actor.setdefault(row["actor"].removeprefix(str(ID)), []).append(row["qid"])
    assert by_actor["actor/ali-karimli"] == [POLITICIAN]
    assert by_actor["actor/gubad-ibadoglu"] == [ECONOMIST]
    assert "actor/nurlan-libre" not in by_actor
    assert list(rows[0]) == [
        "actor",
        "actor_label",
        "qid",
        "candidate_label",
        "description",
        "score",
        "reasons",
    ]


def test_accept_records_a_verified_link_and_keeps_the_file(
    registry_file: Path, tmp_path: Path
) -> None:
    source = ("--source", PEOPLE_CSV, "--row", KARIMLI_ROW, "--match", "chairs the APFP")
    code, output = run(
        "--registry", str(registry_file), "--accept", "ali-karimli", POLITICIAN, *source
    )
    assert code == 0, output
    text = registry_file.read_text(encoding="utf-8")
    assert text.startswith("# a small registry\n")
    entry = Registry.load(registry_file).by_id["ali-karimli"]
    assert entry.wikidata is not None
    assert (entry.wikidata.qid, entry.wikidata.status) == (POLITICIAN, "verified")
    assert entry.wikidata.source == Source(
        repository="example/politicians", path="data/people.csv", commit=COMMIT, row=KARIMLI_ROW
    )
    assert entry.wikidata.match == "chairs the APFP"
    assert entry.roles and entry.country == "azerbaijan"  # the rest of the entry stays
    # accepting again replaces the link; one item cannot go to two actors
    page = ("--source", "https://example.org/who-is-who/ali-karimli")
    assert (
        run("--registry", str(registry_file), "--accept", "ali-karimli", FOOTBALLER, *page)[0] == 0
    )
    replaced = Registry.load(registry_file).by_id["ali-karimli"].wikidata
    assert replaced.qid == FOOTBALLER and replaced.source.url == page[1]
    code, output = run(
        "--registry", str(registry_file), "--accept", "nurlan-libre", FOOTBALLER, *page
    )
    assert code == 1 and "already linked" in output
    assert registry_file.read_text(encoding="utf-8").count(FOOTBALLER) == 1
    code, output = run("--registry", str(registry_file), "--accept", "nobody", "Q1", *page)
    assert code == 1 and "add the actor to the registry first" in output


@pytest.mark.parametrize(
    "source, message",
    [
        ((), "--accept needs --source"),
        (("--source", "curator review"), "not checkable"),
        (("--source", "model knowledge"), "not checkable"),
        (("--source", "example/politicians:data/people.csv@main", "--row", KARIMLI_ROW), "40 hex"),
        (("--source", PEOPLE_CSV), "must quote the text"),
        (("--source", PEOPLE_CSV, "--row", "Ali Karimli,Azerbaijan"), "must quote the text"),
        (("--source", "http://example.org/page"), "https://"),
    ],
)
def test_accept_refuses_a_link_a_reader_cannot_check(
    registry_file: Path, source: tuple[str, ...], message: str
) -> None:
    before = registry_file.read_text(encoding="utf-8")
    code, output = run(
        "--registry", str(registry_file), "--accept", "ali-karimli", POLITICIAN, *source
    )
    assert code == 2, output
    assert message in output, output
    assert registry_file.read_text(encoding="utf-8") == before


def test_accept_reads_a_github_address_of_a_file_at_a_commit(registry_file: Path) -> None:
    address = f"https://github.com/example/politicians/blob/{COMMIT}/data/people.csv#L7"
    args = ("--accept", "ali-karimli", POLITICIAN, "--source", address, "--row", KARIMLI_ROW)
    assert run("--registry", str(registry_file), *args)[0] == 0
    source = Registry.load(registry_file).by_id["ali-karimli"].wikidata.source
    assert (source.repository, source.path, source.commit, source.line) == (
        "example/politicians",
        "data/people.csv",
        COMMIT,
        7,
    )
    assert source.address == address


def test_verify_reports_links_that_do_not_fit_and_promotes_those_that_do(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    link.record_link(registry_file, "ali-karimli", sourced(POLITICIAN, "unverified"))
    link.record_link(registry_file, "nurlan-libre", sourced(ECONOMIST, "unverified"))
    args = ("--registry", str(registry_file), "--api", standin.url, "--cache", str(tmp_path))
    code, output = run(*args, "--verify", "--promote")
    assert code == 1
    assert f"fits: ali-karimli -> {POLITICIAN}" in output
    assert f"DOES NOT FIT: nurlan-libre -> {ECONOMIST}" in output
    registry = Registry.load(registry_file)
    promoted = registry.by_id["ali-karimli"].wikidata
    assert promoted.verified and promoted.checked.startswith("voxgraph link --verify --promote")
    assert promoted.source == sourced(POLITICIAN).source  # the source a reader checks stays
    assert not registry.by_id["nurlan-libre"].wikidata.verified


# -- the links in the graph --------------------------------------------------------------


def test_links_become_same_as_or_candidate_and_conform(registry_file: Path) -> None:
    link.record_link(registry_file, "ali-karimli", sourced(POLITICIAN))
    link.record_link(registry_file, "gubad-ibadoglu", sourced(ECONOMIST, "unverified", 0.93))
    graph = Registry.load(registry_file).graph()
    karimli, ibadoglu = ID["actor/ali-karimli"], ID["actor/gubad-ibadoglu"]
    assert (karimli, OWL.sameAs, WD[POLITICIAN]) in graph
    assert (karimli, VOX.wikidataCandidate, None) not in graph
    assert (ibadoglu, VOX.wikidataCandidate, WD[ECONOMIST]) in graph
    assert (ibadoglu, VOX.wikidataScore, Literal("0.93", datatype=DECIMAL)) in graph
    assert (ibadoglu, OWL.sameAs, None) not in graph
    check(graph)


def test_each_link_says_in_the_graph_where_a_reader_can_check_it(registry_file: Path) -> None:
    link.record_link(registry_file, "ali-karimli", sourced(POLITICIAN))
    graph = Registry.load(registry_file).graph()
    karimli = ID["actor/ali-karimli"]
    about = URIRef(f"{karimli}#wikidata")
    assert graph.value(karimli, VOX.wikidataLink) == about
    assert graph.value(about, VOX.linkedItem) == WD[POLITICIAN]
    assert graph.value(about, DCTERMS.source) == URIRef(
        f"https://github.com/example/politicians/blob/{COMMIT}/data/people.csv"
    )
    assert graph.value(about, VOX.sourceRow) == Literal(f"{POLITICIAN},someone,Azerbaijan")
    assert graph.value(about, VOX.matchedOn) == Literal("country Azerbaijan")
    assert graph.value(about, DCTERMS.modified) == Literal("2026-11-22", datatype=XSD_DATE)
    assert graph.value(about, DCTERMS.date) is None  # dcterms:date dates digests only


def test_a_same_as_without_its_source_breaks_the_shapes(registry_file: Path) -> None:
    link.record_link(registry_file, "ali-karimli", sourced(POLITICIAN))
    graph = Registry.load(registry_file).graph()
    graph.remove((URIRef(f"{ID['actor/ali-karimli']}#wikidata"), DCTERMS.source, None))
    with pytest.raises(ShapeError) as raised:
        check(graph)
    messages = str(raised.value)
    assert "needs exactly one dcterms:source" in messages, messages
    assert "needs a vox:wikidataLink naming that item" in messages, messages


def test_bad_links_are_refused(registry_file: Path) -> None:
    entries = yaml.safe_load(registry_file.read_text(encoding="utf-8"))
    good = {"repository": "example/politicians", "path": "people.csv", "commit": COMMIT}
    for bad, message in [
        ({"qid": "42", "status": "verified", "source": "x", "date": "2026-11-22"}, "Q42"),
        ({"qid": "Q42", "status": "maybe", "source": "x", "date": "2026-11-22"}, "status"),
        ({"qid": "Q42", "status": "verified"}, "source and a date"),
        (
            {
                "qid": "Q42",
                "status": "unverified",
                "date": "2026-11-22",
                "source": "model knowledge",
            },
            "is not checkable",
        ),
        (
            {
                "qid": "Q42",
                "status": "verified",
                "date": "2026-11-22",
                "source": {**good, "row": "Q4,x"},
            },
            "must quote the text of people.csv that names Q42",
        ),
        (
            {
                "qid": "Q42",
                "status": "verified",
                "date": "2026-11-22",
                "source": {**good, "commit": "0123abc", "row": "Q42,x"},
            },
            "40 hex digits",
        ),
        (
            {"qid": "Q42", "status": "verified", "date": "2026-11-22", "source": {"row": "Q42"}},
            "needs repository",
        ),
    ]:
        entries[0]["wikidata"] = bad
        registry_file.write_text(yaml.safe_dump(entries), encoding="utf-8")
        with pytest.raises(RegistryError, match=message):
            Registry.load(registry_file)


# -- checking sources offline, and coverage --------------------------------------------


def git(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(cwd)}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_check_sources_rereads_each_row_at_its_commit(registry_file: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clones" / "example" / "politicians"
    (clone / "data").mkdir(parents=True)
    git("init", "-q", cwd=clone)
    (clone / "data" / "people.csv").write_text(f"id,name\n{KARIMLI_ROW}\n", encoding="utf-8")
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "people", cwd=clone)
    commit = git("rev-parse", "HEAD", cwd=clone)
    where = f"example/politicians:data/people.csv@{commit}"
    accept = ("--accept", "ali-karimli", POLITICIAN, "--source", where, "--row", KARIMLI_ROW)
    assert run("--registry", str(registry_file), *accept)[0] == 0
    code, output = run(
        "--registry", str(registry_file), "--check-sources", str(tmp_path / "clones")
    )
    assert code == 0, output
    assert f"holds: ali-karimli -> {POLITICIAN}" in output
    # a row the file does not hold at that commit is reported, and so is a page
    text = registry_file.read_text(encoding="utf-8").replace("Chairman", "Chairwoman")
    registry_file.write_text(text, encoding="utf-8")
    page = ("--source", "https://example.org/who-is-who/gubad-ibadoglu")
    assert (
        run("--registry", str(registry_file), "--accept", "gubad-ibadoglu", ECONOMIST, *page)[0]
        == 0
    )
    code, output = run(
        "--registry", str(registry_file), "--check-sources", str(tmp_path / "clones")
    )
    assert code == 1
    assert "NOT CHECKED: ali-karimli" in output and "does not hold the row" in output
    assert "NOT CHECKED: gubad-ibadoglu" in output and "a web page, open it to check" in output


def test_a_row_is_found_piece_by_piece_within_one_record() -> None:
    yaml_text = "Council of Europe:\n  SPRVD_id: X\n  Wikidata_code: Q8908\nOther:\n"
    assert link.row_found("Council of Europe: … Wikidata_code: Q8908", yaml_text, 1)
    assert not link.row_found("Council of Europe: … Wikidata_code: Q8908", yaml_text, 2)
    assert not link.row_found("Wikidata_code: Q8908 … Council of Europe:", yaml_text)


def test_coverage_counts_linked_actors_by_type_and_names_the_sources(registry_file: Path) -> None:
    link.record_link(registry_file, "ali-karimli", sourced(POLITICIAN))
    link.record_link(registry_file, "gubad-ibadoglu", sourced(ECONOMIST, "unverified"))
    code, output = run("--registry", str(registry_file), "--coverage")
    assert code == 0, output
    rows = {line.split(" | ")[0].strip("| *"): line for line in output.splitlines()[2:]}
    assert rows["Person"] == "| Person | 3 | 2 | 1 | 1 | example/politicians (2) |"
    assert rows["PoliticalParty"] == "| PoliticalParty | 1 | 0 | 0 | 0 | – |"
    assert rows["all"].startswith("| **all** | **4** | **2** | **1** | **1** |")


# -- the bundled registry ----------------------------------------------------------------


def test_no_two_actors_share_an_item_and_each_has_at_most_one_verified_item() -> None:
    registry = Registry.load()
    owners: dict[str, list[str]] = {}
    for entry in registry.entries:
        if entry.wikidata is not None:
            owners.setdefault(entry.wikidata.qid, []).append(entry.id)
    assert {qid: ids for qid, ids in owners.items() if len(ids) > 1} == {}
    graph = registry.graph()
    for subject in set(graph.subjects(OWL.sameAs, None)):
        assert len(list(graph.objects(subject, OWL.sameAs))) == 1, subject
    for subject in set(graph.subjects(VOX.wikidataCandidate, None)):
        assert len(list(graph.objects(subject, VOX.wikidataCandidate))) == 1, subject


def test_every_bundled_link_has_a_source_a_reader_can_check() -> None:
    registry = Registry.load()  # a link without a checkable source would not load
    links = {e.id: e.wikidata for e in registry.entries if e.wikidata is not None}
    assert len(links) >= 20, f"only {len(links)} links in the registry"
    for actor, found in links.items():
        source = found.source
        if source.url:
            assert source.url.startswith("https://"), actor
            continue
        assert re.fullmatch(r"[0-9a-f]{40}", source.commit or ""), f"{actor}: {source}"
        assert re.search(rf"\b{found.qid}\b", source.row), f"{actor}: row does not name the item"
        assert found.match, f"{actor}: says nothing of what ties it to the row beyond the name"
    text = ACTOR_REGISTRY.read_text(encoding="utf-8")
    assert 'source: "model knowledge' not in text


def test_the_president_is_not_linked_to_his_namesake_mp() -> None:
    aliyev = Registry.load().by_id["ilham-aliyev"].wikidata
    assert aliyev is not None and aliyev.qid != "Q19716385"  # İlham Əliyev, MP 2015
    assert "President of Azerbaijan" in aliyev.source.row
