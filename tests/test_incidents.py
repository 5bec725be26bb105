"""Incidents: the event reports of every digest consolidated into the happenings they report.

First the joining rule on reports written by hand (loader/store/incidents.py: join), then small
digest graphs written into real stores (both backends) and consolidated, then the issue's
checks on the bundled corpus: every event report has exactly one incident, Afiaddin
Mammadov's two arrest reports share one, no incident mixes different people.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from tests.conftest import StoreFactory
from tests.server_fixtures import serving_store
from voxgraph import iris
from voxgraph.iris import VOX
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store, consolidate, statistics_update
from voxgraph.loader.store.dumps import write_dump
from voxgraph.loader.store.incidents import CaseStep, Report, case_links, join
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot
from voxgraph.paths import ONTOLOGY, ROOT

AFFECTED, PARTICIPANT = str(VOX.affected), str(VOX.participant)
ARREST, MEETING, SENTENCING = str(VOX.Arrest), str(VOX.Meeting), str(VOX.Sentencing)
CHARGE, RELEASE = str(VOX.Charge), str(VOX.Release)
ALI, TOFIG, GUBAD = (str(iris.actor_iri(k)) for k in ("ali-karimli", "tofig-yagublu", "gubad"))
XSD_DATE = URIRef(iris.PREFIXES["xsd"] + "date")
PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in iris.PREFIXES.items())


def report(
    digest: str,
    offset: int = 100,
    cls: str = ARREST,
    affected: tuple[str, ...] = (ALI,),
    stated: str | None = None,
    status: str | None = None,
    role: str = AFFECTED,
) -> Report:
    """An event report of digest `digest` (its date), at character `offset`."""
    return Report(
        iri=str(iris.event_iri(digest, offset)),
        event_class=cls,
        digest=str(iris.digest_iri(digest)),
        reported=date.fromisoformat(digest),
        date=date.fromisoformat(stated) if stated else None,
        status=status,
        roles=frozenset((role, actor) for actor in affected),
    )


def grouped(reports: list[Report]) -> list[list[str]]:
    """The incidents `join` makes, each as the digests of its reports."""
    return [[r.digest.rsplit("/", 1)[1] for r in i.reports] for i in join(reports)]


# -- the joining rule --------------------------------------------------------------------


def test_one_arrest_reported_in_two_digests_eleven_days_apart_is_one_incident() -> None:
    assert grouped([report("2023-10-03"), report("2023-09-22")]) == [["2023-09-22", "2023-10-03"]]


def test_the_incident_is_named_after_its_first_report_whatever_the_order() -> None:
    (incident,) = join([report("2023-10-03", 308), report("2023-09-22", 996)])
    assert incident.iri == f"{iris.ID}incident/2023-09-22/996"
    assert incident.reports[0].reported == date(2023, 9, 22)


def test_the_same_person_arrested_again_months_later_is_a_second_incident() -> None:
    assert grouped([report("2023-05-01"), report("2023-09-22")]) == [
        ["2023-05-01"],
        ["2023-09-22"],
    ]


def test_reports_without_dates_join_within_the_window_only() -> None:
    # Each allows the 21 days up to its digest's date: 2023-09-01 allows 08-11 to 09-01,
    # 2023-09-22 allows 09-01 to 09-22 (a day in common), 2023-09-23 09-02 to 09-23 (none).
    assert grouped([report("2023-09-01"), report("2023-09-22")]) == [["2023-09-01", "2023-09-22"]]
    assert grouped([report("2023-09-01"), report("2023-09-23")]) == [
        ["2023-09-01"],
        ["2023-09-23"],
    ]


def test_different_people_are_different_incidents() -> None:
    reports = [report("2023-09-22", affected=(ALI,)), report("2023-09-26", affected=(TOFIG,))]
    assert len(join(reports)) == 2


def test_a_group_and_one_of_its_members_are_different_named_sets() -> None:
    """Agreeing on the people means naming the same ones: three sentenced together on
    2023-09-22 and one of them on 2023-09-26 stay apart (no incident mixes people)."""
    reports = [
        report("2023-09-22", cls=SENTENCING, affected=(ALI, TOFIG, GUBAD)),
        report("2023-09-26", cls=SENTENCING, affected=(TOFIG,)),
    ]
    assert len(join(reports)) == 2


def test_different_classes_are_different_incidents() -> None:
    assert len(join([report("2023-09-22"), report("2023-09-26", cls=SENTENCING)])) == 2


def test_reports_naming_nobody_stay_alone() -> None:
    """ "Twelve people were detained" in two digests: nothing says they are the same twelve."""
    assert grouped([report("2022-11-04", affected=()), report("2022-11-08", affected=())]) == [
        ["2022-11-04"],
        ["2022-11-08"],
    ]


def test_stated_dates_must_agree_within_a_day() -> None:
    agree = [report("2023-09-22", stated="2023-09-20"), report("2023-09-26", stated="2023-09-21")]
    differ = [report("2023-09-22", stated="2023-09-12"), report("2023-09-26", stated="2023-09-20")]
    assert len(join(agree)) == 1
    assert join(agree)[0].date is None  # they do not state the same day
    assert len(join(differ)) == 2


def test_a_stated_date_and_an_undated_report_agree_if_the_date_is_in_its_window() -> None:
    (incident,) = join([report("2023-09-22"), report("2023-10-03", stated="2023-09-19")])
    assert incident.date == date(2023, 9, 19)


def test_a_meeting_joins_on_its_participants() -> None:
    meeting = {"cls": MEETING, "role": PARTICIPANT, "affected": (ALI, TOFIG)}
    assert len(join([report("2023-09-22", **meeting), report("2023-09-26", **meeting)])) == 1


def test_a_meeting_held_is_not_the_meeting_planned_after_it() -> None:
    """Sochi, held by 2022-11-04, is not 'the next meeting', planned on 2022-11-08."""
    meeting = {"cls": MEETING, "role": PARTICIPANT, "affected": (ALI, TOFIG)}
    held = report("2022-11-04", **meeting)
    planned = report("2022-11-08", status=str(VOX.Planned), **meeting)
    assert len(join([held, planned])) == 2


def test_two_reports_of_one_digest_are_two_happenings() -> None:
    assert len(join([report("2023-09-22", 100), report("2023-09-22", 900)])) == 2


def test_every_report_is_in_exactly_one_incident() -> None:
    reports = [
        report(d, o, affected=a)
        for d in ("2023-09-22", "2023-09-26", "2023-10-03")
        for o, a in ((10, (ALI,)), (20, (TOFIG,)), (30, ()))
    ]
    placed = [r.iri for i in join(reports) for r in i.reports]
    assert sorted(placed) == sorted(r.iri for r in reports)


# -- chains of a case ----------------------------------------------------------------------


def step(name: str, cls: str, digests: set[str], first: str = "2023-09-22") -> CaseStep:
    return CaseStep(
        name, cls, frozenset({ALI}), frozenset(digests), None, date.fromisoformat(first)
    )


def test_a_case_reads_arrest_charge_sentence_release_where_a_digest_tells_them_together() -> None:
    arrest = step("arrest", ARREST, {"d1"})
    charge = step("charge", CHARGE, {"d1", "d2"})
    sentence = step("sentence", SENTENCING, {"d2"})
    release = step("release", RELEASE, {"d3"})  # no digest tells it with the rest
    assert case_links([release, sentence, charge, arrest]) == {
        ("arrest", "charge"),
        ("charge", "sentence"),
    }


# -- small digests in a real store -------------------------------------------------------


def digest_graph(key: str, events: list[tuple[int, str, tuple[str, ...]]]) -> Graph:
    """A digest with events (offset, class, affected), shaped as the mapper shapes them."""
    g, node = Graph(), iris.digest_iri(key)
    g.add((node, RDF.type, VOX.Digest))
    g.add((node, DCTERMS.date, Literal(key, datatype=XSD_DATE)))
    for offset, cls, affected in events:
        event = iris.event_iri(key, offset)
        g.add((event, RDF.type, VOX.Event))
        g.add((event, RDF.type, URIRef(cls)))
        g.add((event, VOX.reportedIn, node))
        g.add((event, VOX.status, VOX.Occurred))
        for actor in affected:
            g.add((event, VOX.affected, URIRef(actor)))
    return g


PEOPLE = Graph()
for actor, name in ((ALI, "Ali Karimli"), (TOFIG, "Tofig Yagublu")):
    PEOPLE.add((URIRef(actor), RDF.type, VOX.Person))
    PEOPLE.add((URIRef(actor), RDFS.label, Literal(name, lang="en")))


def store_digest(store: Store, key: str, events: list) -> str:
    store.replace_graph(iris.digest_graph(key), digest_graph(key, events))
    return str(iris.digest_iri(key))


def incidents(store: Store) -> list[tuple[str, str, int]]:
    """(label, first report, number of reports) of every incident."""
    rows = store.query(
        PREFIXES
        + """SELECT ?label (MIN(STR(?r)) AS ?first) (COUNT(?r) AS ?n)
             WHERE { ?i a vox:Incident ; rdfs:label ?label ; vox:report ?r }
             GROUP BY ?i ?label ORDER BY ?label"""
    )
    return [(row["label"].value, row["first"].value, int(row["n"].value)) for row in rows]


def test_a_digest_that_reports_a_known_incident_adds_a_report_to_it(new_store: StoreFactory):
    store = new_store("small")
    store.replace_graph(iris.REGISTRY_GRAPH, PEOPLE)
    first = store_digest(store, "2023-09-22", [(996, ARREST, (ALI,)), (1500, ARREST, (TOFIG,))])
    consolidate.consolidate(store, [first], full_share=2.0)
    arrest = f"{iris.ID}incident/2023-09-22/996"
    assert (
        "Arrest of Ali Karimli, first reported 2023-09-22",
        str(iris.event_iri("2023-09-22", 996)),
        1,
    ) in incidents(store)

    later = store_digest(store, "2023-10-03", [(308, ARREST, (ALI,)), (700, CHARGE, (ALI,))])
    outcome = consolidate.consolidate(store, [later], full_share=2.0)
    assert not outcome.full, "one new digest among two: consolidated incrementally"
    assert incidents(store) == [
        ("Arrest of Ali Karimli, first reported 2023-09-22", f"{first}/event/996", 2),
        ("Arrest of Tofig Yagublu, first reported 2023-09-22", f"{first}/event/1500", 1),
        ("Charge of Ali Karimli, first reported 2023-10-03", f"{later}/event/700", 1),
    ]
    ask = f"ASK {{ <{later}/event/308> <{VOX.incident}> <{arrest}> }}"
    assert bool(store.query(ask)), "the new report points to the incident it joined"
    links = store.query(PREFIXES + "SELECT ?a ?b { ?a vox:nextInCase ?b }")
    assert [(r["a"].value, r["b"].value) for r in links] == [
        (arrest, f"{iris.ID}incident/2023-10-03/700")
    ], "2023-10-03 tells the arrest and the charge together"

    # Incremental and full consolidation write the same quads.
    before = sorted(str(q) for q in store.quads(str(iris.INCIDENTS_GRAPH)))
    assert consolidate.consolidate(store).full
    assert sorted(str(q) for q in store.quads(str(iris.INCIDENTS_GRAPH))) == before


def test_a_replaced_digest_takes_its_reports_out_of_their_incidents(new_store: StoreFactory):
    store = new_store("replaced")
    first = store_digest(store, "2023-09-22", [(996, ARREST, (ALI,))])
    later = store_digest(store, "2023-10-03", [(308, ARREST, (ALI,))])
    consolidate.consolidate(store)
    assert [n for _, _, n in incidents(store)] == [2]
    # The first digest, corrected: the arrest was Tofig Yagublu's.
    store_digest(store, "2023-09-22", [(996, ARREST, (TOFIG,))])
    consolidate.consolidate(store, [first], full_share=2.0)
    found = {first_report: n for _, first_report, n in incidents(store)}
    assert found == {f"{first}/event/996": 1, f"{later}/event/308": 1}


def test_a_report_stating_a_day_long_past_joins_the_incident_of_that_day(
    new_store: StoreFactory,
):
    """Consolidating a batch reads the incidents that its reports' days reach, however
    far back a stated vox:date reaches: the same quads as a full consolidation."""
    store = new_store("reach")
    stated = Literal("2022-10-01", datatype=XSD_DATE)  # months before the digest: one day
    january = digest_graph("2023-01-10", [(10, ARREST, (ALI,))])
    january.add((iris.event_iri("2023-01-10", 10), VOX.date, stated))
    store.replace_graph(iris.digest_graph("2023-01-10"), january)
    may = store_digest(store, "2023-05-02", [(20, ARREST, (ALI,))])
    consolidate.consolidate(store)
    late = digest_graph("2023-09-22", [(30, ARREST, (ALI,)), (40, ARREST, (TOFIG,))])
    late.add((iris.event_iri("2023-09-22", 30), VOX.date, Literal("2022-10-02", datatype=XSD_DATE)))
    store.replace_graph(iris.digest_graph("2023-09-22"), late)
    outcome = consolidate.consolidate(store, [iris.digest_iri("2023-09-22")], full_share=2.0)
    assert not outcome.full
    found = {first: n for _, first, n in incidents(store)}
    assert found == {
        f"{iris.digest_iri('2023-01-10')}/event/10": 2,  # 2022-10-01 and 2022-10-02 agree
        f"{may}/event/20": 1,
        f"{iris.digest_iri('2023-09-22')}/event/40": 1,
    }
    before = sorted(str(q) for q in store.quads(str(iris.INCIDENTS_GRAPH)))
    assert consolidate.consolidate(store).full
    assert sorted(str(q) for q in store.quads(str(iris.INCIDENTS_GRAPH))) == before


# -- the bundled corpus ------------------------------------------------------------------


def select(store: Store, query: str) -> list[dict[str, str]]:
    rows = store.query(PREFIXES + query)
    return [{v.value: row[v].value for v in rows.variables if row[v] is not None} for row in rows]


def test_every_event_report_has_exactly_one_incident(each_corpus_store: Store) -> None:
    rows = select(
        each_corpus_store,
        """SELECT ?e (COUNT(DISTINCT ?i) AS ?n) WHERE {
             ?e a vox:Event . OPTIONAL { ?e vox:incident ?i } } GROUP BY ?e HAVING (?n != 1)""",
    )
    assert rows == [], f"events without exactly one incident: {rows[:5]}"
    events = select(each_corpus_store, "SELECT (COUNT(DISTINCT ?e) AS ?n) { ?e a vox:Event }")
    assert int(events[0]["n"]) > 50


def test_report_and_incident_are_inverses(each_corpus_store: Store) -> None:
    rows = select(
        each_corpus_store,
        """SELECT ?e ?i WHERE {
             { ?i vox:report ?e FILTER NOT EXISTS { ?e vox:incident ?i } }
             UNION { ?e vox:incident ?i FILTER NOT EXISTS { ?i vox:report ?e } } }""",
    )
    assert rows == [], f"vox:report without vox:incident or back: {rows[:5]}"


def test_afiaddin_mammadovs_arrest_is_one_incident_with_two_reports(
    each_corpus_store: Store,
) -> None:
    rows = select(
        each_corpus_store,
        """SELECT DISTINCT ?i ?reported ?first ?last WHERE {
             ?e a vox:Arrest ; vox:affected ?p ; vox:incident ?i ;
                vox:reportedIn/dcterms:date ?reported .
             ?p rdfs:label "Afiaddin Mammadov"@en .
             ?i vox:firstReported ?first ; vox:lastReported ?last } ORDER BY ?reported""",
    )
    assert [r["reported"] for r in rows] == ["2023-09-22", "2023-10-03"]
    assert len({r["i"] for r in rows}) == 1, f"two incidents: {rows}"
    assert (rows[0]["first"], rows[0]["last"]) == ("2023-09-22", "2023-10-03")


def test_no_incident_mixes_different_people(each_corpus_store: Store) -> None:
    """All reports of an incident name the same affected and participants."""
    rows = select(
        each_corpus_store,
        """SELECT ?i ?e ?actor WHERE { ?i vox:report ?e .
             OPTIONAL { ?e vox:affected|vox:participant ?actor } }""",
    )
    named: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        actors = named.setdefault(row["i"], {}).setdefault(row["e"], set())
        if "actor" in row:
            actors.add(row["actor"])
    mixed = {i: reports for i, reports in named.items() if len(map_sets(reports)) > 1}
    assert mixed == {}, f"incidents whose reports name different people: {mixed}"
    assert any(len(reports) > 1 for reports in named.values())


def map_sets(reports: dict[str, set[str]]) -> set[frozenset[str]]:
    return {frozenset(actors) for actors in reports.values()}


def test_an_incident_is_not_an_event(each_corpus_store: Store) -> None:
    rows = select(each_corpus_store, "SELECT ?i { ?i a vox:Incident , vox:Event }")
    assert rows == []


def test_emin_ibrahimovs_case_reads_as_one_story(each_corpus_store: Store) -> None:
    """2023-09-26: his flat searched, arrested (on 2023-09-25, "yesterday"), charged with
    'supporting terrorism', a 30-day "administrative arrest sentence" (which the extraction
    reads as a second Arrest: two Arrests of one digest stay two incidents)."""
    rows = select(
        each_corpus_store,
        """SELECT ?from ?to WHERE { ?a vox:nextInCase ?b ; vox:affected ?p .
             ?p rdfs:label "Emin Shaig Ibrahimov"@en .
             ?a vox:eventClass ?ca . ?b vox:eventClass ?cb .
             BIND(STRAFTER(STR(?ca), "#") AS ?from) BIND(STRAFTER(STR(?cb), "#") AS ?to) }
           ORDER BY ?from""",
    )
    assert {(r["from"], r["to"]) for r in rows} == {
        ("Investigation", "Arrest"),
        ("Arrest", "Arrest"),
        ("Arrest", "Charge"),
    }


# -- loading: order, crashes, dumps --------------------------------------------------------


def test_loading_one_digest_at_a_time_in_reverse_gives_the_same_incidents(
    corpus_store: GraphStore, corpus_files: list[Path], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(consolidate, "FULL_SHARE", 2.0)  # never fall back to a full pass
    store = GraphStore(tmp_path / "reversed")
    outcomes = [pipeline.run([path], store).consolidation for path in reversed(corpus_files)]
    assert [o.full for o in outcomes] == [True, False, False, False, False]
    graph = str(iris.INCIDENTS_GRAPH)
    assert sorted(map(str, store.quads(graph))) == sorted(map(str, corpus_store.quads(graph)))
    fresh, _ = statistics_update.count(store, store.named_graphs())
    assert store.statistics() == fresh, "the incremental patches kept the statistics exact"
    assert fresh.incident_total() == fresh.classes[str(VOX.Incident)]


def test_a_load_interrupted_before_consolidation_is_consolidated_in_full_next_time(
    corpus_files: list[Path], tmp_path: Path
) -> None:
    store = GraphStore(tmp_path / "store")
    pipeline.run(corpus_files[:2], store)
    assert consolidate.is_current(store)
    consolidate.mark_pending(store)  # as a loader killed after storing a digest leaves it
    report = pipeline.run(corpus_files[:2], store)
    assert report.unchanged and report.consolidation is not None and report.consolidation.full
    assert consolidate.is_current(store)
    again = pipeline.run(corpus_files[:2], store)
    assert again.consolidation is None, "nothing changed: nothing to consolidate"


def test_the_dumps_hold_the_incidents_graph(corpus_store: GraphStore) -> None:
    out = io.BytesIO()
    write_dump(corpus_store, out, "nq")
    quads = list(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))
    in_graph = [q for q in quads if q.graph_name == ox.NamedNode(str(iris.INCIDENTS_GRAPH))]
    assert len([q for q in in_graph if q.predicate == ox.NamedNode(str(VOX.report))]) >= 70


def test_the_snapshot_readers_see_holds_the_incidents(
    corpus_files: list[Path], tmp_path: Path
) -> None:
    store = GraphStore(tmp_path / "store")
    pipeline.run([p for p in corpus_files if p.stem == "2023-09-22"], store)
    snapshot = latest_snapshot(store.path)
    assert snapshot is not None
    reader = GraphStore(snapshot, read_only=True)
    assert bool(
        reader.query(f"ASK {{ GRAPH <{iris.INCIDENTS_GRAPH}> {{ ?i a <{VOX.Incident}> }} }}")
    )


# -- on the site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(corpus_store: GraphStore) -> Iterator[str]:
    with serving_store(corpus_store) as base:
        yield base


def listed(page: str) -> list[str]:
    """The list items of a timeline page."""
    return re.findall(r'<li class="incident">.*?</li>', page, re.S)


def test_the_timeline_lists_an_incident_once_with_each_reports_sentence(
    site: str, corpus_store: GraphStore
) -> None:
    page = requests.get(
        f"{site}/timeline", params={"actor": str(iris.actor_iri("afiaddin-mammadov"))}
    ).text
    arrests = [item for item in listed(page) if 'href="/page/incident/2023-09-22/996"' in item]
    assert len(arrests) == 1, "one incident, listed once, for the two reports"
    assert "reported in 2 digests" in arrests[0]
    sentences = re.findall(
        r'<blockquote class="evidence" cite="[^"]+"><small>([\d-]+)</small> '
        r'<a href="/page/digest/([\d-]+)#char=(\d+),(\d+)">([^<]+)</a>',
        arrests[0],
    )
    assert [(reported, digest) for reported, digest, *_ in sentences] == [
        ("2023-09-22", "2023-09-22"),
        ("2023-10-03", "2023-10-03"),
    ]
    for _, digest, begin, end, sentence in sentences:
        text = select(corpus_store, f"SELECT ?t {{ <{iris.digest_iri(digest)}> vox:text ?t }}")[0][
            "t"
        ]
        assert text[int(begin) : int(end)] == html.unescape(sentence), "links to its place"
    assert "Confederation, was apprehended" in arrests[0]
    assert "who was arrested on trumped-up assault charges" in arrests[0]


def test_the_whole_timeline_lists_every_incident_once(site: str, corpus_store: GraphStore) -> None:
    page = requests.get(f"{site}/timeline", params={"size": 500}).text
    shown = [re.search(r'class="kind" href="/page/([^"]+)"', item)[1] for item in listed(page)]
    stored = select(corpus_store, "SELECT ?i { ?i a vox:Incident }")
    assert sorted(shown) == sorted(r["i"].removeprefix(iris.ID) for r in stored)
    events = select(corpus_store, "SELECT (COUNT(*) AS ?n) { ?e a vox:Event }")[0]["n"]
    assert len(shown) < int(events), "fewer incidents than event reports"
    assert f"Incidents 1–{len(shown)} of {len(shown)}" in page


BAR = re.compile(r'<a class="bar" href="([^"]+)" aria-label="([^"]+), ([\d-]+): (\d+) incidents?">')


def bars(page: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(class label, month) -> (incidents, link) of each bar of the timeline's chart."""
    return {
        (label, month): (int(count), html.unescape(href))
        for href, label, month, count in BAR.findall(page)
    }


