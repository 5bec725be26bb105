"""Regression floors: extraction must not fall below the quality it has reached.

Each floor is the F1 measured when it was set (README, "Extraction quality"),
cut to two decimals. A change to the rules, the lexicons or the registry that
lowers a figure below its floor fails here and says which set and kind fell;
raise a floor when the figures rise. The blind set (tests/blind) was scored
blind once and is a development set since, guarded like the others.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from voxgraph.loader.evaluate.scores import Report, evaluate
from voxgraph.loader.registry import Registry

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# set name: (gold folder, digest folder, {kind: floor})
FLOORS = {
    "bundled": (
        TESTS / "gold",
        ROOT / "corpus",
        {"persons": 0.99, "actors": 0.99, "statements": 0.98, "events": 0.83},
    ),
    "generalisation": (
        TESTS / "generalisation" / "gold",
        TESTS / "generalisation" / "digests",
        {"persons": 0.99, "actors": 0.98, "statements": 0.97, "events": 0.93},
    ),
    "series": (
        TESTS / "series" / "gold",
        TESTS / "series" / "digests",
        {"persons": 0.99, "actors": 0.93, "statements": 0.99, "events": 0.88},
    ),
    "blind": (
        TESTS / "blind" / "gold",
        TESTS / "blind" / "digests",
        {"persons": 0.99, "actors": 0.99, "statements": 0.96, "events": 0.89},
    ),
    "heldout": (
        TESTS / "heldout" / "gold",
        TESTS / "heldout" / "digests",
        {"persons": 0.94, "actors": 0.97, "statements": 0.81, "events": 0.64},
    ),
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load()


@pytest.mark.parametrize("name", FLOORS)
def test_extraction_stays_above_its_floors(name: str, registry: Registry) -> None:
    gold, digests, floors = FLOORS[name]
    report: Report = evaluate(sorted(gold.glob("*.yaml")), digests, registry)
    assert not report.unread, f"{name}: digests that no longer load: {report.unread}"
    fallen = {
        kind: round(report.scores[kind].f1, 3)
        for kind, floor in floors.items()
        if report.scores[kind].f1 < floor
    }
    assert not fallen, (
        f"{name}: F1 fell below its floor { ({k: floors[k] for k in fallen}) }: now {fallen}; "
        f"see `voxgraph evaluate {gold.relative_to(ROOT)} --digests "
        f"{digests.relative_to(ROOT)} --show-errors`"
    )
