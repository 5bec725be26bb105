"""Namespaces and the IRIs voxgraph mints.

Every first-class resource gets an IRI derived only from the text (a date, a
name, a character offset), never from a counter or a random number, so that
loading the same digests again yields exactly the same quads.

    https://w3id.org/voxgraph/ontology#Term           ontology terms (vox:)
    https://w3id.org/voxgraph/id/digest/2022-11-04    a digest
    .../id/digest/2022-11-04/section/2                its second section
    .../id/digest/2022-11-04/statement/1234           statement whose evidence starts at char 1234
    .../id/digest/2022-11-04/statement/1234-ali-karimli  joint speaker ("X and Ali Karimli said")
    .../id/digest/2022-11-04/event/1234               event whose evidence starts at char 1234
    .../id/digest/2022-11-04#char=10,42               evidence span (NIF, RFC 5147 fragment)
    https://w3id.org/voxgraph/id/actor/ali-karimli    an actor (one IRI across all digests)
    https://w3id.org/voxgraph/id/place/khankendi      a place that is not an actor
    https://w3id.org/voxgraph/graph/digest/2022-11-04 the named graph of one digest
    https://w3id.org/voxgraph/graph/ontology          the ontology's named graph
    https://w3id.org/voxgraph/graph/registry          the curated actor registry's named graph
    https://w3id.org/voxgraph/id/incident/2023-09-22/996  an incident, named by its first report
    https://w3id.org/voxgraph/graph/incidents         the incidents consolidated across digests
"""

import hashlib
import re
import unicodedata
from datetime import date

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/voxgraph/"
VOX = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
WD = Namespace("http://www.wikidata.org/entity/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SCHEMA = Namespace("https://schema.org/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
REGISTRY_GRAPH = GRAPH["registry"]
INCIDENTS_GRAPH = GRAPH["incidents"]

PREFIXES: dict[str, str] = {
    "vox": str(VOX),
    "wd": str(WD),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "owl": str(OWL),
    "prov": str(PROV),
    "nif": str(NIF),
    "schema": str(SCHEMA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def slug(name: str) -> str:
    """A lower-case ASCII slug: 'İbadoğlu, Gubad' -> 'ibadoglu-gubad'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def digest_key(published: date, series: str | None = None) -> str:
    """The key of a digest: its date, plus the series slug for a side series."""
    key = published.isoformat()
    return f"{key}-{slug(series)}" if series else key


def digest_iri(key: str) -> URIRef:
    return ID[f"digest/{key}"]


def digest_graph(key: str) -> URIRef:
    return GRAPH[f"digest/{key}"]


def section_iri(key: str, position: int) -> URIRef:
    return ID[f"digest/{key}/section/{position}"]


def statement_iri(key: str, begin: int, speaker: str | None = None) -> URIRef:
    """A statement by the offset its evidence starts at; the statements of
    the second and later speakers of "X and Y said", which share the offset,
    by the offset and the speaker's slug."""
    return ID[f"digest/{key}/statement/{begin}" + (f"-{speaker}" if speaker else "")]


def event_iri(key: str, begin: int) -> URIRef:
    return ID[f"digest/{key}/event/{begin}"]


def role_iri(key: str, actor_slug: str, title: str) -> URIRef:
    return ID[f"digest/{key}/role/{actor_slug}/{slug(title)}"]


def evidence_iri(key: str, begin: int, end: int) -> URIRef:
    return URIRef(f"{digest_iri(key)}#char={begin},{end}")


def actor_iri(actor_slug: str) -> URIRef:
    return ID[f"actor/{actor_slug}"]


def place_iri(place_slug: str) -> URIRef:
    return ID[f"place/{place_slug}"]


_EVENT_PATH = re.compile(r"digest/([^/#]+)/event/([0-9]+)")


def incident_iri(first_report: str) -> URIRef:
    """An incident, named after its first report (earliest digest, then IRI): the event
    .../id/digest/2023-09-22/event/996 founds .../id/incident/2023-09-22/996. Later reports
    join it without changing its name; an event IRI of another form is hashed."""
    found = _EVENT_PATH.fullmatch(first_report.removeprefix(str(ID)))
    if found:
        return ID[f"incident/{found[1]}/{found[2]}"]
    return ID[f"incident/{hashlib.sha256(first_report.encode()).hexdigest()[:16]}"]