def per_month(store: Store, actor: str | None = None) -> dict[tuple[str, str], int]:
    """(class label, month) -> incidents, counted by SPARQL over the incidents graph."""
    naming = f"?i vox:agent|vox:affected|vox:participant <{actor}> ." if actor else ""
    rows = select(
        store,
        f"""SELECT ?label ?month (COUNT(DISTINCT ?i) AS ?n) WHERE {{
              ?i a vox:Incident ; vox:eventClass ?class ; vox:firstReported ?first . {naming}
              OPTIONAL {{ ?i vox:date ?date }}
              GRAPH <{iris.ONTOLOGY_GRAPH}> {{ ?class rdfs:label ?label }}
              BIND(SUBSTR(STR(COALESCE(?date, ?first)), 1, 7) AS ?month)
            }} GROUP BY ?label ?month""",
    )
    return {(r["label"], r["month"]): int(r["n"]) for r in rows}


def test_the_chart_counts_incidents_per_month_and_class(
    site: str, corpus_store: GraphStore
) -> None:
    page = requests.get(f"{site}/timeline").text
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert "<title" in chart and "<desc" in chart, "the chart says what it shows"
    drawn = bars(page)
    counted = per_month(corpus_store)
    months = {"2022-11", "2023-09", "2023-10"}  # the chart's 12 months from 2022-11
    assert {key: n for key, (n, _) in drawn.items()} == counted
    assert {month for _, month in drawn} == months
    table = page[page.index('<details class="chart-table">') :]
    assert '<th scope="row">arrest</th>' in table, "the same numbers as a table"


