"""/reconcile: the Reconciliation Service API that OpenRefine speaks (version 0.2), and
/search: the same look-up as a page for people (the home page's search box).

Spec: https://reconciliation-api.github.io/specs/0.2/ . A request without
`queries` gets the service manifest; `queries` (a form field or, for POST, a
JSON body) holds a batch {"q0": {"query": "Ali Karimli", "type": ..., "limit": 3}, ...}
and gets {"q0": {"result": [candidate, ...]}, ...}.

Candidates are the store's actors and places (the registry's and those the
digests discovered), matched on their label and every alias after
transliteration folding (voxgraph/names.py), so "Əli Kərimli" finds Ali Karimli.
A candidate's id is its IRI below https://w3id.org/voxgraph/id/ ("actor/ali-karimli"),
and its description names its Wikidata item where the graph links one.
`properties` in a query are accepted and not used.

The index is built once per version of the data (a snapshot, or the fingerprint of
a store that may change: server/cache.py) and holds each folded name's trigrams,
so a query scores the CANDIDATES actors sharing most of its rarest trigrams (and
any named exactly so) rather than every actor: its cost does not grow with the store.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from voxgraph.iris import ID, INCIDENTS_GRAPH, VOX, WD
from voxgraph.loader.registry import ACTOR_TYPES, PLACE_TYPES
from voxgraph.loader.store import Store
from voxgraph.names import fold, similarity
from voxgraph.server.cache import per_version

bp = Blueprint("reconcile", __name__)

TYPES = {  # the manifest's default types; a query may name any vox: class
    "Person": VOX.Person,
    "Organization": VOX.Organization,
    "Place": VOX.Place,
}
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
MAX_QUERIES = 100
MAX_SEARCH_LENGTH = 200  # characters of a /search box: a name, not a document
MIN_SCORE = 50  # 0-100; weaker matches are not returned
MATCH_SCORE = 95  # a candidate this good and clearly ahead of the next is a match
MATCH_LEAD = 10
WORD_SCORE = 90.0  # the query is whole words of a name (a surname): close, never a match alone

# vox:Actor, vox:Place and the types of the registry's entries (loader/registry.py)
TYPE_IRIS = " ".join(f"<{VOX[name]}>" for name in ("Actor", *PLACE_TYPES, *ACTOR_TYPES))
TYPES_QUERY = f"SELECT DISTINCT ?s ?type WHERE {{ VALUES ?type {{ {TYPE_IRIS} }} ?s a ?type }}"
# Not the incidents' labels (one per incident, most of the store's labels): no actor's.
LABELS_QUERY = f"""SELECT DISTINCT ?s ?label WHERE {{
  GRAPH ?g {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
  FILTER(?g != <{INCIDENTS_GRAPH}>) }}"""
ALIASES_QUERY = (
    "SELECT DISTINCT ?s ?alias WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?alias }"
)
LINKS_QUERY = f"""
SELECT DISTINCT ?s ?same ?candidate ?score WHERE {{
  {{ ?s <http://www.w3.org/2002/07/owl#sameAs> ?same }}
  UNION
  {{ ?s <{VOX.wikidataCandidate}> ?candidate OPTIONAL {{ ?s <{VOX.wikidataScore}> ?score }} }}
}}"""
CANDIDATES = 100  # scored exactly per query, chosen by the trigrams they share with it
GRAM_BUDGET = 4_000  # index entries read per query at most (the rarest trigrams first)


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


@dataclass
class Index:
    """The actors and places with their names, and the trigrams of their folded names."""

    actors: list[Actor]
    exact: dict[str, set[int]]  # folded name -> actors
    grams: dict[str, list[int]]  # trigram of a folded name -> actors

    @classmethod
    def of(cls, actors: list[Actor]) -> Index:
        exact: dict[str, set[int]] = defaultdict(set)
        grams: dict[str, set[int]] = defaultdict(set)
        for number, actor in enumerate(actors):
            for name in actor.names:
                folded = fold(name)
                exact[folded].add(number)
                for gram in trigrams(folded):
                    grams[gram].add(number)
        return cls(actors, dict(exact), {g: sorted(found) for g, found in grams.items()})

    def candidates(self, text: str) -> list[Actor]:
        """The actors whose names share the most of `text`'s rarest trigrams, and those
        named exactly so: work bounded by CANDIDATES and GRAM_BUDGET, not by the index."""
        folded = fold(text)
        chosen = set(self.exact.get(folded, ()))
        postings = sorted(
            (self.grams[g] for g in set(trigrams(folded)) if g in self.grams), key=len
        )
        hits: Counter[int] = Counter()
        read = 0
        for posting in postings:
            if read and read + len(posting) > GRAM_BUDGET:
                break
            hits.update(posting[:GRAM_BUDGET])
            read += len(posting)
        chosen.update(number for number, _ in hits.most_common(CANDIDATES))
        return [self.actors[number] for number in sorted(chosen)]


def trigrams(folded: str) -> list[str]:
    padded = f" {folded} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def actor_index(store: Store) -> Index:
    """Every actor and place with its names, types and Wikidata link, indexed.

    Built once per version of the data (server/cache.py) from four queries, each
    reading one property's index entries; nothing is joined across graphs in the
    store (an actor's label is stated again in every digest that names it)."""
    actors: dict[str, Actor] = {}
    actor: Actor | None
    for row in store.select(TYPES_QUERY):
        iri = row["s"].value
        if iri.startswith(str(ID)):
            actor = actors.setdefault(iri, Actor(iri.removeprefix(str(ID)), "", set(), set()))
            actor.types.add(row["type"].value)
    for row in store.select(LABELS_QUERY):
        actor = actors.get(row["s"].value)
        if actor is not None:
            actor.names.add(row["label"].value)
            if not actor.label or row["label"].value < actor.label:
                actor.label = row["label"].value
    for row in store.select(ALIASES_QUERY):
        actor = actors.get(row["s"].value)
        if actor is not None:
            actor.names.add(row["alias"].value)
    links = sorted(
        store.select(LINKS_QUERY),
        key=lambda row: (row["same"] is None, str(row["same"] or row["candidate"])),
    )
    for row in links:
        actor = actors.get(row["s"].value)
        if actor is None or actor.wikidata.endswith("(verified)"):
            continue
        if row["same"] is not None:
            actor.wikidata = f"Wikidata {row['same'].value.removeprefix(str(WD))} (verified)"
        elif not actor.wikidata:
            qid = row["candidate"].value.removeprefix(str(WD))
            score = f", score {row['score'].value}" if row["score"] is not None else ""
            actor.wikidata = f"Wikidata {qid} (unverified candidate{score})"
    labelled = [a for a in actors.values() if a.label]
    return Index.of(sorted(labelled, key=lambda a: a.id))


def cached_index() -> Index:
    """The index of the app's current store, built once per version of its data."""
    return per_version(current_app.config["VOXGRAPH_STORE"], "reconcile", actor_index)


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


def reconcile(query: dict[str, Any], index: Index) -> list[dict[str, Any]]:
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
    for actor in index.candidates(text):
        if kind is not None and kind not in actor.types:
            continue
        best = max(name_score(text, folded, name) for name in actor.names)
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


def name_score(text: str, folded: str, name: str) -> float:
    """How well `text` (folded: `folded`) names `name`, 0-100: 100 if they fold alike,
    WORD_SCORE if `text` is whole words of the name ("Aliyev", "Ilham Aliyev"), else
    their similarity."""
    folded_name = fold(name)
    if folded_name == folded:
        return 100.0
    similar = round(similarity(text, name) * 100, 1)
    if f" {folded} " in f" {folded_name} ":
        return max(similar, WORD_SCORE)
    return similar


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


SEARCH_LIMIT = 20
SEARCH_MARGIN = 15  # the page lists the names scoring within this of the best one


@bp.route("/search")
def search() -> str:
    """Actors and places by any spelling, for people: the same index and scores as the
    reconciliation service, as a page of links to their pages (a plain GET form)."""
    text = request.args.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    found = reconcile({"query": text, "limit": SEARCH_LIMIT}, cached_index()) if text else []
    found = [c for c in found if c["score"] >= found[0]["score"] - SEARCH_MARGIN]
    return render_template(
        "search.html",
        text=text,
        found=[
            {
                **candidate,
                "href": "/page/" + candidate["id"],
                "kinds": ", ".join(kind["name"] for kind in candidate["type"]),
            }
            for candidate in found
        ],
    )


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
