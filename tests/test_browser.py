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
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.wait import WebDriverWait

from loader.store import GraphStore
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
