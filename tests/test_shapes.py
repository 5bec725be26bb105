"""The ontology, the SHACL shapes and loader.validate, shown by example.

The first tests check the public query contract (vocabulary.md): every term
is defined in the ontology with a label and a comment, and checked by a shape.
The rest build a small digest graph that conforms, then break it one way at a
time and look at the violation that comes back.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from voxgraph import iris
from voxgraph.iris import NIF, PREFIXES, VOX, WD
from voxgraph.loader.map.graph import map_digest
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.registry import Registry
from voxgraph.loader.validate.shacl import (
    ShapeError,
    Violation,
    _data_graph,
    _pyshacl_results,
    _readable,
    _sparql_constraint,
    check,
    validate,
)
from voxgraph.ontology import ontology_graph, shapes_graph
from voxgraph.paths import ONTOLOGY, ROOT, SHAPES

XSD = Namespace(PREFIXES["xsd"])  # a plain Namespace: pytest probes module attributes
VOCABULARY_MD = ROOT.parent / "shared" / "vocabulary.md"

# A copy of the terms of vocabulary.md, for checkouts without ../shared.
# fmt: off
VOCABULARY_TERMS = [
    # Documents
    "vox:Digest", "dcterms:date", "dcterms:publisher", "vox:pullQuote", "vox:section",
    "vox:text", "dcterms:source", "vox:Section", "dcterms:title", "vox:position",
    # Actors and places
    "vox:Actor", "vox:Person", "vox:Organization", "vox:PoliticalParty", "vox:GovernmentBody",
    "vox:Court", "vox:MediaOutlet", "vox:InternationalOrganization",
    "vox:CivilSocietyOrganization", "vox:Place", "vox:Country", "rdfs:label", "skos:altLabel",
    "owl:sameAs", "vox:mentionedIn", "vox:role", "vox:roleTitle", "vox:roleIn", "vox:reportedIn",
    # Statements
    "vox:Statement", "vox:speaker", "vox:quote", "vox:paraphrase", "vox:medium", "vox:mentions",
    "vox:evidence", "vox:pullQuoteOf",
    # Events
    "vox:Event", "vox:cameoCode", "vox:Arrest", "vox:Sentencing", "vox:CourtDecision",
    "vox:Release", "vox:Charge", "vox:Mistreatment", "vox:Appointment",
    "vox:InstitutionalChange", "vox:Meeting", "vox:MilitaryOperation", "vox:MilitaryExercise",
    "vox:Protest", "vox:Casualties", "vox:Restriction", "vox:Legislation", "vox:Displacement",
    "vox:HumanitarianAid", "vox:Investigation", "vox:agent", "vox:affected", "vox:participant",
    "vox:place", "vox:date", "vox:status", "vox:Occurred", "vox:Planned", "vox:Alleged",
    "vox:quantity", "vox:duration",
    # Provenance
    "nif:String", "nif:beginIndex", "nif:endIndex", "nif:anchorOf",
    # Incidents (issue 15; to join vocabulary.md)
    "vox:Incident", "vox:eventClass", "vox:report", "vox:incident", "vox:firstReported",
    "vox:lastReported", "vox:nextInCase",
]
# fmt: on

# Terms the contract names that are individuals, not classes or properties.
INDIVIDUALS = {"vox:Occurred", "vox:Planned", "vox:Alleged"}


def expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def vocabulary_terms() -> list[URIRef]:
    """The terms of vocabulary.md: read from ../shared when present, plus the copy."""
    terms = set(VOCABULARY_TERMS)
    if VOCABULARY_MD.exists():
        known = "|".join(PREFIXES)
        pattern = rf"`((?:{known}):[A-Za-z]+)`"
        terms |= set(re.findall(pattern, VOCABULARY_MD.read_text(encoding="utf-8")))
    return sorted(expand(t) for t in terms)


def vocabulary_classes() -> list[URIRef]:
    ont = ontology_graph()
    return [t for t in vocabulary_terms() if (t, RDF.type, OWL.Class) in ont]


def vocabulary_properties() -> list[URIRef]:
    individuals = {expand(t) for t in INDIVIDUALS}
    classes = set(vocabulary_classes()) | {NIF.String}
    return [t for t in vocabulary_terms() if t not in classes and t not in individuals]


# --- The ontology and the shapes files --------------------------------------------


def test_ontology_and_shapes_parse_as_turtle():
    assert len(Graph().parse(ONTOLOGY, format="turtle")) > 100
    assert len(Graph().parse(SHAPES, format="turtle")) > 100


def test_ontology_header():
    ont = ontology_graph()
    header = URIRef("https://w3id.org/voxgraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in ont
    assert ont.value(header, OWL.versionInfo) == Literal("0.1.0")
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert ont.value(header, p) is not None, p


@pytest.mark.parametrize("term", vocabulary_terms(), ids=str)
def test_every_vocabulary_term_is_documented_in_the_ontology(term):
    ont = ontology_graph()
    labels = list(ont.objects(term, RDFS.label))
    comments = list(ont.objects(term, RDFS.comment))
    assert labels and all(label.language == "en" for label in labels), f"{term} has no @en label"
    assert comments and all(c.language == "en" for c in comments), f"{term} has no @en comment"


def test_every_vox_term_in_the_ontology_is_documented():
    ont = ontology_graph()
    subjects = {s for s in ont.subjects() if isinstance(s, URIRef) and s.startswith(str(VOX))}
    for term in subjects:
        assert ont.value(term, RDFS.label) or ont.value(term, SKOS.prefLabel), term
        assert ont.value(term, RDFS.comment) or ont.value(term, SKOS.definition), term
        assert ont.value(term, RDFS.isDefinedBy) is not None, term


def test_class_hierarchy():
    ont = ontology_graph()

    def is_a(sub: str, sup: str) -> bool:
        return (VOX[sub], RDFS.subClassOf, VOX[sup]) in ont

    assert is_a("Person", "Actor") and is_a("Organization", "Actor")
    for org in [
        "PoliticalParty",
        "GovernmentBody",
        "Court",
        "MediaOutlet",
        "InternationalOrganization",
        "CivilSocietyOrganization",
    ]:
        assert is_a(org, "Organization"), org
    assert is_a("Country", "Place") and is_a("Country", "Actor")
    events = {s for s in ont.subjects(RDFS.subClassOf, VOX.Event)}
    assert {VOX.Arrest, VOX.Meeting, VOX.Investigation} <= events


def test_cameo_codes_sit_on_the_event_classes():
    ont = ontology_graph()
    assert ont.value(VOX.Arrest, VOX.cameoCode) == Literal("173")
    assert ont.value(VOX.Release, VOX.cameoCode) == Literal("0841")
    assert ont.value(VOX.Casualties, VOX.cameoCode) is None  # none truly fits
    for cls, code in ont.subject_objects(VOX.cameoCode):
        assert (cls, RDFS.subClassOf, VOX.Event) in ont
        assert re.fullmatch(r"[0-9]{2,4}", str(code)), (cls, code)


def test_media_concepts_and_statuses():
    ont = ontology_graph()
    assert (VOX.MediaScheme, RDF.type, SKOS.ConceptScheme) in ont
    assert (VOX.FacebookPost, SKOS.broader, VOX.SocialMediaPost) in ont
    for concept in ont.subjects(RDF.type, SKOS.Concept):
        assert (concept, SKOS.inScheme, VOX.MediaScheme) in ont
    statuses = set(ont.subjects(RDF.type, VOX.EventStatus))
    assert statuses == {VOX.Occurred, VOX.Planned, VOX.Alleged}


def _shape_targets(shapes: Graph) -> set[URIRef]:
    return set(shapes.objects(None, SH.targetClass))


def _shape_paths(shapes: Graph) -> set[URIRef]:
    return {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}


def test_every_vocabulary_class_is_the_target_of_a_shape_or_under_one():
    ont, targets = ontology_graph(), _shape_targets(shapes_graph())
    for cls in vocabulary_classes() + [NIF.String]:
        ancestors = set(ont.transitive_objects(cls, RDFS.subClassOf))  # includes cls
        assert ancestors & targets, f"no shape targets {cls} or a superclass of it"


@pytest.mark.parametrize("prop", vocabulary_properties(), ids=str)
def test_every_vocabulary_property_is_checked_by_a_shape(prop):
    assert prop in _shape_paths(shapes_graph())


def test_status_shape_lists_exactly_the_three_statuses():
    shapes = shapes_graph()
    (listed,) = [o for o in shapes.objects(None, SH["in"])]
    assert set(Collection(shapes, listed)) == {VOX.Occurred, VOX.Planned, VOX.Alleged}


# --- A digest graph that conforms -------------------------------------------------

KEY = "2022-11-04"
QUOTE = "Nakhchivan should be an economic district."
ARREST = "Azerbaijani State Security Service detained the deputy minister of Culture Elnur Guliyev."
TEXT = (
    "Governance and Corruption\n\n"
    f"Journalist Seymur Hezi wrote on Facebook: \u201c{QUOTE}\u201d\n\n"
    f"{ARREST}\n"
)
DIGEST = iris.digest_iri(KEY)
HEZI = iris.actor_iri("seymur-hezi")
GULIYEV = iris.actor_iri("elnur-guliyev")
DTX = iris.actor_iri("state-security-service")
CNIS = iris.actor_iri("center-for-national-and-international-studies")
NAKHCHIVAN = iris.place_iri("nakhchivan")


def add_evidence(g: Graph, anchor: str) -> URIRef:
    """An evidence span for the first occurrence of `anchor` in TEXT."""
    begin = TEXT.index(anchor)
    end = begin + len(anchor)
    span = iris.evidence_iri(KEY, begin, end)
    g.add((span, RDF.type, NIF.String))
    g.add((span, RDF.type, NIF.RFC5147String))
    g.add((span, NIF.beginIndex, Literal(begin, datatype=XSD.integer)))
    g.add((span, NIF.endIndex, Literal(end, datatype=XSD.integer)))
    g.add((span, NIF.anchorOf, Literal(anchor)))
    g.add((span, NIF.referenceContext, DIGEST))
    return span


def registry() -> Graph:
    """The curated actors a digest refers to: their types and labels."""
    g = Graph()
    for actor, cls, label in [
        (HEZI, VOX.Person, "Seymur Hezi"),
        (GULIYEV, VOX.Person, "Elnur Guliyev"),
        (DTX, VOX.GovernmentBody, "State Security Service"),
        (CNIS, VOX.CivilSocietyOrganization, "Center for National and International Studies"),
    ]:
        g.add((actor, RDF.type, cls))
        g.add((actor, RDFS.label, Literal(label, lang="en")))
    g.add((DTX, SKOS.altLabel, Literal("DTX")))
    g.add((HEZI, OWL.sameAs, WD.Q4464393))
    link = URIRef(f"{HEZI}#wikidata")  # where a reader checks that item (registry.add_link)
    g.add((HEZI, VOX.wikidataLink, link))
    g.add((link, RDF.type, VOX.WikidataLink))
    g.add((link, VOX.linkedItem, WD.Q4464393))
    g.add((link, DCTERMS.source, URIRef("https://example.org/journalists/seymur-hezi")))
    return g


def digest_graph() -> Graph:
    """A small but complete digest graph, as the mapper is to produce it."""
    g = Graph()
    g.add((DIGEST, RDF.type, VOX.Digest))
    g.add((DIGEST, DCTERMS.date, Literal(date(2022, 11, 4))))
    g.add((DIGEST, DCTERMS.publisher, CNIS))
    g.add((DIGEST, DCTERMS.source, Literal(f"{KEY}.txt")))
    g.add((DIGEST, VOX.text, Literal(TEXT)))
    g.add((DIGEST, VOX.fingerprint, Literal("sha256:0123abcd/mapper-0.1.0")))

    section = iris.section_iri(KEY, 1)
    g.add((DIGEST, VOX.section, section))
    g.add((section, RDF.type, VOX.Section))
    g.add((section, DCTERMS.title, Literal("Governance and Corruption")))
    g.add((section, VOX.position, Literal(1)))

    for actor in (HEZI, GULIYEV, DTX, NAKHCHIVAN):
        g.add((actor, VOX.mentionedIn, DIGEST))
    g.add((NAKHCHIVAN, RDF.type, VOX.Place))
    g.add((NAKHCHIVAN, RDFS.label, Literal("Nakhchivan", lang="en")))

    role = iris.role_iri(KEY, "elnur-guliyev", "deputy minister of Culture")
    g.add((GULIYEV, VOX.role, role))
    g.add((role, RDF.type, VOX.Role))
    g.add((role, VOX.roleTitle, Literal("deputy minister of Culture")))
    g.add((role, VOX.reportedIn, DIGEST))

    evidence = add_evidence(g, f"Journalist Seymur Hezi wrote on Facebook: \u201c{QUOTE}\u201d")
    statement = iris.statement_iri(KEY, TEXT.index("Journalist"))
    g.add((statement, RDF.type, VOX.Statement))
    g.add((statement, VOX.speaker, HEZI))
    g.add((statement, VOX.quote, Literal(QUOTE)))
    g.add((statement, VOX.medium, VOX.FacebookPost))
    g.add((statement, VOX.mentions, NAKHCHIVAN))
    g.add((statement, VOX.reportedIn, DIGEST))
    g.add((statement, VOX.evidence, evidence))

    event = iris.event_iri(KEY, TEXT.index(ARREST))
    g.add((event, RDF.type, VOX.Arrest))
    g.add((event, VOX.cameoCode, Literal("173")))
    g.add((event, VOX.agent, DTX))
    g.add((event, VOX.affected, GULIYEV))
    g.add((event, VOX.status, VOX.Occurred))
    g.add((event, VOX.date, Literal(date(2022, 11, 3))))
    g.add((event, VOX.quantity, Literal(1)))
    g.add((event, VOX.reportedIn, DIGEST))
    g.add((event, VOX.evidence, add_evidence(g, ARREST)))
    return g


def short(node: URIRef) -> str:
    return str(node).replace(str(iris.ID), "id:")


def test_a_complete_digest_graph_conforms():
    assert validate(digest_graph(), context=registry()) == []
    check(digest_graph(), context=registry(), digest=KEY)  # does not raise


def test_an_actor_known_only_from_the_registry_is_missing_without_it():
    # Without the registry, the speaker has no type: sh:class vox:Actor fails.
    focuses = {(v.focus, v.path) for v in validate(digest_graph())}
    statement = short(iris.statement_iri(KEY, TEXT.index("Journalist")))
    assert (statement, "vox:speaker") in focuses


# --- Graphs that must fail ---------------------------------------------------------


def only(violations: list[Violation]) -> Violation:
    assert len(violations) == 1, "\n".join(v.line(KEY) for v in violations)
    return violations[0]


def test_a_statement_without_speaker():
    g = digest_graph()
    statement = iris.statement_iri(KEY, TEXT.index("Journalist"))
    g.remove((statement, VOX.speaker, None))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path, v.severity) == (short(statement), "vox:speaker", "Violation")
    assert "found 0" in v.message


def test_a_statement_with_neither_quote_nor_paraphrase():
    g = digest_graph()
    statement = iris.statement_iri(KEY, TEXT.index("Journalist"))
    g.remove((statement, VOX.quote, None))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == (short(statement), None)
    assert "vox:quote or a vox:paraphrase" in v.message


def test_a_digest_with_two_dates():
    g = digest_graph()
    g.add((DIGEST, DCTERMS.date, Literal(date(2022, 11, 5))))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == ("id:digest/2022-11-04", "dcterms:date")
    assert "found 2" in v.message


def test_evidence_whose_anchor_does_not_match_its_offsets():
    g = digest_graph()
    sentence = "Azerbaijani State Security Service detained"
    begin = TEXT.index(sentence)
    span = iris.evidence_iri(KEY, begin, begin + len(sentence))
    add_evidence(g, sentence)
    g.set((span, NIF.anchorOf, Literal("Azerbaijani State Security Service arrested")))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == (short(span), "nif:anchorOf")
    assert v.message.startswith(
        f"evidence text does not match characters [{begin}, {begin + len(sentence)}) "
        "of the digest text"
    )


def test_offsets_are_integers_the_store_keeps_and_never_negative():
    """Oxigraph keeps an xsd:nonNegativeInteger as xsd:integer, so the shapes ask for that."""
    g = digest_graph()
    span = add_evidence(g, "Azerbaijani State Security Service detained")
    begin = g.value(span, NIF.beginIndex)
    g.set((span, NIF.beginIndex, Literal(int(begin), datatype=XSD.nonNegativeInteger)))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == (short(span), "nif:beginIndex")
    assert v.message == (
        "Evidence needs exactly one nif:beginIndex, an xsd:integer >= 0 "
        f'(value "{begin}"^^xsd:nonNegativeInteger)'
    )

    g.set((span, NIF.beginIndex, Literal(-1)))
    messages = {v.message for v in validate(g, context=registry()) if v.path == "nif:beginIndex"}
    assert messages == {
        'Evidence needs exactly one nif:beginIndex, an xsd:integer >= 0 (value "-1"^^xsd:integer)'
    }


def test_evidence_that_ends_past_the_text_or_before_it_begins():
    g = digest_graph()
    span = URIRef(f"{DIGEST}#char=5,{len(TEXT) + 3}")
    g.add((span, RDF.type, NIF.String))
    g.add((span, NIF.beginIndex, Literal(5, datatype=XSD.integer)))
    g.add((span, NIF.endIndex, Literal(len(TEXT) + 3, datatype=XSD.integer)))
    g.add((span, NIF.anchorOf, Literal(TEXT[5:])))
    g.add((span, NIF.referenceContext, DIGEST))
    backwards = URIRef(f"{DIGEST}#char=9,4")
    g.add((backwards, RDF.type, NIF.String))
    g.add((backwards, NIF.beginIndex, Literal(9, datatype=XSD.integer)))
    g.add((backwards, NIF.endIndex, Literal(4, datatype=XSD.integer)))
    g.add((backwards, NIF.anchorOf, Literal("")))
    g.add((backwards, NIF.referenceContext, DIGEST))
    found = {(v.focus, v.path) for v in validate(g, context=registry())}
    assert found == {(short(span), "nif:anchorOf"), (short(backwards), "nif:anchorOf")}


def test_an_actor_with_two_labels():
    g = digest_graph()
    g.add((HEZI, RDFS.label, Literal("Seymur Hazi", lang="en")))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == ("id:actor/seymur-hezi", "rdfs:label")
    assert "found 2" in v.message


def test_a_label_without_language_tag():
    g = digest_graph()
    g.set((NAKHCHIVAN, RDFS.label, Literal("Nakhchivan")))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == ("id:place/nakhchivan", "rdfs:label")
    assert "@en" in v.message


def test_an_event_status_outside_the_three():
    g = digest_graph()
    event = iris.event_iri(KEY, TEXT.index("Azerbaijani State"))
    g.set((event, VOX.status, VOX.Rumoured))
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == (short(event), "vox:status")
    assert "vox:Rumoured" in v.message


def test_a_speaker_that_is_not_an_actor():
    g = digest_graph()
    statement = iris.statement_iri(KEY, TEXT.index("Journalist"))
    g.set((statement, VOX.speaker, NAKHCHIVAN))  # a place, not an actor
    v = only(validate(g, context=registry()))
    assert (v.focus, v.path) == (short(statement), "vox:speaker")
    assert "id:place/nakhchivan" in v.message


def test_a_country_is_both_actor_and_place():
    g = digest_graph()
    azerbaijan = iris.actor_iri("azerbaijan")
    g.add((azerbaijan, RDF.type, VOX.Country))
    g.add((azerbaijan, RDFS.label, Literal("Azerbaijan", lang="en")))
    statement = iris.statement_iri(KEY, TEXT.index("Journalist"))
    g.add((statement, VOX.mentions, azerbaijan))
    event = iris.event_iri(KEY, TEXT.index("Azerbaijani State"))
    g.add((event, VOX.place, azerbaijan))
    assert validate(g, context=registry()) == []


def test_registry_problems_are_not_reported_for_a_digest_that_does_not_use_them():
    context = registry()
    stranger = iris.actor_iri("someone-else")
    context.add((stranger, RDF.type, VOX.Person))  # no label: the registry's problem
    assert validate(digest_graph(), context=context) == []


# --- Readable output ---------------------------------------------------------------


def test_check_raises_with_one_readable_line_per_violation():
    g = digest_graph()
    statement = iris.statement_iri(KEY, TEXT.index("Journalist"))
    g.remove((statement, VOX.speaker, None))
    g.add((DIGEST, DCTERMS.date, Literal(date(2022, 11, 5))))
    with pytest.raises(ShapeError) as raised:
        check(g, context=registry(), digest=KEY)
    lines = str(raised.value).splitlines()
    assert len(lines) == len(raised.value.violations) == 2
    assert lines[1] == (
        f"{KEY}: {short(statement)} vox:speaker: "
        "Statement needs exactly one vox:speaker, a vox:Actor (found 0)"
    )
    assert all(line.startswith(f"{KEY}: ") for line in lines)


def test_violation_line():
    v = Violation("id:digest/2022-11-04", "dcterms:date", "Digest needs a date", "Violation")
    assert v.line(KEY) == "2022-11-04: id:digest/2022-11-04 dcterms:date: Digest needs a date"
    assert Violation("id:x", None, "m", "Warning").line(KEY) == "2022-11-04: id:x: m [Warning]"


# --- The sh:sparql constraints, run once per graph, agree with pyshacl ------------------
#
# validate() leaves the shapes' sh:sparql constraints out of pyshacl and runs each
# as one query over the whole graph. pyshacl alone, given the whole shapes file,
# is the reference: every breakage below must be reported exactly as it reports it.


def pyshacl_alone(graph: Graph, context: Graph) -> list[Violation]:
    """What pyshacl reports with every shape, sh:sparql included, run one focus node at a time."""
    return _readable(graph, _pyshacl_results(_data_graph(graph, context), shapes_graph()))


def _span(g: Graph, anchor: str) -> URIRef:
    begin = TEXT.index(anchor)
    return iris.evidence_iri(KEY, begin, begin + len(anchor))


def _shift_offsets(g: Graph, c: Graph) -> None:
    span = _span(g, ARREST)
    for index in (NIF.beginIndex, NIF.endIndex):
        g.set((span, index, Literal(int(g.value(span, index)) + 1, datatype=XSD.integer)))


def _end_past_text(g: Graph, c: Graph) -> None:
    g.set((_span(g, ARREST), NIF.endIndex, Literal(len(TEXT) + 1, datatype=XSD.integer)))


def _wrong_anchor(g: Graph, c: Graph) -> None:
    g.set((_span(g, ARREST), NIF.anchorOf, Literal(ARREST.replace("detained", "arrested"))))


def _second_wrong_anchor(g: Graph, c: Graph) -> None:
    g.add((_span(g, ARREST), NIF.anchorOf, Literal("Azerbaijani")))


def _no_anchor(g: Graph, c: Graph) -> None:
    g.remove((_span(g, ARREST), NIF.anchorOf, None))


def _no_evidence(g: Graph, c: Graph) -> None:
    g.remove((iris.statement_iri(KEY, TEXT.index("Journalist")), VOX.evidence, None))


def _evidence_of_a_subclass(g: Graph, c: Graph) -> None:
    span = _span(g, ARREST)  # typed nif:RFC5147String only: an instance of nif:String still
    g.remove((span, RDF.type, NIF.String))
    g.add((NIF.RFC5147String, RDFS.subClassOf, NIF.String))
    _wrong_anchor(g, c)


def _untyped_span(g: Graph, c: Graph) -> None:
    span = _span(g, ARREST)  # no class: no shape targets it, in either way of running
    g.remove((span, RDF.type, None))
    _wrong_anchor(g, c)


def _item_without_link(g: Graph, c: Graph) -> None:
    g.add((NAKHCHIVAN, OWL.sameAs, WD.Q1234))


def _candidate_without_link(g: Graph, c: Graph) -> None:
    g.add((NAKHCHIVAN, VOX.wikidataCandidate, WD.Q1234))


def _link_without_source(g: Graph, c: Graph) -> None:
    c.remove((URIRef(f"{HEZI}#wikidata"), DCTERMS.source, None))


ANCHOR_PATHS = {("arrest-span", "nif:anchorOf")}
BREAKAGES = {
    _shift_offsets: ANCHOR_PATHS,
    _end_past_text: ANCHOR_PATHS,
    _wrong_anchor: ANCHOR_PATHS,
    _second_wrong_anchor: ANCHOR_PATHS,
    _no_anchor: ANCHOR_PATHS,  # minCount 1; the sh:sparql query has nothing to compare
    _no_evidence: {("statement", "vox:evidence")},
    _evidence_of_a_subclass: ANCHOR_PATHS,
    _untyped_span: {("event", "vox:evidence")},  # its evidence is no nif:String
    _item_without_link: {("id:place/nakhchivan", None)},
    _candidate_without_link: {("id:place/nakhchivan", None)},
    _link_without_source: {("id:actor/seymur-hezi", None)},
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__.strip("_"))
def test_sparql_constraints_reject_what_pyshacl_alone_rejects(breakage):
    g, context = digest_graph(), registry()
    breakage(g, context)
    found = validate(g, context=context)
    assert found == pyshacl_alone(g, context), f"{breakage.__name__}: the two ways disagree"
    names = {
        short(_span(g, ARREST)): "arrest-span",
        short(iris.statement_iri(KEY, TEXT.index("Journalist"))): "statement",
        short(iris.event_iri(KEY, TEXT.index(ARREST))): "event",
    }
    assert {(names.get(v.focus, v.focus), v.path) for v in found} == BREAKAGES[breakage]


def test_shifted_offsets_are_reported_with_the_offsets_found():
    g = digest_graph()
    _shift_offsets(g, registry())
    begin = TEXT.index(ARREST) + 1
    v = only(validate(g, context=registry()))
    assert v.line(KEY) == (
        f"{KEY}: {short(_span(g, ARREST))} nif:anchorOf: evidence text does not match "
        f"characters [{begin}, {begin + len(ARREST)}) of the digest text"
    )


def test_a_wikidata_item_needs_a_link_with_a_source():
    g = digest_graph()
    _item_without_link(g, registry())
    v = only(validate(g, context=registry()))
    assert v.message == (
        "A Wikidata item (owl:sameAs or vox:wikidataCandidate) needs a vox:wikidataLink "
        "naming that item and a source a reader can check"
    )


def test_a_digest_of_the_corpus_is_checked_alike_both_ways():
    """A real digest, hundreds of evidence spans, one of them broken: one result, as pyshacl's."""
    registry_ = Registry.load()
    path = sorted((ROOT / "corpus").glob("*.txt"))[0]
    graph = map_digest(read_digest(path), registry_, "test")
    context = registry_.graph()
    assert validate(graph, context=context) == pyshacl_alone(graph, context) == []
    span = next(iter(graph.subjects(RDF.type, NIF.String)))
    graph.set((span, NIF.anchorOf, Literal("not what the text says")))
    v = only(validate(graph, context=context))
    assert v == only(pyshacl_alone(graph, context))
    assert (v.focus, v.path) == (short(span), "nif:anchorOf")


def test_the_shapes_use_no_shacl_advanced_features():
    """pyshacl runs without SHACL-AF: a rule, custom target or expression would be ignored."""
    shapes = shapes_graph()
    for term in (SH.rule, SH.target, SH.expression, SH.SPARQLFunction, SH.SPARQLTarget):
        assert (None, term, None) not in shapes and (None, None, term) not in shapes, term


def test_an_sparql_constraint_the_fast_path_cannot_run_is_refused():
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:shape> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:sparql <urn:c> .
        <urn:c> sh:select "SELECT $this WHERE { $this ?p ?o }" .
        """,
        format="turtle",
    )
    with pytest.raises(ValueError, match="only a node shape with sh:targetClass"):
        _sparql_constraint(shapes, URIRef("urn:shape"), URIRef("urn:c"))
