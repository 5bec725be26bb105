"""The actor registry as lookups and as RDF.

The registry is data, in two files of one format. mappings/actors.yaml is
curated from the digests: canonical names, types, every alias met in the text,
stated roles. mappings/gazetteer.yaml is general reference knowledge
(countries, capitals, the region's cities and districts, well-known
institutions), so that names the curated file has not met yet are recognised
too. The curated file wins: a gazetteer entry with a curated id only lends it
the names no other curated entry carries, and a gazetteer name that a curated
entry carries is dropped, so that every name still stands for one actor. The
mapper uses the registry to recognise known actors; `graph()` is what goes into
the registry's own named graph.

An entry may carry its Wikidata item under `wikidata:` (qid, status, source,
date, match; score for a candidate search): a `verified` link becomes
owl:sameAs, an `unverified` one vox:wikidataCandidate (with vox:wikidataScore
when the link came from a scored search), never owl:sameAs. Either way the
graph also gets a link node, <actor#wikidata>, that names the source a reader
can open (dcterms:source) and the row of it that names the item.

Every link needs a checkable source (see Source): a file of a public
repository at a fixed commit, with the row that names the item, or a web page.
An identifier from memory is not a source, and a link without one does not
load. `voxgraph link` finds, records and checks these links (loader/link/candidates.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from voxgraph import iris
from voxgraph.iris import VOX, WD
from voxgraph.loader.literals import canonical_decimal
from voxgraph.names import normalise_name
from voxgraph.ontology import vox_types
from voxgraph.paths import ACTOR_REGISTRY, MAPPINGS

GAZETTEER = MAPPINGS / "gazetteer.yaml"

ACTOR_TYPES = (
    "Person",
    "Organization",
    "PoliticalParty",
    "GovernmentBody",
    "Court",
    "MediaOutlet",
    "InternationalOrganization",
    "CivilSocietyOrganization",
    "Country",
)
PLACE_TYPES = ("Place",)
LINK_STATUSES = ("verified", "unverified")
QID = re.compile(r"Q[1-9][0-9]*")
REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
COMMIT = re.compile(r"[0-9a-f]{40}")
CHECKABLE = (
    "a source a reader can check: {repository: owner/name, path: ..., commit: <40 hex>, "
    "row: <the text of the file that names the item>} or {url: https://..., row: ...}"
)


class RegistryError(ValueError):
    """An entry of the registry file that cannot be used; names file and entry."""


@dataclass(frozen=True)
class Role:
    title: str
    organization: str | None = None  # registry id of the organization


@dataclass(frozen=True)
class Source:
    """Where a reader can check a link: a repository file at a commit, or a web page.

    A repository source is a file of a public GitHub repository at a fixed
    commit (40 hex digits, so the text cannot change under the link), with
    `row`, the text of that file which names the item (the CSV line, or the
    lines of a record joined by " … "), and where known its `line`. A URL
    source is a page (https) a reader can open, with what it says in `row`.
    """

    repository: str | None = None  # owner/name on GitHub
    path: str | None = None
    commit: str | None = None
    url: str | None = None
    row: str = ""
    line: int | None = None

    @property
    def address(self) -> str:
        """The URL a reader opens: the file at that commit (at that line), or the page."""
        if self.url:
            return self.url
        anchor = f"#L{self.line}" if self.line else ""
        return f"https://github.com/{self.repository}/blob/{self.commit}/{self.path}{anchor}"

    def describe(self) -> str:
        """One line for people: "owner/name path@abcdef1" or the URL."""
        if self.url:
            return self.url
        line = f":{self.line}" if self.line else ""
        return f"{self.repository} {self.path}{line} @ {(self.commit or '')[:7]}"

    def as_yaml(self) -> dict[str, object]:
        keys = ("repository", "path", "commit", "line", "url", "row")
        return {k: getattr(self, k) for k in keys if getattr(self, k) not in (None, "")}


@dataclass(frozen=True)
class Link:
    """The Wikidata item of an entry, where a reader can check it, and how it was matched."""

    qid: str
    status: str  # verified | unverified
    source: Source
    date: str  # ISO date the link was recorded or last checked
    match: str = ""  # what ties the actor to the row beyond the name: office, country, dates
    score: float | None = None  # the matcher's confidence, for a candidate search
    checked: str = ""  # a later check against Wikidata itself (voxgraph link --verify)

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def iri(self) -> URIRef:
        return WD[self.qid]


@dataclass(frozen=True)
class Entry:
    id: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    country: str | None = None
    wikidata: Link | None = None

    @property
    def is_place(self) -> bool:
        return self.type in PLACE_TYPES

    @property
    def iri(self) -> URIRef:
        return iris.place_iri(self.id) if self.is_place else iris.actor_iri(self.id)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def read_source(raw: object, qid: str, where: str) -> Source:
    """The `source:` of a link, checked: a reader must be able to open it and find the item.

    A repository source needs owner/name, a path, a 40-hex commit and a row
    that contains the QID; a URL source an https:// address. Anything else (a
    free text such as "model knowledge", a branch name instead of a commit) is
    refused with a message that says what is missing.
    """
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: wikidata source {raw!r} is not checkable; give {CHECKABLE}")
    unknown = set(raw) - {"repository", "path", "commit", "url", "row", "line"}
    if unknown:
        raise RegistryError(f"{where}: wikidata source has unknown keys {sorted(unknown)}")
    row = str(raw.get("row") or "")
    line = raw.get("line")
    if line is not None and (not isinstance(line, int) or line < 1):
        raise RegistryError(f"{where}: wikidata source line must be a line number, not {line!r}")
    if "url" in raw:
        url = str(raw["url"])
        if not url.startswith("https://") or any(k in raw for k in ("repository", "commit")):
            raise RegistryError(
                f"{where}: a URL source is one https:// address a reader can open, not {url!r}"
            )
        return Source(url=url, row=row, line=line)
    repository, path = str(raw.get("repository") or ""), str(raw.get("path") or "")
    commit = str(raw.get("commit") or "")
    if not REPOSITORY.fullmatch(repository) or not path:
        raise RegistryError(f"{where}: wikidata source needs repository (owner/name) and path")
    if not COMMIT.fullmatch(commit):
        raise RegistryError(
            f"{where}: wikidata source commit must be a full commit id (40 hex digits), "
            f"not {commit!r}: a branch or a short id can change under the link"
        )
    if not re.search(rf"\b{qid}\b", row):
        raise RegistryError(
            f"{where}: wikidata source row must quote the text of {path} that names {qid}"
        )
    return Source(repository=repository, path=path, commit=commit, row=row, line=line)


GITHUB_BLOB = re.compile(
    r"https://github\.com/(?P<repository>[^/]+/[^/]+)/blob/(?P<commit>[0-9a-f]{40})/"
    r"(?P<path>[^#]+)(?:#L(?P<line>[0-9]+))?"
)
REPOSITORY_FILE = re.compile(r"(?P<repository>[^/:@]+/[^/:@]+):(?P<path>[^@]+)@(?P<commit>\S+)")


def parse_source(where: str, qid: str, row: str = "", line: int | None = None) -> Source:
    """A source as a curator types it, checked like one read from the registry.

    `where` is owner/name:path@commit (a repository file at a commit), a
    GitHub address of a file at a commit (.../blob/<commit>/<path>, which is
    read as the same), or any other https:// page.
    """
    found = REPOSITORY_FILE.fullmatch(where) or GITHUB_BLOB.fullmatch(where)
    if found:
        raw: dict[str, object] = {
            "repository": found["repository"],
            "path": found["path"],
            "commit": found["commit"],
        }
        if "line" in found.re.groupindex and found["line"] and line is None:
            line = int(found["line"])
    elif where.startswith("https://"):
        raw = {"url": where}
    else:
        raise RegistryError(
            f"source: {where!r} is not checkable; give owner/name:path@COMMIT (a repository "
            "file at a full commit) with the row that names the item, or an https:// page"
        )
    raw["row"] = row
    if line is not None:
        raw["line"] = line
    return read_source(raw, qid, "source")


def read_link(raw: object, where: str) -> Link | None:
    """The `wikidata:` mapping of an entry, checked; its source must be checkable."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: wikidata must be a mapping (qid, status, source, date)")
    qid, status = str(raw.get("qid", "")), raw.get("status")
    if not QID.fullmatch(qid):
        raise RegistryError(f"{where}: wikidata qid must look like Q42, not {qid!r}")
    if status not in LINK_STATUSES:
        raise RegistryError(f"{where}: wikidata status must be one of {LINK_STATUSES}")
    if not raw.get("source") or not raw.get("date"):
        raise RegistryError(f"{where}: wikidata needs a source and a date; give {CHECKABLE}")
    score = raw.get("score")
    if score is not None and not 0 <= float(score) <= 1:
        raise RegistryError(f"{where}: wikidata score must be between 0 and 1")
    return Link(
        qid=qid,
        status=status,
        source=read_source(raw["source"], qid, where),
        date=str(raw["date"]),  # YAML reads an unquoted 2026-11-22 as a date
        match=str(raw.get("match") or ""),
        score=None if score is None else float(score),
        checked=str(raw.get("checked") or ""),
    )


