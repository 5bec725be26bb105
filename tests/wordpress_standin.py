"""A stand-in for the publisher's WordPress site on 127.0.0.1, for the harvest tests.

It speaks the parts of the WordPress REST API that `voxgraph harvest` uses, as
https://developer.wordpress.org/rest-api/reference/posts/ and
.../using-the-rest-api/pagination/ document them:

- `GET /eng/wp-json/wp/v2/posts` with `per_page` (1-100, default 10), `page`,
  `after` and `before` (ISO 8601, published strictly after / before),
  `orderby=date` with `order=asc|desc` (default desc) and `_fields`; the headers
  `X-WP-Total` and `X-WP-TotalPages`; a page past the last is
  `400 rest_post_invalid_page_number`;
- `GET /eng/wp-json/wp/v2/categories` (same paging);
- each post's page at its `link`, inside a theme's chrome: header with logo and
  menu, breadcrumbs, the post's title and byline, share buttons, related posts,
  a sidebar of widgets, comments with a reply form and a footer. The words of
  the chrome are in `CHROME`: none may turn up in a harvested digest.

Posts: the bundled digests (corpus/*.txt), each turned into the HTML a
WordPress editor makes (paragraphs as <p>, the publisher line in <strong>,
section headings alternately as <h3> and as a paragraph in <strong>, the pull
quote as <blockquote>), plus two posts of the same site that are not digests:
an event announcement and a research paper.

`fail` makes the next request(s) of a path answer with an error status (429
with `Retry-After`, or 503); `requests` records every request with its time,
path, query and User-Agent, and `most_at_once` how many were ever in progress
at the same time.
"""

from __future__ import annotations

import html
import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from voxgraph.loader.read.parse import parse_digest
from voxgraph.paths import CORPUS

DIGEST_CATEGORY = 7
EVENTS_CATEGORY = 3
RESEARCH_CATEGORY = 5
CATEGORIES = [
    {"id": DIGEST_CATEGORY, "name": "Digest", "slug": "digest", "count": 5},
    {"id": EVENTS_CATEGORY, "name": "Events", "slug": "events", "count": 1},
    {"id": RESEARCH_CATEGORY, "name": "Research", "slug": "research", "count": 1},
]

# Words of the theme around every article. A harvested digest must contain none.
CHROME = (
    "Skip to content",
    "About us",
    "Contact",
    "Home » Digest",
    "Posted on",
    "by cnis_admin",
    "Share this:",
    "Share on Facebook",
    "Tweet",
    "Related posts",
    "Recent Posts",
    "Search for:",
    "Subscribe to our newsletter",
    "thoughts on",
    "Great digest, thank you",
    "Leave a Reply",
    "Your email address will not be published",
    "All rights reserved",
    "Privacy Policy",
    "Cookie",
)


@dataclass
class Post:
    id: int
    date: str  # local time, ISO 8601 without zone, as WordPress gives it
    slug: str
    title: str
    content: str  # HTML, as content.rendered
    categories: list[int]
    modified: str = ""
    served: bool = True  # False: listed, but its page answers 404

    def __post_init__(self) -> None:
        self.modified = self.modified or self.date


def digest_html(text: str) -> str:
    """A digest's text as the HTML of a WordPress post: one element per line of text."""
    digest = parse_digest(text, "standin")
    headings = {s.title_span.begin for s in digest.sections if s.title}
    quote = digest.pull_quote_span.begin - 1 if digest.pull_quote_span else None
    blocks = []
    for begin, line in _lines(text):
        escaped = html.escape(line, quote=False)
        if begin == digest.publisher_span.begin:
            blocks.append(f"<p><strong>{escaped}</strong></p>")
        elif begin == quote:
            blocks.append(f"<blockquote class='wp-block-quote'><p>{escaped}</p></blockquote>")
        elif begin in headings:
            # Editors mark headings both ways; the stand-in alternates.
            if len(blocks) % 2:
                blocks.append(f"<h3 class='wp-block-heading'>{escaped}</h3>")
            else:
                blocks.append(f"<p><strong>{escaped}</strong></p>")
        else:
            blocks.append(f"<p>{escaped}</p>")
    return "\n\n".join(blocks) + "\n"


def _lines(text: str) -> Iterator[tuple[int, str]]:
    begin = 0
    for raw in text.split("\n"):
        if stripped := raw.strip():
            yield begin + len(raw) - len(raw.lstrip()), stripped
        begin += len(raw) + 1


