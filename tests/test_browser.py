"""End to end in a real headless browser (Debian's chromium + chromedriver, via selenium):
open the query page, run an example query, see the result table, follow an IRI to the
actor's page; read a digest, an event and a statement as drawn (colours and their contrast,
the span a link lands on, quotes against paraphrases, 400 px wide, headings in order).
`make test` installs the browser; without it these tests fail and say so."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.wait import WebDriverWait

from tests.server_fixtures import serving_store
from voxgraph.iris import PREFIXES
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS
from voxgraph.server.examples import load_examples
from voxgraph.server.linked_data import ID_BASE, select
from voxgraph.server.page import EDITOR

CHROMIUM = Path("/usr/bin/chromium")
KARIMLI = "https://w3id.org/voxgraph/id/actor/ali-karimli"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

MISSING = (
    None
    if CHROMIUM.exists() and Path(DRIVER).exists()
    else "chromium or chromedriver is missing: `make test` installs them with apt-get "
    "(as root: `apt-get install chromium chromium-driver`)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if MISSING:
        pytest.fail(MISSING, pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory() as profile:
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
        try:
            yield driver
        finally:
            driver.quit()


def test_run_an_example_and_follow_an_iri(browser, corpus_store: GraphStore) -> None:
    with serving_store(corpus_store) as url:
        browser.get(url + "/")
        wait = WebDriverWait(browser, 20)
        if EDITOR.exists():  # YASGUI is bundled: it replaces the form
            wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".yasqe")))
        browser.find_element(By.ID, "example-03-statements-by-person").click()
        if EDITOR.exists():
            wait.until(lambda d: "Facebook post" in d.find_element(By.CSS_SELECTOR, ".yasr").text)
        else:
            wait.until(lambda d: "Facebook post" in d.find_element(By.ID, "answer").text)
        assert "The USA and the EU want to achieve" in browser.page_source
        # An answer with an actor's IRI (run from the URL, as a shared link would), then a click.
        browser.get(
            url + "/?" + urlencode({"query": f"SELECT ?actor {{ BIND(<{KARIMLI}> AS ?actor) }}"})
        )
        link = wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, "a[href='/page/actor/ali-karimli']"))
        )
        link.click()
        wait.until(ec.title_contains("Ali Karimli"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Ali Karimli"
        assert "Statements" in browser.page_source
        resources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert all(name.startswith(url) for name in resources), resources  # nothing from a CDN


def test_the_timeline_chart_draws_bars_that_lead_to_the_list(
    browser, corpus_store: GraphStore
) -> None:
    with serving_store(corpus_store) as url:
        browser.set_window_size(400, 900)  # a phone's width
        try:
            browser.get(url + "/timeline")
            chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
            assert 300 <= chart.rect["width"] <= 400, f"the chart fits 400 px: {chart.rect}"
            width = browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= 400, f"the page scrolls sideways at 400 px: {width}"
            drawn = browser.execute_script(
                "return [...document.querySelectorAll('svg.chart a.bar rect')]"
                ".map(r => r.getBBox().height)"
            )
            assert drawn and all(height > 0 for height in drawn), drawn
            bar = browser.find_element(By.CSS_SELECTOR, "svg.chart a.bar[aria-label^='arrest, ']")
            label = bar.get_attribute("aria-label")  # "arrest, 2022-11: 5 incidents"
            month, count = label.split(", ")[1].split(": ")
            browser.execute_script("arguments[0].scrollIntoView()", bar)
            bar.click()
            WebDriverWait(browser, 20).until(lambda d: "from=" in d.current_url)
            assert browser.current_url.endswith("#incidents")
            items = browser.find_elements(By.CSS_SELECTOR, "ol#incidents li.incident")
            dates = [i.find_element(By.TAG_NAME, "time").get_attribute("datetime") for i in items]
            assert sum(d.startswith(month) for d in dates) == int(count.split()[0])
            kinds = {i.find_element(By.CSS_SELECTOR, ".class").text for i in items}
            assert kinds == {"arrest"}, kinds
        finally:
            browser.set_window_size(1200, 900)


def test_the_editor_shows_the_example_at_once(browser, corpus_store: GraphStore) -> None:
    """CodeMirror built in a hidden container draws no line until refreshed: the first
    example must be there on first load, without a click."""
    assert EDITOR.exists(), "YASGUI is not bundled: `make editor` copies it from npm"
    first = load_examples()[0].body.strip().splitlines()
    with serving_store(corpus_store) as url:
        browser.get(url + "/")
        wait = WebDriverWait(browser, 20)
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".CodeMirror-code")))
        drawn = (
            "return Array.from(document.querySelectorAll('.CodeMirror-code pre.CodeMirror-line'))"
            ".map(line => line.textContent.replace(/\\u200b/g, '')"
            ".replace(/\\u00a0/g, ' ').trimEnd())"
        )
        expected = [line.rstrip() for line in first]
        try:
            WebDriverWait(browser, 5).until(
                lambda d: d.execute_script(drawn)[: len(expected)] == expected
            )
        except TimeoutException:
            pytest.fail(f"the editor shows {browser.execute_script(drawn)}, not the first example")
        # ... and takes no focus, which would scroll past the start for people above it
        assert browser.execute_script("return window.scrollY") == 0
        assert browser.find_element(By.ID, "start").is_displayed()


def test_the_results_table_reads_like_facts(browser, corpus_store: GraphStore) -> None:
    query = (
        'SELECT ?length ?name { BIND("P30D"^^xsd:duration AS ?length) '
        'BIND("Ali Karimli"@en AS ?name) }'
    )
    with serving_store(corpus_store) as url:
        browser.get(url + "/?" + urlencode({"query": query}))
        wait = WebDriverWait(browser, 20)
        cells = wait.until(
            lambda d: [td.text for td in d.find_elements(By.CSS_SELECTOR, ".yasr tbody td")]
        )
        assert "30 days" in cells and "Ali Karimli" in cells, cells
        assert not any("^^" in cell or "@en" in cell for cell in cells), cells
        # "Simple view" is ticked; unticking it shows the RDF terms
        browser.find_element(By.XPATH, "//label[.//span[text()='Simple view']]").click()
        wait.until(lambda d: "^^" in d.find_element(By.CSS_SELECTOR, ".yasr tbody").text)
        assert "@en" in browser.find_element(By.CSS_SELECTOR, ".yasr tbody").text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?query=SELECT+*+%7B+%3Fd+a+vox%3ADigest+%3B+dcterms%3Adate+%3Fdate+%7D",
        "/search?q=Aliyev",
        "/sparql",
        "/.well-known/void",
    ],
)
def test_the_pages_fit_a_narrow_phone(browser, corpus_store: GraphStore, path: str) -> None:
    """At 400 px wide nothing makes the page scroll sideways (wide tables scroll in their box)."""
    with serving_store(corpus_store) as url:
        browser.set_window_size(400, 900)
        try:
            browser.get(url + path)
            WebDriverWait(browser, 20).until(
                lambda d: d.execute_script("return document.readyState") == "complete"
            )
            if EDITOR.exists() and path.startswith("/?"):  # YASR drew its table
                WebDriverWait(browser, 20).until(
                    ec.visibility_of_element_located((By.CSS_SELECTOR, ".yasr tbody td"))
                )
            page = "document.documentElement"
            wide = browser.execute_script(f"return [{page}.scrollWidth, {page}.clientWidth]")
            assert wide[0] <= wide[1], f"{path} is {wide[0]} px wide in a {wide[1]} px window"
        finally:
            browser.set_window_size(1280, 900)


def test_the_search_box_finds_a_person_in_another_spelling(
    browser, corpus_store: GraphStore
) -> None:
    with serving_store(corpus_store) as url:
        browser.get(url + "/")
        label = browser.find_element(By.CSS_SELECTOR, "label[for='search-name']")
        assert "any spelling" in label.text
        box = browser.find_element(By.ID, "search-name")
        box.send_keys("Əli Kərimli")
        box.submit()
        wait = WebDriverWait(browser, 20)
        link = wait.until(ec.element_to_be_clickable((By.LINK_TEXT, "Ali Karimli")))
        link.click()
        wait.until(ec.title_contains("Ali Karimli"))
        assert browser.find_element(By.TAG_NAME, "h1").text == "Ali Karimli"


# -- the reading pages (issue 17): what a reader sees, measured in the browser ---------------

DIGEST_PAGE = "/page/digest/2022-11-04"
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
# Each mark's kinds (its own and those of the marks around it) and its colours as drawn.
MARK_COLOURS = """
return [...document.querySelectorAll(arguments[0])].map(m => {
  const kinds = new Set();
  for (let e = m; e && e.tagName === 'MARK'; e = e.parentElement.closest('mark'))
    for (const k of ['statement', 'event']) if (e.classList.contains(k)) kinds.add(k);
  let shown = m;  // a role's mark is transparent: the colour is that of a mark around it
  while (getComputedStyle(shown).backgroundColor === 'rgba(0, 0, 0, 0)' && shown.parentElement)
    shown = shown.parentElement;
  return [[...kinds].sort().join(' '), getComputedStyle(shown).backgroundColor,
          getComputedStyle(m).color];
});
"""
LAYOUT_FAULTS = """
const faults = [];
if (document.documentElement.scrollWidth > window.innerWidth)
  faults.push('wider than the window: ' + document.documentElement.scrollWidth + 'px');
