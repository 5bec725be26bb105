"""`voxgraph harvest`: the series' digests from the publisher's WordPress site.

    voxgraph harvest https://cnis-baku.org/eng/ -o var/harvest --since 2023-01-01

1. **List** the posts through the WordPress REST API
   (https://developer.wordpress.org/rest-api/reference/posts/):
   `SITE/wp-json/wp/v2/posts?per_page=100&page=N&orderby=date&order=asc`, page
   after page until the `X-WP-TotalPages` header's count, with `after` and
   `before` for --since and --until (WordPress compares them with the post's
   local publication date, strictly, so --since D asks `after=D-1T23:59:59` and
   --until D asks `before=D+1T00:00:00`) and `_fields` so that only the fields
   read are sent: `id`, `date`, `modified`, `link`, `title.rendered`,
   `content.rendered`, `categories`. The names of the categories come from
   `wp/v2/categories?include=...`, asked once for the ids not seen before.
2. **Keep the digests** (`is_digest`, criteria in mappings/harvest.yaml): a
   post is a digest when its content is laid out as one (loader/read/parse.py reads
   it, as `voxgraph load` would read the harvested file, and finds at its top a
   publisher line, a series line or a pull quote) *and* it carries a mark of
   the series: "Digest" (or "VoxPOPULI") as a word of its
   title or of a category's name, or a section heading of the series ("Human
   Rights", "Governance and Corruption", "Peace talks", ...). An event
   announcement or a research paper of the same publisher has the publisher
   line and a date, but no such mark: skipped, and the summary says why.
3. **Fetch each digest's page** (`link`) and extract the article's text with
   trafilatura (loader/read/webpage.py, the same function `voxgraph load` uses for
   saved pages), leaving the theme's chrome out.
4. **Write** `OUT/DATE.txt` (the digest's own date line) and, beside it,
   `OUT/DATE.txt.source` holding the page's URL: the digest's
   `dcterms:source`, while the text file stays exactly the digest text every
   character offset points into. A second digest of the same date (another
   post) is `DATE-2.txt`, a third `DATE-3.txt`; a post keeps its name on later
   runs (it is found again by the URL in the sidecar), and a file whose sidecar
   names another URL, or which has none, is never overwritten.

Polite: one request at a time, `delay` seconds apart; a User-Agent naming the
project and its URL; on 429 and 5xx (and connection errors) up to RETRIES
retries, waiting what `Retry-After` asks (seconds or an HTTP date, at most
MAX_WAIT) or else an exponential back-off. Repeatable: every fetched page is
kept in the cache folder (default `OUT/.cache`, which `voxgraph load OUT` does
not search) with the post's `modified` stamp, so a second run fetches only the
listing, and a page again only when the post has changed since.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import yaml
from tqdm import tqdm

from voxgraph.loader.read.digest import Digest, DigestError
from voxgraph.loader.read.parse import parse_digest
from voxgraph.loader.read.webpage import page_digest, source_file
from voxgraph.loader.retry import retry_wait
from voxgraph.paths import MAPPINGS

PROJECT_URL = "https://w3id.org/voxgraph"
USER_AGENT = (
    f"voxgraph/0.1 (+{PROJECT_URL}; harvests the CNIS news digests into a research "
    f"knowledge graph) python-requests/{requests.__version__}"
)
CRITERIA_FILE = MAPPINGS / "harvest.yaml"
DEFAULT_DELAY = 1.0  # seconds between two requests
PER_PAGE = 100  # the most the REST API gives per page
RETRIES = 4
MAX_WAIT = 300.0  # seconds; a longer Retry-After is cut to this
TIMEOUT = 60.0
FIELDS = "id,date,modified,link,title,content,categories"


class HarvestError(RuntimeError):
    """The site could not be listed (after the retries): the harvest stops."""


# --- telling digests from other posts


@dataclass(frozen=True)
class Criteria:
    """The marks of the series (mappings/harvest.yaml), lower case."""

    series_words: tuple[str, ...]
    section_headings: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = CRITERIA_FILE) -> Criteria:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tuple(w.lower() for w in data["series_words"]),
            tuple(h.lower() for h in data["section_headings"]),
        )


def is_digest(
    title: str,
    categories: list[str],
    content: str,
    criteria: Criteria,
    published: date | None = None,
) -> tuple[bool, str]:
    """Whether a post is a digest of the series, and why (or why not).

    `title` and `content` are the REST API's `title.rendered` and
    `content.rendered` (HTML); `categories` the names of its categories;
    `published` its date, which the parser assumes when the text has no date
    line (as it does for a file named by its date). A digest is laid out as
    one (loader/read/parse.py reads it and finds a publisher line, a series line or
    a pull quote at the top) and carries a mark of the series (a series word in
    the title or a category's name, or a known section heading); see
    mappings/harvest.yaml.
    """
    text = page_digest(f"<html><body><article>{content}</article></body></html>")[0]
    if text is None:
        return False, "not laid out as a digest: the post has no text"
    try:
        digest = parse_digest(text, f"{published}.txt" if published else "content")
    except DigestError as error:
        return False, f"not laid out as a digest: {error.problem}"
    if digest.publisher_span is None and digest.series_span is None and not digest.pull_quote:
        return False, (
            "not laid out as a digest: no publisher line, series line or pull quote at the top"
        )
    plain_title = _plain(title)
    for word in criteria.series_words:
        if _has_word(plain_title, word):
            return True, f"{word!r} in the title"
        for category in categories:
            if _has_word(category, word):
                return True, f"{word!r} in the category {category!r}"
    for section in digest.sections:
        for heading in criteria.section_headings:
            if heading in section.title.lower():
                return True, f"section heading {section.title!r}"
    return False, (
        "no mark of the series: no series word ("
        + ", ".join(criteria.series_words)
        + ") in the title or a category, and no section heading of the series"
    )


def _plain(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", rendered))


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


# --- HTTP, politely


class PoliteSession:
    """GET requests one at a time, `delay` seconds apart, retrying on 429 and 5xx.

    The wait before a retry is what `Retry-After` asks (seconds or an HTTP
    date), else `backoff` × 2^(attempt-1) seconds; at most MAX_WAIT.
    """

    def __init__(
        self,
        delay: float = DEFAULT_DELAY,
        *,
        backoff: float | None = None,
        retries: int = RETRIES,
        timeout: float = TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.delay = delay
        self.backoff = max(delay, 1.0) if backoff is None else backoff
        self.retries = retries
        self.timeout = timeout
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.requests = 0  # sent, retries included
        self.waits: list[float] = []  # back-off waits, in seconds
        self._last: float | None = None  # when the last answer arrived (monotonic)

    def get(self, url: str, params: dict[str, str] | None = None) -> requests.Response:
        """The answer, or HarvestError after the retries; other 4xx are returned as they are."""
        problem = ""
        for attempt in range(self.retries + 1):
            self._pause()
            try:
                self.requests += 1
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as error:
                problem = f"{type(error).__name__}: {error}"
                retry_after = None
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code} {response.reason}"
                retry_after = response.headers.get("Retry-After")
            finally:
                self._last = time.monotonic()
            if attempt < self.retries:
                wait = self._wait(attempt + 1, retry_after)
                self.waits.append(wait)
                self.sleep(wait)
        raise HarvestError(f"{url}: gave up after {self.retries + 1} attempts: {problem}")

    def _pause(self) -> None:
        if self._last is not None and self.delay > 0:
            left = self.delay - (time.monotonic() - self._last)
            if left > 0:
                self.sleep(left)

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        return retry_wait(attempt, retry_after, self.backoff, MAX_WAIT)


# --- the page cache


class PageCache:
    """Fetched pages on disk, one `.page` file (the bytes served) and one `.json` each.

    The `.json` records the URL, the post's `modified` stamp and when it was
    fetched; a page is reused while the post's stamp is the same.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        name = hashlib.sha256(url.encode()).hexdigest()[:24]
        return self.folder / f"{name}.page", self.folder / f"{name}.json"

    def get(self, url: str, modified: str) -> bytes | None:
        page, meta = self._paths(url)
        try:
            record = json.loads(meta.read_text(encoding="utf-8"))
            if record.get("url") == url and record.get("modified") == modified:
                return page.read_bytes()
        except (OSError, ValueError):
            pass
        return None

    def put(self, url: str, modified: str, body: bytes) -> None:
        page, meta = self._paths(url)
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(page, body)
        record = {"url": url, "modified": modified, "fetched": datetime.now(UTC).isoformat()}
        _write_atomically(meta, json.dumps(record).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


# --- the harvest


@dataclass
class Summary:
    """What a harvest did: files written, posts skipped or failed (by URL) and why."""

    new: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # not a digest: URL -> why
    failed: dict[str, str] = field(default_factory=dict)  # URL -> why
    pages_fetched: list[str] = field(default_factory=list)  # over HTTP, not from the cache
    pages_cached: list[str] = field(default_factory=list)  # read from the cache
    listing_requests: int = 0  # API requests (posts and categories), retries included
    error: str | None = None  # why the listing broke off, if it did

    @property
    def ok(self) -> bool:
        return not self.failed and self.error is None

    def line(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped as not a digest, {len(self.failed)} failed "
            f"({len(self.pages_fetched)} pages fetched, {len(self.pages_cached)} from the cache)"
        )


def api_root(site: str) -> str:
    """The REST API's root for the site root SITE (e.g. https://cnis-baku.org/eng/)."""
    return site.rstrip("/") + "/wp-json/wp/v2/"


def harvest(
    site: str,
    out: Path,
    *,
    since: date | None = None,
    until: date | None = None,
    delay: float = DEFAULT_DELAY,
    cache_dir: Path | None = None,
    progress: bool = False,
    session: PoliteSession | None = None,
    criteria: Criteria | None = None,
    per_page: int = PER_PAGE,
) -> Summary:
    """Harvest the digests SITE published from `since` to `until` (inclusive) into `out`.

    `session` replaces the polite HTTP session made with `delay`; `per_page`
    is the posts asked per page of the listing (1-100).
    """
    session = session or PoliteSession(delay)
    criteria = criteria or Criteria.load()
    cache = PageCache(cache_dir if cache_dir is not None else out / ".cache")
    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    listing = _Listing(session, api_root(site), since, until, per_page)
    bar = tqdm(desc="posts", unit="post", disable=not progress)
    try:
        for post in listing:
            if bar.total is None and listing.total is not None:
                bar.total = listing.total
                bar.refresh()
            _harvest_post(post, listing, session, cache, criteria, out, summary)
            bar.update()
    except HarvestError as error:
        summary.error = str(error)
    finally:
        bar.close()
        summary.listing_requests = listing.requests
    return summary


class _Listing:
    """The posts of the REST API, page by page, and the names of their categories."""

    def __init__(
        self,
        session: PoliteSession,
        api: str,
        since: date | None,
        until: date | None,
        per_page: int = PER_PAGE,
    ):
        self.session, self.api, self.since, self.until = session, api, since, until
        self.per_page = per_page
        self.total: int | None = None  # X-WP-Total
        self.categories: dict[int, str] = {}
        self.requests = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        params = {
            "per_page": str(self.per_page),
            "orderby": "date",
            "order": "asc",
            "_fields": FIELDS,
        }
        if self.since:
            params["after"] = f"{self.since - timedelta(days=1)}T23:59:59"
        if self.until:
            params["before"] = f"{self.until + timedelta(days=1)}T00:00:00"
        page, pages = 1, 1
        while page <= pages:
            response = self._get("posts", {**params, "page": str(page)})
            if response.status_code == 400 and page > 1:
                return  # past the last page: the listing shrank while we read it
            posts = self._json(response, "posts")
            pages = int(response.headers.get("X-WP-TotalPages", "1"))
            if self.total is None:
                self.total = int(response.headers.get("X-WP-Total", len(posts)))
            self._learn_categories(posts)
            for post in posts:
                day = str(post.get("date", ""))[:10]
                if (self.since and day < str(self.since)) or (self.until and day > str(self.until)):
                    continue  # the API filters already; a site that ignores after/before
                yield post
            page += 1

    def category_names(self, post: dict[str, Any]) -> list[str]:
        return [self.categories.get(c, "") for c in post.get("categories") or []]

    def _learn_categories(self, posts: list[dict[str, Any]]) -> None:
        unknown = sorted({c for p in posts for c in p.get("categories") or []} - {*self.categories})
        for start in range(0, len(unknown), PER_PAGE):
            ids = unknown[start : start + PER_PAGE]
            params = {"include": ",".join(map(str, ids)), "per_page": str(PER_PAGE)}
            params["_fields"] = "id,name"
            response = self._get("categories", params)
            for category in self._json(response, "categories"):
                self.categories[category["id"]] = html.unescape(category.get("name", ""))
            self.categories.update(dict.fromkeys((c for c in ids if c not in self.categories), ""))

    def _get(self, endpoint: str, params: dict[str, str]) -> requests.Response:
        before = self.session.requests
        try:
            return self.session.get(self.api + endpoint, params)
        finally:
            self.requests += self.session.requests - before

    def _json(self, response: requests.Response, what: str) -> list[dict[str, Any]]:
        if response.status_code != 200:
            raise HarvestError(f"{response.url}: HTTP {response.status_code} {response.reason}")
        try:
            answer = response.json()
        except ValueError:
            raise HarvestError(f"{response.url}: the {what} listing is not JSON") from None
        if not isinstance(answer, list):
            raise HarvestError(f"{response.url}: the {what} listing is not a JSON array")
        return answer


def _harvest_post(
    post: dict[str, Any],
    listing: _Listing,
    session: PoliteSession,
    cache: PageCache,
    criteria: Criteria,
    out: Path,
    summary: Summary,
) -> None:
    url = str(post.get("link") or "")
    title = str((post.get("title") or {}).get("rendered", ""))
    content = str((post.get("content") or {}).get("rendered", ""))
    name = url or f"post {post.get('id')}"
    published = _day(post)
    digest, why = is_digest(title, listing.category_names(post), content, criteria, published)
    if not digest:
        summary.skipped[name] = why
        return
    if not url:
        summary.failed[name] = "the post has no link"
        return
    modified = str(post.get("modified") or post.get("date") or "")
    page = cache.get(url, modified)
    if page is not None:
        summary.pages_cached.append(url)
    else:
        try:
            response = session.get(url)
        except HarvestError as error:
            summary.failed[url] = str(error)
            return
        if response.status_code != 200:
            summary.failed[url] = f"the page answered HTTP {response.status_code} {response.reason}"
            return
        page = response.content
        cache.put(url, modified, page)
        summary.pages_fetched.append(url)
    text = page_digest(page)[0]
    if text is None:
        summary.failed[url] = "no article text found on the page"
        return
    try:
        # Named by the post's date, which the parser assumes if the text has no date line.
        parsed = parse_digest(text, f"{published}.txt" if published else url)
    except DigestError as error:
        summary.failed[url] = f"the page's text is not a loadable digest: {error.problem}"
        return
    _write_digest(parsed, text, url, out, summary)


def _day(post: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(post.get("date", ""))[:10])
    except ValueError:
        return None


_NUMBERED = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.txt")


def digest_file(out: Path, day: date, url: str) -> Path:
    """Where the digest of `day` from `url` goes: DATE.txt, or DATE-2.txt, DATE-3.txt, ...

    The file whose sidecar names `url` if there is one, else the first free name.
    """
    taken: dict[int, Path] = {}
    for path in out.glob(f"{day}*.txt"):
        match = _NUMBERED.fullmatch(path.name)
        if match and match[1] == str(day):
            taken[int(match[2] or 1)] = path
    for path in taken.values():
        if _source_of(path) == url:
            return path
    number = 1
    while number in taken:
        number += 1
    return out / (f"{day}.txt" if number == 1 else f"{day}-{number}.txt")


def _source_of(path: Path) -> str | None:
    try:
        return source_file(path).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _write_digest(digest: Digest, text: str, url: str, out: Path, summary: Summary) -> None:
    path = digest_file(out, digest.date, url)
    data = text.encode("utf-8")
    if path.exists():
        if path.read_bytes() == data and _source_of(path) == url:
            summary.unchanged.append(path)
            return
        summary.updated.append(path)
    else:
        summary.new.append(path)
    _write_atomically(source_file(path), f"{url}\n".encode())
    _write_atomically(path, data)
