"""Linking actors to Wikidata: find and score candidates, record reviewed links, verify links.

A wrong link is worse than none (it merges two people in every federated
query), so the score is conservative. It is the product of three parts:

- name: the best similarity between the actor's names and the item's label and
  aliases, after transliteration folding (voxgraph/names.py);
- type: the item's instance-of (P31) must agree with the actor's type. For a
  person (human, Q5), a party (political party, Q7278) and a country (country
  Q6256 or sovereign state Q3624078) a disagreement rules the item out; for
  other organizations and places, whose Wikidata types are many, an
  unrecognised type only lowers the score;
- context: starts at 0.7 and moves with citizenship (P27) or country (P17)
  (the actor's own country, else the region the digests cover), and with
  occupation (P106) or party (P102) against the roles the digests state. An
  item whose occupations all contradict the stated roles (a footballer for a
  party chairman) drops to 0.3 and below any sensible threshold.

So an exact namesake who is human but about whom Wikidata says nothing else
scores 0.7, below the default threshold of 0.8: without context there is no
telling namesakes apart.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from voxgraph.iris import ID, VOX
from voxgraph.loader.link.wikidata import Item, WikidataClient
from voxgraph.loader.registry import (
    ACTOR_TYPES,
    PLACE_TYPES,
    Entry,
    Link,
    Registry,
    Source,
    read_entries,
)
from voxgraph.loader.store import Store
from voxgraph.names import best_similarity, fold
from voxgraph.paths import MAPPINGS

DEFAULT_THRESHOLD = 0.8
NAME_FIT = 0.85  # the least name similarity for a linked item to still fit its actor

WIKIDATA = MAPPINGS / "wikidata.yaml"


@dataclass(frozen=True)
class WikidataClasses:
    """mappings/wikidata.yaml: the Wikidata classes, countries and occupations that
    scoring compares an item with (sets of QIDs)."""

    hard_types: dict[str, frozenset[str]]  # actor type -> the P31 it must have
    soft_types: dict[str, frozenset[str]]  # "Place", "Organization" -> P31 that fit
    region: frozenset[str]  # the countries the digests are about
    occupations: dict[str, tuple[str, ...]]  # occupation -> role words implying it


@cache
def wikidata_classes() -> WikidataClasses:
    data = yaml.safe_load(WIKIDATA.read_text(encoding="utf-8"))
    return WikidataClasses(
        hard_types={kind: frozenset(qids) for kind, qids in data["hard_types"].items()},
        soft_types={kind: frozenset(qids) for kind, qids in data["soft_types"].items()},
        region=frozenset(data["region"]),
        occupations={qid: tuple(words) for qid, words in data["occupations"].items()},
    )


@dataclass(frozen=True)
class Target:
    """An actor or place to link, from the registry or from the stored digests."""

    id: str
    iri: str
    label: str
    type: str  # a registry type name: Person, PoliticalParty, Place, ...
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # role titles as the digests state them
    country: str | None = None  # QID of the actor's country, where known
    parties: tuple[str, ...] = ()  # QIDs of linked organizations named in its roles
    link: Link | None = None
    curated: bool = False  # an entry of mappings/actors.yaml (--accept can record it)

    @property
    def search_names(self) -> list[str]:
        """Names worth searching for: a person's bare surname finds only namesakes."""
        names = [self.label]
        names += [a for a in self.aliases if self.type != "Person" or " " in a.strip()]
        return list({fold(n): n for n in names}.values())


@dataclass
class Candidate:
    target: Target
    item: Item
    score: float
    reasons: list[str] = field(default_factory=list)


# -- what to link ----------------------------------------------------------------------


