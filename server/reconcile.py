"""/reconcile: the Reconciliation Service API that OpenRefine speaks (version 0.2).

Spec: https://reconciliation-api.github.io/specs/0.2/ . A request without
`queries` gets the service manifest; `queries` (a form field or, for POST, a
JSON body) holds a batch {"q0": {"query": "Ali Karimli", "type": ..., "limit": 3}, ...}
and gets {"q0": {"result": [candidate, ...]}, ...}.

Candidates are the store's actors and places (the registry's and those the
digests discovered), matched on their label and every alias after
transliteration folding (loader/names.py), so "Əli Kərimli" finds Ali Karimli.
A candidate's id is its IRI below https://w3id.org/voxgraph/id/ ("actor/ali-karimli"),
and its description names its Wikidata item where the graph links one.
`properties` in a query are accepted and not used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, request

from loader.names import fold, similarity
from loader.store import GraphStore
from voxgraph.iris import ID, VOX, WD

bp = Blueprint("reconcile", __name__)

TYPES = {  # the manifest's default types; a query may name any vox: class
    "Person": VOX.Person,
    "Organization": VOX.Organization,
    "Place": VOX.Place,
}
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
MAX_QUERIES = 100
MIN_SCORE = 50  # 0-100; weaker matches are not returned
MATCH_SCORE = 95  # a candidate this good and clearly ahead of the next is a match
MATCH_LEAD = 10

INDEX_QUERY = f"""
SELECT ?s ?type ?label ?alias ?same ?candidate ?score WHERE {{
  ?s a ?type .
  FILTER(?type IN (<{VOX.Actor}>, <{VOX.Place}>, <{VOX.Person}>, <{VOX.Organization}>,
                   <{VOX.PoliticalParty}>, <{VOX.GovernmentBody}>, <{VOX.Court}>,
                   <{VOX.MediaOutlet}>, <{VOX.InternationalOrganization}>,
                   <{VOX.CivilSocietyOrganization}>, <{VOX.Country}>))
  ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label .
  OPTIONAL {{ ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?alias }}
  OPTIONAL {{ ?s <http://www.w3.org/2002/07/owl#sameAs> ?same }}
  OPTIONAL {{ ?s <{VOX.wikidataCandidate}> ?candidate
              OPTIONAL {{ ?s <{VOX.wikidataScore}> ?score }} }}
}}"""


@dataclass
class Actor:
    id: str  # IRI relative to ID: actor/ali-karimli
    label: str
    names: set[str]
    types: set[str]  # vox: class IRIs
    wikidata: str = ""  # "Wikidata Q… (verified)" or "(unverified candidate, score …)"

    def result(self, score: float, match: bool) -> dict[str, Any]:
        types = [
            {"id": iri, "name": iri.removeprefix(str(VOX))}
            for iri in sorted(self.types)
            if iri != str(VOX.Actor)
        ]
        answer = {
            "id": self.id,
            "name": self.label,
            "score": score,
            "match": match,
            "type": types,
        }
        if self.wikidata:
            answer["description"] = self.wikidata
        return answer


def actor_index(store: GraphStore) -> list[Actor]:
    """Every actor and place with its names, types and Wikidata link."""
    actors: dict[str, Actor] = {}
    for row in store.query(INDEX_QUERY):
        iri = row["s"].value
        if not iri.startswith(str(ID)):
            continue
        actor = actors.get(iri)
        if actor is None:
            label = row["label"].value
            actor = actors[iri] = Actor(iri.removeprefix(str(ID)), label, {label}, set())
        actor.types.add(row["type"].value)
        if row["alias"] is not None:
            actor.names.add(row["alias"].value)
        if row["same"] is not None:
            actor.wikidata = f"Wikidata {row['same'].value.removeprefix(str(WD))} (verified)"
        elif row["candidate"] is not None and not actor.wikidata:
            qid = row["candidate"].value.removeprefix(str(WD))
            score = f", score {row['score'].value}" if row["score"] is not None else ""
            actor.wikidata = f"Wikidata {qid} (unverified candidate{score})"
    return sorted(actors.values(), key=lambda a: a.id)


def cached_index() -> list[Actor]:
    """The index of the app's current store, built once per store (it is read-only)."""
    store = current_app.config["VOXGRAPH_STORE"]
    built = current_app.extensions.get("voxgraph-reconcile")
    if built is None or built[0] is not store:
        built = (store, actor_index(store))
        current_app.extensions["voxgraph-reconcile"] = built
    return built[1]


def manifest() -> dict[str, Any]:
    root = request.url_root
    return {
        "versions": ["0.1", "0.2"],
        "name": "voxgraph actors and places",
        "identifierSpace": str(ID),
        "schemaSpace": str(VOX),
        "defaultTypes": [{"id": str(iri), "name": name} for name, iri in TYPES.items()],
        "view": {"url": f"{root}id/{{{{id}}}}"},
    }


class BadRequest(ValueError):
    pass


def wanted_type(query: dict[str, Any]) -> str | None:
    """The class a query asks for: a vox: IRI or a bare name (Person), or None."""
    kind = query.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if isinstance(kind, dict):
        kind = kind.get("id")
    if kind in (None, ""):
        return None
    if not isinstance(kind, str):
        raise BadRequest("type must be a string")
    return kind if ":" in kind else str(VOX[kind])


def reconcile(query: dict[str, Any], index: list[Actor]) -> list[dict[str, Any]]:
    """The candidates of one query, best first."""
    text = query.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("each query needs a non-empty 'query' string")
    limit = query.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise BadRequest("limit must be a positive integer")
    kind = wanted_type(query)
    folded = fold(text)
    scored = []
    for actor in index:
        if kind is not None and kind not in actor.types:
            continue
        best = max(
            100.0 if fold(name) == folded else round(similarity(text, name) * 100, 1)
            for name in actor.names
        )
        if best >= MIN_SCORE:
            scored.append((best, actor))
    scored.sort(key=lambda pair: (-pair[0], pair[1].label))
    scored = scored[: min(limit, MAX_LIMIT)]
    results = []
    for position, (score, actor) in enumerate(scored):
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        match = position == 0 and score >= MATCH_SCORE and score - runner_up >= MATCH_LEAD
        results.append(actor.result(score, match))
    return results


def read_queries() -> dict[str, Any] | None:
    """The batch of this request: form or query-string `queries`, or a JSON body."""
    raw = request.values.get("queries")
    if raw is None and request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("the JSON body must be an object of queries")
        batch = body.get("queries", body)
        if not isinstance(batch, dict):
            raise BadRequest('queries must be a JSON object: {"q0": {"query": ...}}')
        return batch
    if raw is None:
        return None
    try:
        batch = json.loads(raw)
    except ValueError:
        raise BadRequest("queries is not valid JSON") from None
    if not isinstance(batch, dict):
        raise BadRequest('queries must be a JSON object: {"q0": {"query": ...}}')
    return batch


@bp.route("/reconcile", methods=["GET", "POST"])
def service() -> Response:
    try:
        batch = read_queries()
        if batch is None:
            return json_response(manifest())
        if len(batch) > MAX_QUERIES:
            raise BadRequest(f"at most {MAX_QUERIES} queries per request")
        index = cached_index()
        answer = {}
        for key, query in batch.items():
            if not isinstance(query, dict):
                raise BadRequest(f"query {key!r} must be an object")
            answer[key] = {"result": reconcile(query, index)}
    except BadRequest as error:
        return json_response({"error": str(error)}, 400)
    return json_response(answer)


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
