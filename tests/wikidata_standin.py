"""A stand-in for the Wikidata API on 127.0.0.1, for the linking tests.

It answers `action=wbsearchentities` and `action=wbgetentities` in the JSON
shape of the real API (https://www.wikidata.org/w/api.php?action=help&modules=wbsearchentities,
...&modules=wbgetentities). Search is a case- and diacritics-insensitive prefix
match on labels and aliases, as the real one roughly is.

The items are FICTIONAL (Q90000xx): they only exercise the matcher. Their
claims point at real, well-known classes and countries (Q5 human, Q227
Azerbaijan, ...), because the matcher compares against those.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def entity(
    qid: str,
    label: str,
    description: str,
    aliases: tuple[str, ...] = (),
    **claims: tuple[str, ...],
) -> dict:
    """One entity as wbgetentities returns it (labels, descriptions, aliases, claims)."""
    return {
        "type": "item",
        "id": qid,
        "labels": {"en": {"language": "en", "value": label}},
        "descriptions": {"en": {"language": "en", "value": description}},
        "aliases": {"en": [{"language": "en", "value": a} for a in aliases]},
        "claims": {
            prop: [
                {
                    "mainsnak": {
                        "snaktype": "value",
                        "property": prop,
                        "datavalue": {
                            "value": {
                                "entity-type": "item",
                                "numeric-id": int(value[1:]),
                                "id": value,
                            },
                            "type": "wikibase-entityid",
                        },
                        "datatype": "wikibase-item",
                    },
                    "type": "statement",
                    "rank": "normal",
                }
                for value in values
            ]
            for prop, values in claims.items()
        },
    }


POLITICIAN = "Q9000001"
FOOTBALLER = "Q9000002"
ECONOMIST = "Q9000003"
SURNAME = "Q9000004"
PARTY = "Q9000010"
COUNTRY = "Q9000020"

ENTITIES = {
    e["id"]: e
    for e in (
        entity(
            POLITICIAN,
            "Ali Karimli",
            "Azerbaijani politician, chairman of the Popular Front Party",
            ("Ali Kerimli", "Əli Kərimli"),
            P31=("Q5",),
            P27=("Q227",),
            P106=("Q82955",),
            P102=(PARTY,),
        ),
        entity(
            FOOTBALLER,
            "Ali Karimli",
            "Azerbaijani footballer",
            P31=("Q5",),
            P27=("Q227",),
            P106=("Q937857",),
        ),
        entity(
            ECONOMIST,
            "Gubad İbadoğlu",
            "Azerbaijani economist and politician",
            ("Qubad İbadoğlu", "Gubad Ibadoghlu"),
            P31=("Q5",),
            P27=("Q227",),
            P106=("Q188094", "Q82955"),
        ),
        entity(SURNAME, "Ibadoglu", "family name", P31=("Q101352",)),
        entity(
            PARTY,
            "Azerbaijan Popular Front Party",
            "political party in Azerbaijan",
            ("APFP",),
            P31=("Q7278",),
            P17=("Q227",),
        ),
        entity(COUNTRY, "Azerbaijan", "country in the Caucasus", P31=("Q6256", "Q3624078")),
    )
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(c for c in text if not unicodedata.combining(c))


def search(text: str, limit: int) -> list[dict]:
    """wbsearchentities hits: items with a label or alias starting with `text`."""
    hits = []
    for qid, item in ENTITIES.items():
        label = item["labels"]["en"]["value"]
        names = [("label", label)] + [("alias", a["value"]) for a in item["aliases"]["en"]]
        for kind, name in names:
            if _fold(name).startswith(_fold(text)):
                hits.append(
                    {
                        "id": qid,
                        "title": qid,
                        "concepturi": f"http://www.wikidata.org/entity/{qid}",
                        "url": f"//www.wikidata.org/wiki/{qid}",
                        "label": label,
                        "description": item["descriptions"]["en"]["value"],
                        "match": {"type": kind, "language": "en", "text": name},
                    }
                )
                break
    return hits[:limit]


@dataclass
class StandIn:
    url: str
    requests: list[dict[str, str]] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with 429 before answering properly


@contextmanager
def wikidata_standin() -> Iterator[StandIn]:
    """Serve the stand-in API on a free port of 127.0.0.1; yields its state."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            params = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            state.requests.append(params)
            state.user_agents.append(self.headers.get("User-Agent", ""))
            if state.fail_next:
                state.fail_next -= 1
                self.reply(429, {"error": "too many requests"}, retry_after="0")
                return
            action = params.get("action")
            if action == "wbsearchentities":
                hits = search(params.get("search", ""), int(params.get("limit", "7")))
                body = {"searchinfo": {"search": params.get("search")}, "search": hits}
            elif action == "wbgetentities":
                ids = params.get("ids", "").split("|")
                if len(ids) > 50:
                    body = {"error": {"code": "toomanyvalues", "info": "max 50 ids"}}
                else:
                    body = {
                        "entities": {
                            qid: ENTITIES.get(qid, {"id": qid, "missing": ""}) for qid in ids
                        },
                        "success": 1,
                    }
            else:
                body = {"error": {"code": "badvalue", "info": f"unknown action {action}"}}
            self.reply(200, body)

        def reply(self, status: int, body: dict, retry_after: str | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = StandIn(f"http://127.0.0.1:{server.server_port}/w/api.php")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