def read_entries(path: Path) -> list[Entry]:
    """The entries of one registry file; ids must be unique within it."""
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        where = f"{path.name}: entry {number} ({item.get('id', '?')})"
        kind = item.get("type")
        if kind not in ACTOR_TYPES + PLACE_TYPES:
            raise RegistryError(f"{where}: unknown type {kind!r}")
        if not item.get("id") or not item.get("label"):
            raise RegistryError(f"{where}: needs an id and a label")
        if item["id"] in seen:
            raise RegistryError(f"{where}: duplicate id {item['id']!r} in {path.name}")
        seen.add(item["id"])
        roles = tuple(
            Role(title=r["title"], organization=r.get("in")) for r in item.get("roles") or ()
        )
        entries.append(
            Entry(
                id=item["id"],
                label=item["label"],
                type=kind,
                aliases=tuple(item.get("aliases") or ()),
                roles=roles,
                country=item.get("country"),
                wikidata=read_link(item.get("wikidata"), where),
            )
        )
    return entries


def merge(curated: list[Entry], gazetteer: list[Entry]) -> list[Entry]:
    """The curated entries, then the gazetteer's, the curated ones winning.

    A gazetteer entry with a curated id is not added: its names that no other
    curated entry carries become aliases of the curated entry (whose label,
    type, roles and country stay). A gazetteer entry whose label a curated
    entry carries is not added either; any other gazetteer alias that a
    curated entry carries is dropped.
    """
    owner = {normalise_name(n): e.id for e in curated for n in e.names}
    merged = {e.id: e for e in curated}
    added = []
    for entry in gazetteer:
        if entry.id in merged:
            kept = merged[entry.id]
            new = []
            for name in entry.names:
                if normalise_name(name) not in owner:
                    owner[normalise_name(name)] = kept.id
                    new.append(name)
            merged[entry.id] = replace(kept, aliases=(*kept.aliases, *new))
        elif normalise_name(entry.label) not in owner:
            aliases = tuple(a for a in entry.aliases if normalise_name(a) not in owner)
            added.append(replace(entry, aliases=aliases))
    return [*merged.values(), *added]