def corpus_posts() -> list[Post]:
    """The bundled digests as posts, published at 10:00 on their date, plus two others."""
    posts = []
    for number, path in enumerate(sorted(CORPUS.glob("*.txt")), start=1):
        text = path.read_text(encoding="utf-8")
        day = parse_digest(text, path.name).date
        title = f"Digest {day:%d.%m.%Y}"
        posts.append(
            Post(
                id=100 + number,
                date=f"{day}T10:00:00",
                slug=f"digest-{day:%d-%m-%Y}",
                title=title,
                content=digest_html(text),
                categories=[DIGEST_CATEGORY],
            )
        )
    posts.append(
        Post(
            id=201,
            date="2023-09-25T09:00:00",
            slug="round-table-on-regional-security",
            title="Round table: regional security after September 2023",
            content=(
                "<p><strong>Center for National and International Studies</strong></p>\n"
                "<p>The Center invites journalists and researchers to a round table on "
                "regional security in the South Caucasus.</p>\n"
                "<h3>Programme</h3>\n"
                "<p>Opening remarks. Panel discussion. Questions from the audience.</p>\n"
                "<p>Registration is open until September 28.</p>\n"
                "<p>September 25, 2023</p>\n"
            ),
            categories=[EVENTS_CATEGORY],
        )
    )
    posts.append(
        Post(
            id=202,
            date="2022-11-06T12:00:00",
            slug="energy-corridors-of-the-caspian",
            title="Energy corridors of the Caspian: a policy paper",
            content=(
                "<p><strong>Center for National and International Studies</strong></p>\n"
                "<h3>Introduction</h3>\n"
                "<p>This paper examines the export routes for Caspian oil and gas and the "
                "policy choices they present.</p>\n"
                "<h3>Conclusion</h3>\n"
                "<p>Diversified routes strengthen the region's bargaining position.</p>\n"
                "<p>November 6, 2022</p>\n"
            ),
            categories=[RESEARCH_CATEGORY],
        )
    )
    return posts


def article_page(post: Post, site: str) -> str:
    """The post's page as a WordPress theme renders it: the article among the chrome."""
    title = html.escape(post.title)
    day = datetime.fromisoformat(post.date)
    menu = "".join(
        f"<li class='menu-item'><a href='{site}{slug}/'>{name}</a></li>"
        for name, slug in (
            ("Home", ""),
            ("About us", "about"),
            ("Research", "research"),
            ("Digest", "category/digest"),
            ("Events", "events"),
            ("Contact", "contact"),
        )
    )
    share = "".join(
        f"<li><a class='share-{net}' href='#' rel='nofollow'>{label}</a></li>"
        for net, label in (("facebook", "Share on Facebook"), ("twitter", "Tweet"))
    )
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{title} &#8211; CNIS</title>
<link rel="canonical" href="{site}{post.slug}/">
<meta property="og:url" content="{site}{post.slug}/">
<meta property="og:title" content="{title}">
<link rel="stylesheet" href="{site}wp-content/themes/cnis/style.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{}}</script>
</head>
<body class="post-template-default single single-post postid-{post.id}">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="page" class="site">
<header id="masthead" class="site-header">
  <div class="site-branding"><a href="{site}" rel="home">
    <img src="{site}logo.png" alt="CNIS logo"></a>
    <p class="site-description">Independent analysis since 2002</p></div>
  <nav id="site-navigation" class="main-navigation"><ul id="primary-menu">{menu}</ul></nav>
  <div class="cookie-notice">Cookie notice: this site uses cookies.
    <button>Accept</button></div>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
<nav class="breadcrumbs"><a href="{site}">Home</a> &raquo; <a href="{site}category/digest/">
Digest</a> &raquo; {title}</nav>
<p class="breadcrumb-trail">Home » Digest</p>
<article id="post-{post.id}" class="post-{post.id} post type-post status-publish">
  <header class="entry-header">
    <h1 class="entry-title">{title}</h1>
    <div class="entry-meta"><span class="posted-on">Posted on
      <time class="entry-date published" datetime="{post.date}+04:00">{day:%B %-d, %Y}</time>
      </span> <span class="byline">by cnis_admin</span></div>
  </header>
  <div class="entry-content">
{post.content}
  </div>
  <footer class="entry-footer">
    <div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>
      <ul class="share-buttons">{share}</ul></div>
    <div class="related-posts"><h3>Related posts</h3><ul>
      <li><a href="{site}older-digest/">Digest of the week before: arrests and appeals</a></li>
      <li><a href="{site}another-digest/">Digest: talks in Brussels postponed</a></li>
    </ul></div>
  </footer>
</article>
<div id="comments" class="comments-area">
  <h2 class="comments-title">2 thoughts on &ldquo;{title}&rdquo;</h2>
  <ol class="comment-list">
    <li class="comment"><article class="comment-body">
      <footer class="comment-meta"><b class="fn">Reader One</b> says:</footer>
      <div class="comment-content"><p>Great digest, thank you for collecting the statements
      of the week in one place, it is very useful for our newsroom.</p></div></article></li>
    <li class="comment"><article class="comment-body">
      <footer class="comment-meta"><b class="fn">Reader Two</b> says:</footer>
      <div class="comment-content"><p>Could you also publish the digest in Azerbaijani? Many
      of our readers would share it further.</p></div></article></li>
  </ol>
  <div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
    <form action="{site}wp-comments-post.php" method="post" id="commentform">
    <p class="comment-notes">Your email address will not be published.</p>
    <textarea name="comment"></textarea><input type="submit" value="Post Comment"></form>
  </div>