def test_a_bar_links_to_the_list_from_its_month_of_its_class(site: str) -> None:
    drawn = bars(requests.get(f"{site}/timeline").text)
    count, link = drawn[("arrest", "2023-09")]
    assert link.endswith("#incidents") and "type=Arrest" in link and "from=2023-09-01" in link
    items = listed(requests.get(site + link).text)
    dates = [re.search(r'datetime="([\d-]+)"', item)[1] for item in items]
    assert len([d for d in dates if d.startswith("2023-09")]) == count
    assert dates[:count] == sorted(dates[:count]) and min(dates) >= "2023-09-01"
    assert all('<span class="class">arrest</span>' in item for item in items)


def test_the_chart_follows_the_filters_and_its_numbers_download_as_csv(
    site: str, corpus_store: GraphStore
) -> None:
    emin = str(iris.actor_iri("emin-shaig-ibrahimov"))
    page = requests.get(f"{site}/timeline", params={"actor": emin}).text
    assert {key: n for key, (n, _) in bars(page).items()} == per_month(corpus_store, emin)
    arrests = requests.get(f"{site}/timeline", params={"actor": emin, "type": "Arrest"}).text
    assert {label for label, _ in bars(arrests)} == {"arrest"}
    link = re.search(r'<a class="csv" href="([^"]+)" download>', arrests)[1]
    answer = requests.get(site + html.unescape(link))
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["month", "class", "incidents"]
    counted = per_month(corpus_store, emin)
    expected = {month: n for (label, month), n in counted.items() if label == "arrest"}
    assert {month: int(n) for month, kind, n in rows[1:] if kind == "Arrest"} == expected
    assert {kind for _, kind, _ in rows[1:]} == {"Arrest"}
    whole = list(csv.reader(io.StringIO(requests.get(f"{site}/timeline.csv").text)))[1:]
    assert sum(int(n) for *_, n in whole) == len(
        select(corpus_store, "SELECT ?i { ?i a vox:Incident }")
    )


