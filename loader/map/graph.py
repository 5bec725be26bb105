"""Step 2: a parsed `Digest` -> an rdflib `Graph` in the voxgraph ontology.

The extractors find actors, statements and events as plain objects with the
spans they came from; this module is the one place that decides how they
look as RDF. Every IRI is derived from the digest's date and character
offsets (see `voxgraph.iris`), so mapping the same text twice gives the same
triples.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from voxgraph import iris
from voxgraph.iris import NIF, VOX
from voxgraph.loader.extract import extract
from voxgraph.loader.extract.facts import Actor, Event, Mention, RoleClaim, Statement
from voxgraph.loader.literals import canonical_duration
from voxgraph.loader.read.digest import Digest, Span
from voxgraph.loader.registry import Registry
from voxgraph.ontology import cameo_codes, vox_types

PULL_QUOTE_SIMILARITY = 75  # rapidfuzz token_set_ratio, 0-100


def actor_node(actor: Actor) -> URIRef:
    return iris.place_iri(actor.key) if actor.is_place else iris.actor_iri(actor.key)


class DigestMapper:
    """Builds the graph of one digest; `graph()` runs all the steps."""

    def __init__(self, digest: Digest, registry: Registry, fingerprint: str | None = None):
        self.digest = digest
        self.registry = registry
        self.fingerprint = fingerprint
        self.key = iris.digest_key(digest.date, digest.series)
        self.node = iris.digest_iri(self.key)
        self.g = Graph()
        for prefix, namespace in iris.PREFIXES.items():
            self.g.bind(prefix, namespace)

    def graph(self) -> Graph:
        self.document()
        facts = extract(self.digest, self.registry)
        self.actors(facts.mentions)
        for role in facts.roles:
            self.role(role)
        nodes = self.statement_nodes(facts.statements)
        for statement, node in zip(facts.statements, nodes, strict=True):
            self.statement(statement, node)
        self.pull_quote_source(facts.statements, nodes)
        for event in facts.events:
            self.event(event)
        return self.g

    # -- the document layer ---------------------------------------------------

    def document(self) -> None:
        d, g, node = self.digest, self.g, self.node
        g.add((node, RDF.type, VOX.Digest))
        g.add(
            (node, RDFS.label, Literal(f"{d.publisher}: digest of {d.date:%-d %B %Y}", lang="en"))
        )
        g.add((node, DCTERMS.date, Literal(d.date.isoformat(), datatype=XSD.date)))
        g.add((node, DCTERMS.source, Literal(d.source)))
        g.add((node, VOX.text, Literal(d.text)))
        if d.series:
            g.add((node, VOX.series, Literal(d.series)))
        if d.pull_quote:
            g.add((node, VOX.pullQuote, Literal(d.pull_quote)))
        if self.fingerprint:
            g.add((node, VOX.fingerprint, Literal(self.fingerprint)))
        g.add((node, DCTERMS.publisher, self.publisher()))
        for section in d.sections:
            section_node = iris.section_iri(self.key, section.position)
            g.add((node, VOX.section, section_node))
            g.add((section_node, RDF.type, VOX.Section))
            g.add((section_node, DCTERMS.title, Literal(section.title)))
            g.add((section_node, VOX.position, Literal(section.position)))

    def publisher(self) -> URIRef:
        entry = self.registry.lookup(self.digest.publisher)
        node = entry.iri if entry else iris.actor_iri(iris.slug(self.digest.publisher))
        # A spelling the registry does not know may still slug to a registered actor
        # (":Center for ..."): that actor keeps its one label.
        if entry is None and (node, RDFS.label, None) not in self.registry.graph():
            for cls in vox_types("Organization"):
                self.g.add((node, RDF.type, cls))
            self.g.add((node, RDFS.label, Literal(self.digest.publisher, lang="en")))
        self.g.add((node, VOX.mentionedIn, self.node))
        return node

    # -- actors, statements, events -------------------------------------------

    def actors(self, mentions: list[Mention]) -> None:
        for mention in mentions:
            node = actor_node(mention.actor)
            self.g.add((node, VOX.mentionedIn, self.node))
            if not mention.actor.in_registry:
                self.describe_new_actor(mention, node)

    def describe_new_actor(self, mention: Mention, node: URIRef) -> None:
        """An actor in no registry carries its type and names in the digest's graph."""
        for cls in vox_types(mention.actor.type):
            self.g.add((node, RDF.type, cls))
        self.g.add((node, RDFS.label, Literal(mention.actor.label, lang="en")))
        if mention.surface != mention.actor.label:
            self.g.add((node, SKOS.altLabel, Literal(mention.surface, lang="en")))

    def role(self, claim: RoleClaim) -> None:
        """A role as this digest states it: title, organization, where reported."""
        node = iris.role_iri(self.key, claim.actor.key, claim.title)
        self.g.add((actor_node(claim.actor), VOX.role, node))
        self.g.add((node, RDF.type, VOX.Role))
        self.g.add((node, VOX.roleTitle, Literal(claim.title)))
        self.g.add((node, VOX.reportedIn, self.node))
        if claim.organization is not None:
            self.g.add((node, VOX.roleIn, actor_node(claim.organization)))
        self.g.add((node, VOX.evidence, self.evidence(claim.span)))

    def statement_nodes(self, statements: list[Statement]) -> list[URIRef]:
        """The IRI of each statement: by its first evidence offset; where joint
        speakers ("X and Y said") share it, the first keeps the bare offset and
        each other takes the offset and its speaker's slug."""
        seen: set[int] = set()
        nodes = []
        for statement in statements:
            joint = statement.begin in seen
            seen.add(statement.begin)
            speaker = statement.speaker.key if joint else None
            nodes.append(iris.statement_iri(self.key, statement.begin, speaker))
        return nodes

    def statement(self, statement: Statement, node: URIRef) -> None:
        g = self.g
        g.add((node, RDF.type, VOX.Statement))
        g.add((node, VOX.speaker, actor_node(statement.speaker)))
        g.add((node, VOX.reportedIn, self.node))
        if statement.quote is not None:
            g.add((node, VOX.quote, Literal(statement.quote)))
        if statement.paraphrase is not None:
            g.add((node, VOX.paraphrase, Literal(statement.paraphrase)))
        if statement.medium:
            g.add((node, VOX.medium, VOX[statement.medium]))
        for actor in statement.mentions:
            g.add((node, VOX.mentions, actor_node(actor)))
        for span in statement.evidence:
            g.add((node, VOX.evidence, self.evidence(span)))

    def pull_quote_source(self, statements: list[Statement], nodes: list[URIRef]) -> None:
        """Link the pull quote to the statement it was taken from, if any.

        Editors shorten and reword the words they pull ("accusations" for
        "campaign"), so the statement whose words share the most with the pull
        quote is taken when the overlap is high; some pull quotes are the
        editors' own summary and stay unlinked. On the corpus, true sources
        score 85-100 and the best unrelated statement at most 57.
        """
        pull = (self.digest.pull_quote or "").strip(" .…")
        if not pull or not statements:
            return
        score, best = max(
            (fuzz.token_set_ratio(pull, s.quote or s.paraphrase or ""), i)
            for i, s in enumerate(statements)
        )
        if score >= PULL_QUOTE_SIMILARITY:
            self.g.add((self.node, VOX.pullQuoteOf, nodes[best]))

    def event(self, event: Event) -> None:
        g = self.g
        node = iris.event_iri(self.key, event.begin)
        for cls in vox_types(event.type):
            g.add((node, RDF.type, cls))
        g.add((node, VOX.reportedIn, self.node))
        g.add((node, VOX.status, VOX[event.status]))
        if code := cameo_codes().get(event.type):
            g.add((node, VOX.cameoCode, Literal(code)))
        for prop, actors in (
            (VOX.agent, event.agent),
            (VOX.affected, event.affected),
            (VOX.participant, event.participant),
            (VOX.place, event.place),
        ):
            for actor in actors:
                g.add((node, prop, actor_node(actor)))
        if event.date:
            g.add((node, VOX.date, Literal(event.date.isoformat(), datatype=XSD.date)))
        if event.quantity is not None:
            g.add((node, VOX.quantity, Literal(event.quantity)))
        if event.duration:
            duration = canonical_duration(event.duration)  # "P18M" is stored as "P1Y6M"
            g.add((node, VOX.duration, Literal(duration, datatype=XSD.duration)))
        for span in event.evidence:
            g.add((node, VOX.evidence, self.evidence(span)))

    def evidence(self, span: Span) -> URIRef:
        """A NIF string for characters [begin, end) of the digest text."""
        node = iris.evidence_iri(self.key, span.begin, span.end)
        g = self.g
        g.add((node, RDF.type, NIF.String))
        g.add((node, RDF.type, NIF.RFC5147String))
        # xsd:integer, not NIF's xsd:nonNegativeInteger: Oxigraph stores every type derived
        # from xsd:integer as xsd:integer, so a nonNegativeInteger passed the shapes here and
        # then broke them in the store and in every dump (loader/literals.py). The values are
        # the same (>= 0, which the shapes check) and SPARQL compares them as numbers: a
        # query with "7495"^^xsd:nonNegativeInteger still finds offset 7495.
        g.add((node, NIF.beginIndex, Literal(span.begin, datatype=XSD.integer)))
        g.add((node, NIF.endIndex, Literal(span.end, datatype=XSD.integer)))
        g.add((node, NIF.anchorOf, Literal(self.digest.text[span.begin : span.end])))
        g.add((node, NIF.referenceContext, self.node))
        return node


def map_digest(digest: Digest, registry: Registry, fingerprint: str | None = None) -> Graph:
    """The RDF graph of one digest (to be stored in its own named graph)."""
    return DigestMapper(digest, registry, fingerprint).graph()
