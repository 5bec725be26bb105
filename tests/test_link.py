"""Linking actors to Wikidata, against a local stand-in of the API (tests/wikidata_standin.py)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import OWL

from loader import link
from loader.names import fold, similarity
from loader.registry import Link, Registry, RegistryError
from loader.validate import check
from loader.wikidata import WikidataClient, WikidataError
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
from voxgraph.paths import ACTOR_REGISTRY

DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")

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
    code, output = run("--registry", str(registry_file), "--accept", "ali-karimli", POLITICIAN)
    assert code == 0, output
    text = registry_file.read_text(encoding="utf-8")
    assert text.startswith("# a small registry\n")
    entry = Registry.load(registry_file).by_id["ali-karimli"]
    assert entry.wikidata is not None
    assert (entry.wikidata.qid, entry.wikidata.status) == (POLITICIAN, "verified")
    assert entry.wikidata.source == "curator review"
    assert entry.roles and entry.country == "azerbaijan"  # the rest of the entry stays
    # accepting again replaces the link; one item cannot go to two actors
    assert run("--registry", str(registry_file), "--accept", "ali-karimli", FOOTBALLER)[0] == 0
    assert Registry.load(registry_file).by_id["ali-karimli"].wikidata.qid == FOOTBALLER
    code, output = run("--registry", str(registry_file), "--accept", "nurlan-libre", FOOTBALLER)
    assert code == 1 and "already linked" in output
    assert registry_file.read_text(encoding="utf-8").count(FOOTBALLER) == 1
    code, output = run("--registry", str(registry_file), "--accept", "nobody", "Q1")
    assert code == 1 and "add the actor to the registry first" in output


def test_verify_reports_links_that_do_not_fit_and_promotes_those_that_do(
    standin: StandIn, registry_file: Path, tmp_path: Path
) -> None:
    today = "2026-11-22"
    source = "model knowledge, not checked against Wikidata"
    link.record_link(registry_file, "ali-karimli", Link(POLITICIAN, "unverified", source, today))
    link.record_link(registry_file, "nurlan-libre", Link(ECONOMIST, "unverified", source, today))
    args = ("--registry", str(registry_file), "--api", standin.url, "--cache", str(tmp_path))
    code, output = run(*args, "--verify", "--promote")
    assert code == 1
    assert f"fits: ali-karimli -> {POLITICIAN}" in output
    assert f"DOES NOT FIT: nurlan-libre -> {ECONOMIST}" in output
    registry = Registry.load(registry_file)
    assert registry.by_id["ali-karimli"].wikidata.verified
    assert not registry.by_id["nurlan-libre"].wikidata.verified


# -- the links in the graph --------------------------------------------------------------


def test_links_become_same_as_or_candidate_and_conform(registry_file: Path) -> None:
    link.record_link(
        registry_file, "ali-karimli", Link(POLITICIAN, "verified", "curator review", "2026-11-22")
    )
    link.record_link(
        registry_file,
        "gubad-ibadoglu",
        Link(ECONOMIST, "unverified", "candidate search", "2026-11-22", 0.93),
    )
    graph = Registry.load(registry_file).graph()
    karimli, ibadoglu = ID["actor/ali-karimli"], ID["actor/gubad-ibadoglu"]
    assert (karimli, OWL.sameAs, WD[POLITICIAN]) in graph
    assert (karimli, VOX.wikidataCandidate, None) not in graph
    assert (ibadoglu, VOX.wikidataCandidate, WD[ECONOMIST]) in graph
    assert (ibadoglu, VOX.wikidataScore, Literal("0.93", datatype=DECIMAL)) in graph
    assert (ibadoglu, OWL.sameAs, None) not in graph
    check(graph)


def test_bad_links_are_refused(registry_file: Path) -> None:
    entries = yaml.safe_load(registry_file.read_text(encoding="utf-8"))
    for bad, message in [
        ({"qid": "42", "status": "verified", "source": "x", "date": "2026-11-22"}, "Q42"),
        ({"qid": "Q42", "status": "maybe", "source": "x", "date": "2026-11-22"}, "status"),
        ({"qid": "Q42", "status": "verified"}, "source and a date"),
    ]:
        entries[0]["wikidata"] = bad
        registry_file.write_text(yaml.safe_dump(entries), encoding="utf-8")
        with pytest.raises(RegistryError, match=message):
            Registry.load(registry_file)


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


def test_every_bundled_link_says_where_it_came_from() -> None:
    raw = yaml.safe_load(ACTOR_REGISTRY.read_text(encoding="utf-8"))
    links = [item["wikidata"] for item in raw if "wikidata" in item]
    assert links, "the registry has no links at all"
    for item in links:
        assert item["source"] and item["date"]
        if item["status"] == "verified":
            assert "model knowledge" not in item["source"]  # only a check makes it verified