def test_an_actor_page_shows_the_persons_history_as_incidents(site: str) -> None:
    page = requests.get(f"{site}/page/actor/emin-shaig-ibrahimov").text
    history = page[page.index('<section class="history">') :]
    history = history[: history.index("</section>")]
    titles = re.findall(r'class="kind" href="/page/incident/[^"]+">([^<]+)</a>', history)
    assert titles[0].startswith("Arrest of Amrah Tahmazov, Emin Shaig Ibrahimov")
    assert "Arrest of Emin Shaig Ibrahimov, first reported 2023-09-26" in titles
    assert "next in the case: <a" in history


def test_an_incident_has_a_page_with_its_reports(site: str) -> None:
    page = requests.get(f"{site}/id/incident/2023-09-22/996", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.url.endswith("/page/incident/2023-09-22/996")
    assert "Arrest of Afiaddin Mammadov, first reported 2023-09-22" in page.text
    assert "Reported in 2 digests" in page.text
    assert 'href="/page/digest/2023-10-03#char=' in page.text
    assert "next: <a" in page.text  # the charge


def test_the_readme_lists_the_incident_terms_as_the_ontology_states_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ontology = Graph().parse(ONTOLOGY)
    terms = ("Incident", "incident", "report", "eventClass")
    for term in (*terms, "firstReported", "lastReported", "nextInCase"):
        label, comment = (ontology.value(VOX[term], p) for p in (RDFS.label, RDFS.comment))
        assert label is not None and comment is not None, f"vox:{term} lacks a label or comment"
        row = f"| `vox:{term}` | {label} | {comment} |"
        assert row in readme, f"README's 'What is in the graph' lacks or misstates vox:{term}"
