"""`pip wheel .` builds a wheel a stranger can use: one package, `voxgraph`, that carries
its data (ontology, shapes, mappings, example queries, the bundled corpus) and, installed
away from the checkout, loads the bundled corpus and serves it over SPARQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port
from voxgraph.iris import PREFIXES
from voxgraph.paths import CHECKOUT

DATA_FOLDERS = {
    "ontology": "*.ttl",
    "shapes": "*.ttl",
    "mappings": "*",
    "queries": "*",
    "corpus": "*",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."]
    done = subprocess.run(command, cwd=CHECKOUT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"pip wheel . failed:\n{done.stderr}"
    (built,) = out.glob("voxgraph-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (its dependencies are this venv's)."""
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet"]
    done = subprocess.run(
        [*command, "--target", str(target), str(wheel)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"installing the wheel failed:\n{done.stderr}"
    return target


def run_installed(site: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    """`python -m voxgraph.cli ARGS` with the installed copy first on the path, run away
    from the checkout (so neither the checkout nor the editable install is imported)."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("VOXGRAPH_STORE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "voxgraph.cli", *args],
        cwd=site.parent,
        env=env,
        text=True,
        **popen,  # type: ignore[call-overload]
    )


def installed_value(site: Path, expression: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = f"import voxgraph.paths, voxgraph.loader, voxgraph.server; print({expression})"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=site.parent, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_wheel_carries_the_data_and_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("voxgraph-")}
    assert tops == {"voxgraph"}, f"the wheel installs top-level packages {sorted(tops)}"
    for folder, pattern in DATA_FOLDERS.items():
        expected = {
            f"voxgraph/data/{folder}/{path.name}"
            for path in (CHECKOUT / folder).glob(pattern)
            if path.is_file()
        }
        assert expected, f"{folder}/ has no files to ship"
        missing = expected - set(names)
        assert not missing, f"the wheel lacks {sorted(missing)}"
    code = {
        f"voxgraph/{path.relative_to(CHECKOUT).as_posix()}".replace(
            "voxgraph/voxgraph/", "voxgraph/"
        )
        for folder in ("voxgraph", "loader", "server")
        for path in (CHECKOUT / folder).rglob("*.py")
    }
    assert not code - set(names), f"modules missing from the wheel: {sorted(code - set(names))}"
    assert "voxgraph/server/templates/layout.html" in names, "the pages' templates are missing"


def test_the_installed_package_finds_its_data_inside_itself(installed: Path) -> None:
    package = installed / "voxgraph"
    assert installed_value(installed, "voxgraph.loader.__file__") == str(
        package / "loader" / "__init__.py"
    ), "the checkout's code was imported, not the installed wheel's"
    for name in ("ONTOLOGY", "SHAPES", "MAPPINGS", "QUERIES", "CORPUS"):
        value = Path(installed_value(installed, f"voxgraph.paths.{name}"))
        assert value.exists() and value.is_relative_to(package), f"paths.{name} is {value}"


@pytest.fixture(scope="module")
def served(installed: Path) -> Iterator[str]:
    """The installed voxgraph loads the corpus it carries and serves it on a free port."""
    corpus = installed_value(installed, "voxgraph.paths.CORPUS")
    store = installed.parent / "store"
    loading = run_installed(
        installed, "load", corpus, "--store", str(store), "--no-progress", stderr=subprocess.PIPE
    )
    _, said = loading.communicate(timeout=600)
    assert loading.returncode == 0, f"the installed voxgraph failed to load its corpus:\n{said}"
    port = free_port()
    server = run_installed(
        installed, "serve", "--store", str(store), "--port", str(port), stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        assert server.poll() is None, "the installed voxgraph serve exited"
        assert time.monotonic() < deadline, "the installed voxgraph serve did not answer"
        time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_the_installed_wheel_serves_the_bundled_corpus(served: str) -> None:
    query = "SELECT ?date { ?digest dcterms:date ?date ; a vox:Digest } ORDER BY ?date"
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    answer = requests.get(
        served + "/sparql",
        params={"query": prologue + query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert answer.ok, answer.text
    dates = [row["date"]["value"] for row in answer.json()["results"]["bindings"]]
    bundled = sorted(path.stem for path in (CHECKOUT / "corpus").glob("*.txt"))
    assert dates == bundled, "the installed wheel does not serve the digests it carries"
    page = requests.get(served + "/", timeout=30)
    assert page.ok and "<form" in page.text, "the query page (templates, static) is not served"