def target_from_entry(entry: Entry, registry: Registry, curated: bool) -> Target:
    def qid_of(entry_id: str | None) -> str | None:
        linked = registry.by_id.get(entry_id or "")
        return linked.wikidata.qid if linked and linked.wikidata else None

    parties = {qid_of(role.organization) for role in entry.roles}
    return Target(
        id=entry.id,
        iri=str(entry.iri),
        label=entry.label,
        type=entry.type,
        aliases=entry.aliases,
        roles=tuple(role.title for role in entry.roles),
        country=qid_of(entry.country),
        parties=tuple(sorted(p for p in parties if p)),
        link=entry.wikidata,
        curated=curated,
    )


def targets(registry: Registry, curated: Path, store: Store | None = None) -> list[Target]:
    """The curated actors and places, then every other one the stored digests mention."""
    curated_ids = {entry.id for entry in read_entries(curated)}
    mentioned = stored_actors(store) if store is not None else {}
    found = [
        target_from_entry(entry, registry, entry.id in curated_ids)
        for entry in registry.entries
        if entry.id in curated_ids or str(entry.iri) in mentioned
    ]
    known = {str(entry.iri) for entry in registry.entries}
    found += [target for iri, target in sorted(mentioned.items()) if iri not in known]
    return found


STORED_FACTS = ("type", "label", "alias", "title")


def stored_actors(store: Store) -> dict[str, Target]:
    """Every actor or place the stored digests mention, described from the store."""
    rows = store.select(
        f"""SELECT ?a ?type ?label ?alias ?title WHERE {{
          ?a <{VOX.mentionedIn}> ?digest ; a ?type .
          OPTIONAL {{ ?a <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
          OPTIONAL {{ ?a <http://www.w3.org/2004/02/skos/core#altLabel> ?alias }}
          OPTIONAL {{ ?a <{VOX.role}>/<{VOX.roleTitle}> ?title }}
        }}""",
    )
    facts: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        about = facts.setdefault(row["a"].value, {k: set() for k in STORED_FACTS})
        for name in STORED_FACTS:
            if row[name] is not None:
                about[name].add(row[name].value)
    found = {}
    for iri, about in facts.items():
        kind = most_specific_type(about["type"])
        if kind is None or not about["label"]:
            continue
        label = sorted(about["label"])[0]
        found[iri] = Target(
            id=iri.removeprefix(str(ID)).split("/", 1)[-1],
            iri=iri,
            label=label,
            type=kind,
            aliases=tuple(sorted(about["alias"] - {label})),
            roles=tuple(sorted(about["title"])),
        )
    return found


def most_specific_type(type_iris: Iterable[str]) -> str | None:
    names = {iri.removeprefix(str(VOX)) for iri in type_iris if iri.startswith(str(VOX))}
    for name in (*[t for t in ACTOR_TYPES if t != "Organization"], "Organization", *PLACE_TYPES):
        if name in names:
            return name
    return None


# -- scoring ---------------------------------------------------------------------------


def implied_occupations(roles: Iterable[str]) -> set[str]:
    words = " ".join(roles).casefold()
    return {
        qid
        for qid, cues in wikidata_classes().occupations.items()
        if any(re.search(rf"\b{re.escape(cue)}\b", words) for cue in cues)
    }


def type_factor(target: Target, item: Item) -> tuple[float, str]:
    """1 when instance-of agrees; 0 when a person, party or country is something else."""
    kinds = set(item.values("P31"))
    hard = wikidata_classes().hard_types.get(target.type)
    if hard is not None:
        if kinds & hard:
            return 1.0, f"instance of {'/'.join(sorted(kinds & hard))}"
        return 0.0, f"not a {target.type.lower()} (P31: {', '.join(sorted(kinds)) or 'none'})"
    soft_types = wikidata_classes().soft_types
    expected = soft_types["Place" if target.type in PLACE_TYPES else "Organization"]
    if kinds & expected:
        return 1.0, f"instance of {'/'.join(sorted(kinds & expected))}"
    if not kinds:
        return 0.8, "no instance-of"
    return 0.6, f"type not recognised (P31: {', '.join(sorted(kinds))})"