let level = 0;
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  const next = Number(h.tagName[1]);
  if (next > level + 1) faults.push('h' + next + ' after h' + level + ': ' + h.textContent.trim());
  level = next;
}
for (const c of document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  if (!c.labels.length && !c.getAttribute('aria-label')) faults.push('no label: ' + c.outerHTML);
return faults;
"""


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS colours as getComputedStyle gives them ("rgb(r, g, b)")."""

    def luminance(css: str) -> float:
        r, g, b = (int(c) / 255 for c in re.findall(r"\d+", css)[:3])
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def solutions(store: GraphStore, query: str) -> list[dict[str, str]]:
    return [{k: t.value for k, t in row.items()} for row in select(store, PROLOGUE + query)]


def test_the_digest_page_keeps_its_shape_and_three_colours(
    browser, corpus_store: GraphStore
) -> None:
    parsed = read_digest(CORPUS / "2022-11-04.txt")
    with serving_store(corpus_store) as url:
        browser.set_window_size(1280, 1000)
        browser.get(url + DIGEST_PAGE)
        text = browser.find_element(By.CSS_SELECTOR, "article.digest-text")
        headings = [h.text for h in text.find_elements(By.TAG_NAME, "h2")]
        assert headings == [s.title for s in parsed.sections if s.title]
        paragraphs = text.find_elements(By.TAG_NAME, "p")
        assert len(paragraphs) >= len(parsed.paragraphs()), "the digest's paragraphs are lost"
        colours: dict[str, set[str]] = {}
        for kinds, background, ink in browser.execute_script(
            MARK_COLOURS, "article.digest-text mark.ev"
        ):
            if kinds:
                colours.setdefault(kinds, set()).add(background)
                ratio = contrast(background, ink)
                assert ratio >= 4.5, f"{kinds} marks: contrast {ratio:.1f}:1 is below 4.5:1"
        assert set(colours) == {"statement", "event", "event statement"}, colours
        assert all(len(found) == 1 for found in colours.values()), colours
        assert len(set().union(*colours.values())) == 3, f"the kinds share a colour: {colours}"
        legend = {k: {b} for k, b, _ in browser.execute_script(MARK_COLOURS, ".legend mark.ev")}
        assert legend == colours, "the legend's colours are not the text's"
        for background, ink in browser.execute_script(
            "return [...document.querySelectorAll('a.marker')].map(m => "
            "[getComputedStyle(m).backgroundColor, getComputedStyle(m).color])"
        ):
            assert contrast(background, ink) >= 4.5, "a marker letter is hard to read"
        legend_text = browser.find_element(By.CSS_SELECTOR, ".legend").text
        assert all(
            f"{letter} {word}" in legend_text
            for letter, word in zip("SER", ("statement", "event", "a person's role"), strict=True)
        )

        # A link to a span lands on it, outlined, and on nothing else.
        browser.get(url + DIGEST_PAGE + "#char=7495,7650")
        target = browser.execute_script("return document.querySelector(':target')")
        assert target is not None and target.tag_name == "mark"
        assert target.value_of_css_property("outline-style") == "solid"
        others = browser.find_elements(By.CSS_SELECTOR, "article mark.ev:not(:target)")
        assert all(m.value_of_css_property("outline-style") == "none" for m in others[:20])


def test_an_event_page_states_its_sentence_and_actors(browser, corpus_store: GraphStore) -> None:
    (event,) = solutions(
        corpus_store,
        """SELECT ?e WHERE { ?e a vox:Event ; vox:agent ?a ; vox:affected ?b ;
             vox:reportedIn ?d . ?d dcterms:date "2022-11-04"^^xsd:date } ORDER BY ?e LIMIT 1""",
    )
    actors = solutions(
        corpus_store,
        f"""SELECT ?actor (SAMPLE(?l) AS ?name) WHERE {{
              <{event["e"]}> vox:agent|vox:affected|vox:participant|vox:place ?actor .
              ?actor rdfs:label ?l }} GROUP BY ?actor""",
    )
    (span,) = solutions(
        corpus_store,
        f"""SELECT ?b ?e ?anchor WHERE {{ <{event["e"]}> vox:evidence ?ev .
              ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor }} LIMIT 1""",
    )
    with serving_store(corpus_store) as url:
        browser.set_window_size(1280, 1000)
        browser.get(url + "/page/" + event["e"].removeprefix(ID_BASE))
        sentence = browser.find_element(By.CSS_SELECTOR, "p.what")
        links = {a.text: a.get_attribute("href") for a in sentence.find_elements(By.TAG_NAME, "a")}
        for actor in actors:
            assert links.get(actor["name"], "").endswith(
                "/page/" + actor["actor"].removeprefix(ID_BASE)
            ), f"the sentence does not link {actor['name']}: {sentence.text}"
        assert "date not stated" in sentence.text or "on " in sentence.text
        quoted = browser.find_element(By.CSS_SELECTOR, "figure.evidence blockquote")
        assert span["anchor"].strip() in quoted.text
        browser.find_element(By.CSS_SELECTOR, "figure.evidence figcaption a").click()
        WebDriverWait(browser, 10).until(ec.url_contains("#char="))
        target = browser.execute_script("return document.querySelector(':target')")
        assert target is not None and target.get_attribute("id") == f"char={span['b']},{span['e']}"
        assert target.value_of_css_property("outline-style") == "solid"


def test_a_paraphrase_never_looks_like_a_quote(browser, corpus_store: GraphStore) -> None:
    (statement,) = solutions(
        corpus_store,
        """SELECT ?s WHERE { ?s vox:quote ?q ; vox:paraphrase ?p } ORDER BY ?s LIMIT 1""",
    )
    pages = ["/page/actor/ali-karimli", "/page/" + statement["s"].removeprefix(ID_BASE)]
    check = """
    return [...document.querySelectorAll(arguments[0])].map(e => [
      e.textContent.slice(0, 60), Boolean(e.closest('q, blockquote')),
      getComputedStyle(e, '::before').content, getComputedStyle(e, '::after').content]);
    """
    with serving_store(corpus_store) as url:
        for path in pages:
            browser.get(url + path)
            shown = browser.execute_script(check, ".paraphrase")
            assert shown, f"{path}: no paraphrase shown"
            for text, quoted, before, after in shown:
                assert not quoted, f"{path}: paraphrase in a quotation element: {text}"
                assert before in ("none", "normal") and after in ("none", "normal"), (
                    f"{path}: paraphrase drawn with {before} … {after}: {text}"
                )
            for text, _, before, _ in browser.execute_script(check, "q.quote"):
                assert before not in ("none", "normal", '""'), (
                    f"{path}: quote without marks: {text}"
                )
            legend = browser.find_element(By.CSS_SELECTOR, ".legend.speech").text.lower()
            assert "paraphrase" in legend and "quotation marks" in legend


def test_reading_pages_fit_400px_with_headings_in_order(browser, corpus_store: GraphStore) -> None:
    items = solutions(
        corpus_store,
        """SELECT (MIN(?s) AS ?statement) (MIN(?e) AS ?event) (MIN(?i) AS ?incident) WHERE {
             { ?s a vox:Statement } UNION { ?e a vox:Event } UNION { ?i a vox:Incident } }""",
    )[0]
    pages = [DIGEST_PAGE, "/page/actor/ali-karimli"] + [
        "/page/" + iri.removeprefix(ID_BASE) for iri in items.values()
    ]
    with serving_store(corpus_store) as url:
        for width in (1280, 400):
            browser.set_window_size(width, 900)
            for path in pages:
                browser.get(url + path)
                faults = browser.execute_script(LAYOUT_FAULTS)
                assert not faults, f"{path} at {width}px: {faults}"
