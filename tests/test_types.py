"""The code type-checks (mypy) and its imports run downward (import-linter).

Both tools read the package as installed: `voxgraph.loader` is the loader/ folder and
`voxgraph.server` the server/ folder (pyproject's package-dir). Neither follows the
import hook of an editable install, so the test lays that layout out as symlinks under
build/typecheck/ and runs them there; what they report names the files in the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from voxgraph.paths import CHECKOUT

PYPROJECT = CHECKOUT / "pyproject.toml"
TREE = CHECKOUT / "build" / "typecheck"
BIN = Path(sys.executable).parent


def installed_layout() -> Path:
    """build/typecheck/voxgraph/: voxgraph/'s modules and the package-dir folders, linked."""
    mapping = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-dir"]
    package = TREE / "voxgraph"
    shutil.rmtree(package, ignore_errors=True)
    package.mkdir(parents=True)
    for module in (CHECKOUT / "voxgraph").glob("*.py"):
        (package / module.name).symlink_to(module)
    for name, folder in mapping.items():
        if (CHECKOUT / folder / "__init__.py").is_file():  # code, not a data folder
            (package / name.removeprefix("voxgraph.")).symlink_to(CHECKOUT / folder)
    return TREE


def in_checkout(report: str) -> str:
    """Tool output with the linked paths put back as the checkout's (loader/store/oxigraph.py)."""
    mapping = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-dir"]
    for name, folder in mapping.items():
        report = report.replace(name.replace(".", "/") + "/", folder + "/")
    return report


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_mypy_finds_no_errors() -> None:
    tree = installed_layout()
    cache = CHECKOUT / "build" / "mypy-cache"
    done = run(
        [sys.executable, "-m", "mypy", "--config-file", str(PYPROJECT), "--cache-dir", str(cache)]
        + ["-p", "voxgraph"],
        cwd=tree,
    )
    assert done.returncode == 0, "mypy found errors:\n" + in_checkout(done.stdout + done.stderr)
    assert "Success: no issues found" in done.stdout


def test_imports_run_downward() -> None:
    tree = installed_layout()
    done = run([str(BIN / "lint-imports"), str(PYPROJECT), "--no-cache"], cwd=tree)
    report = in_checkout(done.stdout + done.stderr)
    assert done.returncode == 0, "an import contract in pyproject.toml is broken:\n" + report
    assert "0 broken" in done.stdout, report
