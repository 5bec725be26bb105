"""The registry: the curated actors.yaml completed by the gazetteer, by example."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from voxgraph.loader.extract.actors import find_mentions
from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.read.parse import parse_digest
from voxgraph.loader.registry import (
    ACTOR_TYPES,
    GAZETTEER,
    PLACE_TYPES,
    Registry,
    RegistryError,
    read_entries,
)
from voxgraph.loader.validate.shacl import check
from voxgraph.paths import ACTOR_REGISTRY


def write(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path: Path) -> Registry:
    curated = write(
        tmp_path / "actors.yaml",
        [
            {"id": "gumru", "label": "Gumru", "type": "Place", "aliases": []},
            {"id": "eu", "label": "EU", "type": "InternationalOrganization", "aliases": []},
            {"id": "baku", "label": "Baku", "type": "Place", "aliases": []},
        ],
    )
    gazetteer = write(
        tmp_path / "gazetteer.yaml",
        [
            # same id: the curated entry stays, lent the names it lacks
            {"id": "gumru", "label": "Gyumri", "type": "Country", "aliases": ["Gumri", "Baku"]},
            # another id: the alias that names a curated actor is dropped
            {
                "id": "european-union",
                "label": "European Union",
                "type": "Country",
                "aliases": ["EU", "E.U."],
            },
            # its label names a curated actor: not added at all
            {"id": "baku-city", "label": "Baku", "type": "Place", "aliases": ["Baki"]},
            {"id": "tbilisi", "label": "Tbilisi", "type": "Place", "aliases": []},
        ],
    )
    return Registry.load(curated, gazetteer)


def test_curated_entry_wins_over_a_gazetteer_entry_with_its_id(small: Registry) -> None:
    gumru = small.by_id["gumru"]
    assert (gumru.label, gumru.type) == ("Gumru", "Place")
    assert gumru.aliases == ("Gyumri", "Gumri")  # "Baku" is another curated actor's name
    assert small.lookup("Gyumri") is gumru
    assert small.lookup("Baku") is small.by_id["baku"]


def test_gazetteer_aliases_that_name_curated_actors_are_dropped(small: Registry) -> None:
    assert small.by_id["european-union"].aliases == ("E.U.",)
    assert small.lookup("EU") is small.by_id["eu"]
    assert "baku-city" not in small.by_id
    assert small.lookup("Baki") is None


def test_gazetteer_names_are_mentions_like_curated_ones(small: Registry) -> None:
    text = (
        "Center for National and International Studies\n\nPolitics\n\n"
        "Talks in Tbilisi and Gyumri; the EU and the European Union.\n\nNovember 4, 2022\n"
    )
    keys = [m.actor.key for m in find_mentions(parse_digest(text, source="x.txt"), small)]
    assert keys[1:] == ["tbilisi", "gumru", "eu", "european-union"]  # after the publisher


def test_duplicate_ids_within_one_file_name_the_file(tmp_path: Path) -> None:
    entry = {"id": "tbilisi", "label": "Tbilisi", "type": "Place"}
    gazetteer = write(tmp_path / "gazetteer.yaml", [entry, entry])
    with pytest.raises(RegistryError, match=r"gazetteer\.yaml.*'tbilisi'"):
        Registry.load(write(tmp_path / "actors.yaml", []), gazetteer)


def test_unknown_country_reference_is_an_error(tmp_path: Path) -> None:
    entry = {"id": "tbilisi", "label": "Tbilisi", "type": "Place", "country": "georgia"}
    with pytest.raises(RegistryError, match="georgia"):
        Registry.load(write(tmp_path / "actors.yaml", []), write(tmp_path / "g.yaml", [entry]))


# -- the bundled files -------------------------------------------------------------


def test_no_two_entries_share_an_id_within_a_file() -> None:
    for path in (ACTOR_REGISTRY, GAZETTEER):
        ids = [item["id"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))]
        assert len(ids) == len(set(ids)), path.name


def test_every_gazetteer_entry_has_a_valid_type_and_no_people() -> None:
    for entry in read_entries(GAZETTEER):
        assert entry.type in ACTOR_TYPES + PLACE_TYPES
        assert entry.type != "Person"
        assert not entry.roles


def test_every_registry_id_the_cue_lists_name_exists() -> None:
    """mappings/cues.yaml names countries by demonym and the bodies that govern
    places: each id must be in the registry, or the cue names no one."""
    cues = load_cues()
    named = {"demonyms": set(cues.demonyms.values()) - {None}}
    named["governed_places"] = set(cues.governed_places.values())
    known = Registry.load().by_id
    unknown = {
        list_: sorted(ids - known.keys()) for list_, ids in named.items() if ids - known.keys()
    }
    assert not unknown, f"cues.yaml names ids the registry lacks: {unknown}"


def test_every_name_stands_for_one_actor() -> None:
    registry = Registry.load()
    ambiguous = {
        name: [e.id for e in found] for name, found in registry.by_name.items() if len(found) > 1
    }
    assert not ambiguous


def test_the_gazetteer_knows_the_region() -> None:
    registry = Registry.load()
    for name, key in [
        ("Georgia", "georgia"),
        ("Tbilisi", "tbilisi"),
        ("Strasbourg", "strasbourg"),
        ("Milli Majlis", "milli-majlis"),
        ("OSCE", "osce"),
        ("Türkiye", "turkey"),  # lent to the curated entry
        ("Stepanakert", "khankendi"),
    ]:
        entry = registry.lookup(name)
        assert entry is not None and entry.id == key, name


def test_no_ordinary_word_is_a_name() -> None:
    text = (
        "Center for National and International Studies\n\nPolitics\n\n"
        "Let us see. Amnesty was declared; the Ombudsman, the Security Council and the\n"
        "presidential administration signed a civil contract with a UN-mandated body.\n\n"
        "November 4, 2022\n"
    )
    found = find_mentions(parse_digest(text, source="x.txt"), Registry.load())
    assert [m.surface for m in found] == ["Center for National and International Studies"]


def test_registry_graph_conforms_to_the_shapes() -> None:
    check(Registry.load().graph())