</div>
</main></div>
<aside id="secondary" class="widget-area">
  <section class="widget widget_search"><form role="search" action="{site}">
    <label>Search for: <input type="search" name="s"></label></form></section>
  <section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
    <ul><li><a href="{site}a/">Statement on the detention of journalists</a></li>
    <li><a href="{site}b/">Digest: the week in parliament</a></li></ul></section>
  <section class="widget widget_text"><h2 class="widget-title">Newsletter</h2>
    <p>Subscribe to our newsletter to receive every digest by email.</p></section>
</aside>
</div>
<footer id="colophon" class="site-footer">
  <p>&copy; 2024 Center for National and International Studies. All rights reserved.</p>
  <p><a href="{site}privacy-policy/">Privacy Policy</a></p>
</footer>
</div>
</body>
</html>
"""


@dataclass
class StandIn:
    """The running stand-in: `site` is the English site root, as SITE is given."""

    posts: list[Post]
    site: str = ""
    requests: list[tuple[float, str, str, str]] = field(default_factory=list)
    # path -> [(status, Retry-After or None), ...]: the next answers to requests of it
    failures: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)
    in_progress: int = 0
    most_at_once: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, path: str, status: int, retry_after: str | None = None, times: int = 1) -> None:
        """Answer the next `times` requests of `path` with `status` (and Retry-After)."""
        with self.lock:
            self.failures.setdefault(path, []).extend([(status, retry_after)] * times)

    def post(self, slug: str) -> Post:
        return next(post for post in self.posts if post.slug == slug)

    def url(self, post: Post) -> str:
        return f"{self.site}{post.slug}/"

    def page_path(self, post: Post) -> str:
        return f"/eng/{post.slug}/"

    def page_requests(self) -> list[str]:
        """Paths of the article pages requested (not the API), in order."""
        return [path for _, path, _, _ in self.requests if "/wp-json/" not in path]

    def api_requests(self) -> list[str]:
        return [path for _, path, _, _ in self.requests if "/wp-json/" in path]


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            with standin.lock:
                standin.in_progress += 1
                standin.most_at_once = max(standin.most_at_once, standin.in_progress)
            try:
                self.answer()
            finally:
                with standin.lock:
                    standin.in_progress -= 1

        def answer(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            with standin.lock:
                standin.requests.append(
                    (time.monotonic(), url.path, url.query, self.headers.get("User-Agent", ""))
                )
                queued = standin.failures.get(url.path)
                failure = queued.pop(0) if queued else None
            if failure:
                status, retry_after = failure
                headers = {"Retry-After": retry_after} if retry_after else {}
                return self.send(status, {"code": "busy", "message": "try later"}, headers)
            if url.path == "/eng/wp-json/wp/v2/posts":
                return self.listing(query, standin.posts, self.post_json)
            if url.path == "/eng/wp-json/wp/v2/categories":
                return self.listing(query, CATEGORIES, dict)
            for post in standin.posts:
                if post.served and url.path == standin.page_path(post):
                    body = article_page(post, standin.site).encode()
                    return self.send_bytes(200, body, "text/html; charset=UTF-8")
            return self.send(404, {"code": "rest_no_route", "message": "not found"})

        def post_json(self, post: Post) -> dict:
            return {
                "id": post.id,
                "date": post.date,
                "date_gmt": post.date,
                "modified": post.modified,
                "slug": post.slug,
                "status": "publish",
                "type": "post",
                "link": standin.url(post),
                "title": {"rendered": html.escape(post.title)},
                "content": {"rendered": post.content, "protected": False},
                "excerpt": {"rendered": "", "protected": False},
                "categories": post.categories,
            }

        def listing(self, query: dict[str, str], items: list, render) -> None:
            try:
                per_page = int(query.get("per_page", 10))
                page = int(query.get("page", 1))
            except ValueError:
                return self.send(400, {"code": "rest_invalid_param"})
            if not 1 <= per_page <= 100 or page < 1:
                return self.send(400, {"code": "rest_invalid_param"})
            if "after" in query:
                items = [p for p in items if p.date > query["after"]]
            if "before" in query:
                items = [p for p in items if p.date < query["before"]]
            if items and isinstance(items[0], Post):
                items = sorted(items, key=lambda p: (p.date, p.id))
                if query.get("order", "desc") == "desc":
                    items.reverse()
            pages = max(1, math.ceil(len(items) / per_page))
            if page > pages and items:
                return self.send(400, {"code": "rest_post_invalid_page_number"})
            chosen = [render(p) for p in items[(page - 1) * per_page : page * per_page]]
            if "_fields" in query:
                keep = set(query["_fields"].split(","))
                chosen = [{k: v for k, v in p.items() if k in keep} for p in chosen]
            headers = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
            self.send(200, chosen, headers)

        def send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)

        def send_bytes(
            self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def running(posts: list[Post] | None = None) -> Iterator[StandIn]:
    """The stand-in on a free port of 127.0.0.1, serving `posts` (default: corpus_posts())."""
    standin = StandIn(posts if posts is not None else corpus_posts())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    standin.site = f"http://127.0.0.1:{server.server_address[1]}/eng/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def save_page(post: Post, site: str, folder: Path) -> Path:
    """The post's page saved as a browser would ("Save page as", HTML only)."""
    path = folder / f"{post.slug}.html"
    path.write_text(article_page(post, site), encoding="utf-8")
    return path
