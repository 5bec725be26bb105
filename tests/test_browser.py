"""End to end in a real headless browser (Debian's chromium + chromedriver, via selenium):
open the query page, run an example query, see the result table, follow an IRI to the
actor's page. `make test` installs the browser; without it these tests fail and say so."""

from __future__ import annotations

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

from loader.store import GraphStore
from server.examples import load_examples
from server.page import EDITOR
from tests.server_fixtures import serving_store

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