def context_factor(target: Target, item: Item) -> tuple[float, list[str]]:
    """Country and roles: does what Wikidata says fit what the digests say?"""
    if target.type == "Country":
        return 1.0, []
    factor, reasons = 0.7, []
    countries = set(item.values("P27")) | set(item.values("P17"))
    if target.country and target.country in countries:
        factor += 0.15
        reasons.append(f"country {target.country}")
    elif in_region := countries & wikidata_classes().region:
        factor += 0.1
        reasons.append(f"country in the region ({', '.join(sorted(in_region))})")
    elif countries and target.country:
        factor -= 0.1
        reasons.append(f"country {', '.join(sorted(countries))}, not {target.country}")
    parties = set(target.parties) & set(item.values("P102"))
    if parties:
        factor += 0.15
        reasons.append(f"member of party {', '.join(sorted(parties))}")
    implied = implied_occupations(target.roles)
    occupations = set(item.values("P106"))
    if implied & occupations:
        factor += 0.15
        reasons.append(f"occupation {', '.join(sorted(implied & occupations))} fits the roles")
    elif implied and occupations and not parties:
        factor -= 0.4
        reasons.append(f"occupation {', '.join(sorted(occupations))} contradicts the roles")
    return min(factor, 1.0), reasons


def score(target: Target, item: Item) -> Candidate:
    names = [target.label, *target.aliases]
    if target.type == "Person":  # a bare surname fits every namesake's family
        names = [n for n in names if " " in n.strip()] or [target.label]
    name, matched = best_similarity(names, item.names)
    kind, kind_reason = type_factor(target, item)
    context, context_reasons = context_factor(target, item)
    reasons = [f"name {name:.2f} ({matched!r})", kind_reason, *context_reasons]
    return Candidate(target, item, round(name * kind * context, 2), reasons)


def find_candidates(
    target: Target, client: WikidataClient, taken: dict[str, str] | None = None
) -> list[Candidate]:
    """Every item the searches find for `target`, scored, best first.

    `taken` maps QIDs already linked to other actors; those are left out (no two
    actors share one item).
    """
    ids: list[str] = []
    for name in target.search_names:
        ids += [qid for qid in client.search(name) if qid not in ids]
    taken = taken or {}
    ids = [qid for qid in ids if taken.get(qid, target.id) == target.id]
    candidates = [score(target, item) for item in client.items(ids).values()]
    return sorted(candidates, key=lambda c: (-c.score, c.item.id))


def taken_items(registry: Registry) -> dict[str, str]:
    return {e.wikidata.qid: e.id for e in registry.entries if e.wikidata is not None}


# -- verifying links -------------------------------------------------------------------


@dataclass
class Check:
    target: Target
    item: Item | None
    problems: list[str]
    score: float | None = None

    @property
    def fits(self) -> bool:
        return not self.problems


def verify(targets_: Iterable[Target], client: WikidataClient) -> list[Check]:
    """Re-fetch every linked item (bypassing the cache) and say whether it still fits.

    It fits when it exists under that id (not deleted, not redirected), one of its
    labels or aliases is the actor's name (similarity >= NAME_FIT after folding)
    and its instance-of agrees with the actor's type.
    """
    linked = [t for t in targets_ if t.link is not None]
    items = client.items([t.link.qid for t in linked if t.link], refresh=True)
    checks = []
    for target in linked:
        assert target.link is not None
        item = items.get(target.link.qid)
        if item is None:
            checks.append(Check(target, None, [f"{target.link.qid} is missing from Wikidata"]))
            continue
        problems = []
        if item.id != target.link.qid:
            problems.append(f"{target.link.qid} now redirects to {item.id}")
        candidate = score(target, item)
        name, _ = best_similarity([target.label, *target.aliases], item.names)
        if name < NAME_FIT:
            problems.append(f"no label or alias fits (best {name:.2f}: {item.names[:3]})")
        kind, kind_reason = type_factor(target, item)
        if kind == 0:
            problems.append(kind_reason)
        checks.append(Check(target, item, problems, candidate.score))
    return checks


