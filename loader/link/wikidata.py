"""A small, polite client of the Wikidata API (wbsearchentities, wbgetentities).

Polite as https://www.mediawiki.org/wiki/API:Etiquette asks: a User-Agent that
names the project and how to reach it, one request at a time, up to 50 ids per
wbgetentities, `maxlag`, and retries with back-off on 429, 5xx and maxlag
(honouring Retry-After). Every answer is cached on disk, one file per search
and one per item, so a second run asks nothing it has asked before; `refresh`
bypasses the cache for reading (verification must see the items as they are now).
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voxgraph.loader.retry import retry_wait
from voxgraph.paths import ROOT

DEFAULT_API = "https://www.wikidata.org/w/api.php"
DEFAULT_CACHE = ROOT / "var" / "wikidata-cache"
USER_AGENT = (
    "voxgraph/0.1 (https://w3id.org/voxgraph; links news-digest actors to Wikidata) python-urllib"
)
BATCH = 50  # wbgetentities accepts up to 50 ids per request
RETRIES = 5
MAX_WAIT = 120.0  # seconds; a longer Retry-After is cut to this
# Properties read from each item: instance of, citizenship, country, occupation,
# member of political party.
CLAIMS = ("P31", "P27", "P17", "P106", "P102")


class WikidataError(RuntimeError):
    """The API could not be reached or answered with an error, after the retries."""


@dataclass(frozen=True)
class Item:
    """What the matcher needs of one item."""

    id: str
    label: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()
    claims: dict[str, tuple[str, ...]] = field(default_factory=dict)  # property -> item ids

    @property
    def names(self) -> list[str]:
        return [n for n in (self.label, *self.aliases) if n]

    def values(self, prop: str) -> tuple[str, ...]:
        return self.claims.get(prop, ())


def parse_item(entity: dict[str, Any], language: str = "en") -> Item:
    """An Item from one entity of a wbgetentities answer (deprecated claims left out)."""
    claims: dict[str, tuple[str, ...]] = {}
    for prop in CLAIMS:
        ids = []
        for statement in entity.get("claims", {}).get(prop, []):
            if statement.get("rank") == "deprecated":
                continue
            value = statement.get("mainsnak", {}).get("datavalue", {}).get("value")
            if isinstance(value, dict) and "id" in value:
                ids.append(value["id"])
        if ids:
            claims[prop] = tuple(ids)
    return Item(
        id=entity["id"],
        label=entity.get("labels", {}).get(language, {}).get("value", ""),
        description=entity.get("descriptions", {}).get(language, {}).get("value", ""),
        aliases=tuple(a["value"] for a in entity.get("aliases", {}).get(language, [])),
        claims=claims,
    )


class WikidataClient:
    """wbsearchentities and wbgetentities against `api`, cached under `cache_dir`."""

    def __init__(
        self,
        api: str = DEFAULT_API,
        cache_dir: Path | None = DEFAULT_CACHE,
        *,
        language: str = "en",
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ):
        self.api = api
        # One cache per API, so that a test stand-in never answers for Wikidata.
        host = hashlib.sha256(api.encode()).hexdigest()[:12]
        self.cache_dir = cache_dir / host if cache_dir is not None else None
        self.language = language
        self.backoff = backoff
        self.sleep = sleep
        self.timeout = timeout
        self.requests = 0  # HTTP requests made, retries included

    # -- the two API calls --------------------------------------------------------------

    def search(self, text: str, limit: int = 10) -> list[str]:
        """The ids of the items wbsearchentities finds for `text`, best first."""
        key = f"search/{hashlib.sha256(f'{self.language}|{limit}|{text}'.encode()).hexdigest()}"
        cached = self._read(key)
        if cached is None:
            answer = self._get(
                action="wbsearchentities",
                search=text,
                language=self.language,
                uselang=self.language,
                type="item",
                limit=str(limit),
            )
            cached = [hit["id"] for hit in answer.get("search", [])]
            self._write(key, cached)
        return cached

    def items(self, ids: Iterable[str], *, refresh: bool = False) -> dict[str, Item]:
        """The items with these ids (missing ones left out), fetched 50 at a time."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, dict] = {}
        todo = []
        for qid in wanted:
            cached = None if refresh else self._read(f"item/{qid}")
            if cached is None:
                todo.append(qid)
            else:
                found[qid] = cached
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            answer = self._get(
                action="wbgetentities",
                ids="|".join(batch),
                props="labels|aliases|descriptions|claims",
                languages=self.language,
            )
            entities = answer.get("entities", {})
            for qid in batch:
                entity = entities.get(qid) or {"id": qid, "missing": ""}
                self._write(f"item/{qid}", entity)
                found[qid] = entity
        return {
            qid: parse_item(found[qid], self.language)
            for qid in wanted
            if "missing" not in found[qid]
        }

    # -- HTTP ---------------------------------------------------------------------------

    def _get(self, **params: str) -> dict[str, Any]:
        params.update(format="json", maxlag="5")
        url = f"{self.api}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        problem = ""
        retry_after: str | None = None
        for attempt in range(RETRIES + 1):
            if attempt:
                self.sleep(self._wait(attempt, retry_after))
            retry_after = None
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = json.load(response)
                    retry_after = response.headers.get("Retry-After")  # sent with maxlag
            except urllib.error.HTTPError as error:
                problem = f"HTTP {error.code}"
                if error.code == 429 or error.code >= 500:
                    retry_after = error.headers.get("Retry-After")
                    continue
                raise WikidataError(f"{self.api}: {problem}") from None
            except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
                problem = str(error)
                continue
            error_code = answer.get("error", {}).get("code") if isinstance(answer, dict) else None
            if error_code == "maxlag":
                problem = "the servers are lagging (maxlag)"
                continue
            if error_code:
                raise WikidataError(f"{self.api}: {error_code}: {answer['error'].get('info', '')}")
            return answer
        raise WikidataError(f"{self.api}: gave up after {RETRIES + 1} attempts: {problem}")

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        return retry_wait(attempt, retry_after, self.backoff, MAX_WAIT)

    # -- the cache ----------------------------------------------------------------------

    def _read(self, key: str) -> Any:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, key: str, value: Any) -> None:
        if self.cache_dir is None:
            return
        path = self.cache_dir / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
