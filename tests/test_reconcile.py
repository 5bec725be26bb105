"""/reconcile: requests in the shape of the Reconciliation Service API 0.2 (OpenRefine's)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
from flask.testing import FlaskClient

from tests.server_fixtures import serving_store
from voxgraph.iris import ID, VOX
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.app import create_app
from voxgraph.server.reconcile import WORD_SCORE


@pytest.fixture(scope="module")
def client(corpus_store: GraphStore) -> FlaskClient:
    return create_app(corpus_store).test_client()


def ask(client: FlaskClient, queries: dict, *, method: str = "POST form") -> dict:
    if method == "GET":
        response = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    elif method == "POST form":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        response = client.post("/reconcile", json={"queries": queries})
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_without_queries_the_service_describes_itself(client: FlaskClient, method: str) -> None:
    response = client.open("/reconcile", method=method)
    manifest = response.get_json()
    assert "0.2" in manifest["versions"]
    assert manifest["identifierSpace"] == str(ID)
    assert manifest["schemaSpace"] == str(VOX)
    assert {t["name"]: t["id"] for t in manifest["defaultTypes"]} == {
        "Person": str(VOX.Person),
        "Organization": str(VOX.Organization),
        "Place": str(VOX.Place),
    }
    view = manifest["view"]["url"].replace("{{id}}", "actor/ali-karimli")
    assert view == "http://localhost/id/actor/ali-karimli"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["GET", "POST form", "POST json"])
def test_a_batch_gets_one_answer_per_query(client: FlaskClient, method: str) -> None:
    answer = ask(
        client,
        {
            "q0": {"query": "Ali Karimli", "type": str(VOX.Person), "limit": 3},
            "q1": {"query": "Azerbaijan Popular Front Party"},
            "q2": {"query": "Zxqv Wwrt"},
        },
        method=method,
    )
    assert set(answer) == {"q0", "q1", "q2"}
    best = answer["q0"]["result"][0]
    assert best["id"] == "actor/ali-karimli"
    assert best["name"] == "Ali Karimli"
    assert best["score"] == 100 and best["match"] is True
    assert {"id": str(VOX.Person), "name": "Person"} in best["type"]
    assert len(answer["q0"]["result"]) <= 3
    assert answer["q1"]["result"][0]["id"] == "actor/azerbaijan-popular-front-party"
    assert answer["q2"]["result"] == []


def test_spellings_and_aliases_find_the_actor(client: FlaskClient) -> None:
    answer = ask(
        client,
        {
            "q0": {"query": "Qubad İbadoğlu"},
            "q1": {"query": "Ibadoghlu"},
            "q2": {"query": "Əli Kərimli"},
            "q3": {"query": "APFP"},
        },
    )
    assert answer["q0"]["result"][0]["id"] == "actor/gubad-ibadoglu"
    assert answer["q1"]["result"][0]["id"] == "actor/gubad-ibadoglu"
    assert answer["q2"]["result"][0]["id"] == "actor/ali-karimli"
    assert answer["q3"]["result"][0]["id"] == "actor/azerbaijan-popular-front-party"


def test_type_restricts_the_candidates(client: FlaskClient) -> None:
    answer = ask(
        client,
        {
            "person": {"query": "Azerbaijan", "type": "Person"},
            "place": {"query": "Azerbaijan", "type": str(VOX.Place)},
        },
    )
    assert all(
        {"id": str(VOX.Person), "name": "Person"} in r["type"] for r in answer["person"]["result"]
    )
    assert answer["place"]["result"][0]["id"] == "actor/azerbaijan"  # a country is a place


def test_the_wikidata_item_comes_with_the_candidate(client: FlaskClient) -> None:
    answer = ask(client, {"q0": {"query": "Vladimir Putin", "limit": 1}})
    (putin,) = answer["q0"]["result"]
    assert putin["id"] == "actor/vladimir-putin"
    assert putin["description"] == "Wikidata Q7747 (verified)"


@pytest.mark.parametrize(
    "queries",
    [
        "not json",
        json.dumps(["q0"]),
        json.dumps({"q0": "Ali Karimli"}),
        json.dumps({"q0": {"query": ""}}),
        json.dumps({"q0": {"query": "x", "limit": 0}}),
        json.dumps({"q0": {"query": "x", "type": 5}}),
    ],
)
def test_malformed_batches_get_400(client: FlaskClient, queries: str) -> None:
    response = client.post("/reconcile", data={"queries": queries})
    assert response.status_code == 400
    assert "error" in response.get_json()


# -- /search: the same look-up as a page, the home page's search box ------------------


@pytest.fixture(scope="module")
def site(corpus_store: GraphStore) -> Iterator[str]:
    with serving_store(corpus_store) as url:
        yield url


@pytest.mark.parametrize("spelling", ["Ali Karimli", "Əli Kərimli", "Ali Kerimli", "karimli"])
def test_search_finds_a_person_by_any_spelling(site: str, spelling: str) -> None:
    page = requests.get(f"{site}/search", params={"q": spelling})
    assert page.status_code == 200
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page.text)
    assert links[0] == ("/page/actor/ali-karimli", "Ali Karimli"), links
    assert requests.get(site + links[0][0]).status_code == 200  # the link opens his page


def test_a_surname_lists_everyone_of_that_name(site: str) -> None:
    """Whole words of a name score WORD_SCORE: all the Aliyevs, none of the near misses."""
    page = requests.get(f"{site}/search", params={"q": "Əliyev"}).text
    names = re.findall(r'<li><a href="/page/actor/[^"]+">([^<]+)</a>', page)
    assert "Ilham Aliyev" in names
    assert all(name.endswith(" Aliyev") for name in names), names


def test_the_search_form_works_without_javascript(site: str) -> None:
    home = requests.get(site + "/").text
    form = re.search(
        r'<form class="search" method="get" action="/search"[^>]*>(.*?)</form>', home, re.S
    )
    assert form, "the home page has the search form"
    assert '<label for="search-name">' in form.group(
        1
    ) and 'id="search-name" name="q"' in form.group(1)
    nothing = requests.get(f"{site}/search", params={"q": "Zxqv Wwrt"})
    assert nothing.status_code == 200 and "Nothing found for" in nothing.text
    empty = requests.get(f"{site}/search")
    assert empty.status_code == 200 and '<label for="search-name">' in empty.text


def test_a_surname_alone_is_close_but_never_a_match(client: FlaskClient) -> None:
    results = ask(client, {"q": {"query": "Aliyev", "limit": 10}})["q"]["result"]
    aliyevs = [r for r in results if r["name"].endswith(" Aliyev")]
    assert len(aliyevs) > 1 and all(r["score"] == WORD_SCORE for r in aliyevs)
    assert not any(r["match"] for r in results)