@dataclass
class Registry:
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = ACTOR_REGISTRY, gazetteer: Path | None = GAZETTEER) -> Registry:
        """The curated registry at `path`, completed by the gazetteer (None: without)."""
        curated = read_entries(path)
        extra = read_entries(gazetteer) if gazetteer is not None else []
        registry = cls(merge(curated, extra))
        registry.check()
        return registry

    def check(self) -> None:
        """Ids unique; no two entries linked to one Wikidata item; references resolve."""
        seen: set[str] = set()
        linked: dict[str, str] = {}
        for entry in self.entries:
            if entry.id in seen:
                raise RegistryError(f"duplicate registry id {entry.id!r}")
            seen.add(entry.id)
            if entry.wikidata is not None:
                qid = entry.wikidata.qid
                if qid in linked:
                    raise RegistryError(
                        f"{entry.id}: Wikidata item {qid} is already linked to {linked[qid]!r}"
                    )
                linked[qid] = entry.id
        for entry in self.entries:
            refs = [r.organization for r in entry.roles if r.organization] + [entry.country or ""]
            for ref in filter(None, refs):
                if ref not in seen:
                    raise RegistryError(f"{entry.id}: refers to unknown registry id {ref!r}")

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    @cached_property
    def by_name(self) -> dict[str, list[Entry]]:
        """Normalised name or alias -> the entries that carry it."""
        index: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for name in entry.names:
                bucket = index.setdefault(normalise_name(name), [])
                if entry not in bucket:
                    bucket.append(entry)
        return index

    def lookup(self, name: str) -> Entry | None:
        """The one entry a name stands for, or None if unknown or ambiguous."""
        found = self.by_name.get(normalise_name(name), [])
        return found[0] if len(found) == 1 else None

    def graph(self) -> Graph:
        """The registry as RDF: types, labels, aliases and stated roles.

        Built once per Registry and the same Graph returned each time (the
        loader asks for it once per digest, and building it cost more than
        mapping the digest): treat it as read-only.
        """
        return self._graph

    @cached_property
    def _graph(self) -> Graph:
        g = Graph()
        for entry in self.entries:
            node = entry.iri
            for cls in vox_types(entry.type):
                g.add((node, RDF.type, cls))
            g.add((node, RDFS.label, Literal(entry.label, lang="en")))
            for alias in sorted(set(entry.aliases) - {entry.label}):
                g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
            for role in entry.roles:
                role_node = URIRef(f"{node}/role/{iris.slug(role.title)}")
                g.add((node, VOX.role, role_node))
                g.add((role_node, RDF.type, VOX.Role))
                g.add((role_node, VOX.roleTitle, Literal(role.title)))
                if role.organization:
                    g.add((role_node, VOX.roleIn, self.by_id[role.organization].iri))
            if entry.wikidata is not None:
                add_link(g, node, entry.wikidata)
        return g


def add_link(g: Graph, node: URIRef, link: Link) -> None:
    """owl:sameAs for a verified link, vox:wikidataCandidate (and its score) otherwise;
    and either way the link node <node#wikidata> with the source a reader can open.
    """
    if link.verified:
        g.add((node, OWL.sameAs, link.iri))
    else:
        g.add((node, VOX.wikidataCandidate, link.iri))
        if link.score is not None:
            score = canonical_decimal(f"{link.score:.2f}")  # "0.90" is stored as "0.9"
            g.add((node, VOX.wikidataScore, Literal(score, datatype=XSD.decimal)))
    about = URIRef(f"{node}#wikidata")
    g.add((node, VOX.wikidataLink, about))
    g.add((about, RDF.type, VOX.WikidataLink))
    g.add((about, VOX.linkedItem, link.iri))
    g.add((about, DCTERMS.source, URIRef(link.source.address)))
    if link.source.row:
        g.add((about, VOX.sourceRow, Literal(link.source.row)))
    if link.match:
        g.add((about, VOX.matchedOn, Literal(link.match)))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", link.date):
        g.add((about, DCTERMS.modified, Literal(link.date, datatype=XSD.date)))