# -- recording links in the registry file ----------------------------------------------


def link_block(link: Link) -> list[str]:
    """The `wikidata:` block of an entry, as registry.read_link reads it back."""

    def text(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)  # a YAML string, quoted

    lines = [
        "  wikidata:",
        f"    qid: {link.qid}",
        f"    status: {link.status}",
        "    source:",
    ]
    for key, value in link.source.as_yaml().items():
        lines.append(f"      {key}: {value if key == 'line' else text(value)}")
    if link.match:
        lines.append(f"    match: {text(link.match)}")
    lines.append(f"    date: {link.date}")
    if link.score is not None:
        lines.append(f"    score: {link.score:.2f}")
    if link.checked:
        lines.append(f"    checked: {text(link.checked)}")
    return lines


def record_link(path: Path, entry_id: str, link: Link | None) -> None:
    """Write `link` into the entry `entry_id` of the registry file at `path` (None: remove it).

    The file is edited as text, so that its comments and layout stay: the
    entry's `wikidata:` block (if any) is replaced, or a new one is added at the
    end of the entry. The result is read back and checked (ids, no item shared
    by two entries); on any problem the file is left as it was.
    """
    before = path.read_text(encoding="utf-8")
    lines = before.splitlines()
    start = next((i for i, line in enumerate(lines) if line == f"- id: {entry_id}"), None)
    if start is None:
        raise KeyError(f"{entry_id!r} is not an entry of {path.name}")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "")),
        len(lines),
    )
    while end > start and not lines[end - 1].strip():
        end -= 1
    body = lines[start:end]
    old = next((i for i, line in enumerate(body) if line == "  wikidata:"), None)
    if old is not None:
        stop = next(
            (i for i in range(old + 1, len(body)) if not body[i].startswith("    ")), len(body)
        )
        body = body[:old] + body[stop:]
    lines[start:end] = body + (link_block(link) if link is not None else [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        Registry.load(path)  # checks ids, references and that no item is linked twice
    except Exception:
        path.write_text(before, encoding="utf-8")
        raise


# -- checking sources against a copy of the repository ----------------------------------

RECORD_LINES = 40  # how far one record (a YAML or JSON object) may run from its first line


def row_found(row: str, text: str, line: int | None = None) -> bool:
    """Whether `row` occurs in `text`: its pieces (split at "…") in order, within one record.

    With `line`, the first piece must start on that line (1-based); the rest
    must follow within RECORD_LINES lines.
    """
    pieces = [piece.strip() for piece in row.split("…") if piece.strip()]
    lines = text.splitlines()
    starts = [line - 1] if line else range(len(lines))
    for start in starts:
        if start >= len(lines) or pieces[0] not in lines[start]:
            continue
        window = "\n".join(lines[start : start + RECORD_LINES])
        at = window.find(pieces[0])
        for piece in pieces[1:]:
            at = window.find(piece, at)
            if at < 0:
                break
        else:
            return True
    return False


def check_source(source: Source, clones: Path) -> str | None:
    """None if the file at the source's commit in a local clone holds its row; else why not.

    `clones` holds one git clone (or mirror) per repository, as
    clones/<owner>/<name>. A URL source cannot be checked offline.
    """
    if source.url:
        return f"{source.url}: a web page, open it to check"
    clone = clones / str(source.repository)
    if not clone.exists():
        return f"no clone of {source.repository} in {clones}"
    shown = subprocess.run(
        ["git", "-C", str(clone), "show", f"{source.commit}:{source.path}"],
        capture_output=True,
    )
    if shown.returncode != 0:
        said = shown.stderr.decode("utf-8", "replace").strip().splitlines() or ["git show failed"]
        return f"{source.describe()}: not in the clone ({said[-1]})"
    if not row_found(source.row, shown.stdout.decode("utf-8", "replace"), source.line):
        where = f"line {source.line}" if source.line else "the file"
        return f"{source.describe()}: {where} does not hold the row {source.row!r}"
    return None
