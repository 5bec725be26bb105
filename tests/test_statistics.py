"""The statistics the loader keeps with the data (loader/store/statistics.py), by example: what
they count, that each write keeps them equal to a count from scratch, on both backends,
and that they change in the same transaction as the data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from tests.conftest import OxigraphServer, StoreFactory, VirtuosoServer
from voxgraph.iris import GRAPH
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store, statistics, statistics_update
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.paths import CORPUS

VOX = "https://w3id.org/voxgraph/ontology#"
DIGEST_GRAPH = str(GRAPH["digest/2022-11-08"])


def counted_afresh(store: Store) -> tuple[statistics.Statistics, dict]:
    stats, days = statistics_update.count(store, store.named_graphs())
    return stats, {month: days[month] for month in days}


def kept_months(store: Store, kept: statistics.Statistics) -> dict:
    return {
        series: {m: statistics.month_days(store, series, m) for m in kept.series(series)}
        for series, _ in statistics.SERIES
    }


def assert_kept_equal_a_fresh_count(store: Store) -> None:
    kept = store.statistics()
    assert kept is not None, "the store keeps no statistics"
    fresh, days = counted_afresh(store)
    assert kept == fresh, f"kept statistics drifted from a fresh count:\n{kept}\n{fresh}"
    assert kept_months(store, kept) == days, "the timeline's day records drifted"


def test_a_loaded_corpus_keeps_its_counts(each_corpus_store: Store) -> None:
    kept = each_corpus_store.statistics()
    assert kept is not None
    quads = list(each_corpus_store.quads_for_pattern())
    distinct = {(q.subject, q.predicate, q.object) for q in quads}
    void = kept.void()
    assert void["triples"] == len(distinct), "VoID counts every triple of the store once"
    assert void["distinctSubjects"] == len({q.subject for q in quads})
    assert void["distinctObjects"] == len({q.object for q in quads})
    assert void["properties"] == len({q.predicate for q in quads})
    assert kept.classes[VOX + "Digest"] == 5
    assert kept.event_total() == sum(kept.events[m][""] for m in kept.events) > 50
    assert set(kept.events) == {"2022-11", "2023-09", "2023-10"}
    assert "Arrest" in kept.event_kinds() and "" not in kept.event_kinds()
    assert set(kept.incidents) == set(kept.events)
    assert 0 < kept.incident_total() < kept.event_total(), "some incidents have several reports"
    assert kept.incident_total() == kept.classes[VOX + "Incident"]
    assert_kept_equal_a_fresh_count(each_corpus_store)


def test_a_day_record_counts_the_events_of_each_day_by_kind(corpus_store: GraphStore) -> None:
    days = statistics.event_days(corpus_store, "2023-09")
    # queries/08: Aliyev's two meetings, dated by the text on 20 and 21 September
    assert days["2023-09-20"]["Meeting"] >= 1 and days["2023-09-21"]["Meeting"] >= 1
    assert all(kinds[""] >= max(n for k, n in kinds.items() if k) for kinds in days.values())
    assert statistics.event_days(corpus_store, "1999-01") == {}


def test_replacing_and_removing_a_digest_keep_them_exact(
    new_store: StoreFactory, tmp_path: Path
) -> None:
    store = new_store("store")
    pipeline.run([CORPUS], store)
    before = store.statistics()
    edited = tmp_path / "2022-11-08.txt"
    text = (CORPUS / "2022-11-08.txt").read_text(encoding="utf-8")
    edited.write_text(text.replace("Opposition Party announces new rallies", "Rallies"))
    assert pipeline.run([edited], store).loaded == [str(edited)]
    assert_kept_equal_a_fresh_count(store)
    assert store.statistics().fingerprint != before.fingerprint, "the data changed"

    store.remove_graph(DIGEST_GRAPH)
    assert_kept_equal_a_fresh_count(store)
    assert store.statistics().classes[VOX + "Digest"] == 4
    assert "2022-11-08" not in statistics.event_days(store, "2022-11")

    shutil.copy(CORPUS / "2022-11-08.txt", edited)
    pipeline.run([edited], store)
    assert store.statistics() == before, "the same data, the same statistics"


def test_they_change_in_the_same_transaction_as_the_data(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    pipeline.run([CORPUS / "2022-11-04.txt"], store)
    before = store.statistics()
    good = "<urn:x:a> <urn:x:b> <urn:x:c> ."
    with pytest.raises(SyntaxError):  # the data part of the update is not even N-Triples
        store.replace_graph(DIGEST_GRAPH, good + "\n<urn:x:a> <urn:x:b> .")
    assert store.statistics() == before, "a failed write must leave the statistics as they were"
    assert DIGEST_GRAPH not in store.named_graphs()


def test_a_store_loaded_before_statistics_existed_gets_them_counted_once(
    tmp_path: Path,
) -> None:
    store = GraphStore(tmp_path / "store")
    pipeline.run([CORPUS / "2022-11-04.txt"], store)
    store.update(f"DROP GRAPH <{statistics.STATISTICS_GRAPH}>")  # as an older version left it
    assert store.statistics() is None
    report = pipeline.run([CORPUS / "2022-11-08.txt"], store)
    assert report.ok
    assert_kept_equal_a_fresh_count(store)
    assert store.statistics().classes[VOX + "Digest"] == 2


def test_the_statistics_graph_holds_one_json_record_per_month_and_one_for_all(
    corpus_store: GraphStore,
) -> None:
    records = list(
        corpus_store.quads_for_pattern(None, None, None, ox.NamedNode(statistics.STATISTICS_GRAPH))
    )
    subjects = sorted(q.subject.value for q in records)
    months = ("2022-11", "2023-09", "2023-10")
    assert subjects == [
        statistics.STATISTICS_GRAPH,
        *(statistics.MONTH_RECORD + month for month in months),
        *(statistics.INCIDENT_RECORD + month for month in months),
    ]
    assert {q.predicate.value for q in records} == {statistics.RDF_VALUE}
    assert {q.object.datatype.value for q in records} == {statistics.RDF_JSON}


def test_on_a_remote_store_a_write_computed_before_another_loaders_is_not_applied(
    remote_server: OxigraphServer | VirtuosoServer,
) -> None:
    mine, theirs = RemoteStore(remote_server.url), RemoteStore(remote_server.url)
    pipeline.run([CORPUS / "2022-11-04.txt"], mine)
    body = "<urn:x:a> <urn:x:b> <urn:x:c> ."
    mine_graph, their_graph = str(GRAPH["test/mine"]), str(GRAPH["test/theirs"])
    stale = statistics_update.replacement(mine, mine_graph, body)
    theirs.replace_graph(URIRef(their_graph), "<urn:x:d> <urn:x:e> <urn:x:f> .")
    mine.update(stale.operations)  # computed before their write: it must not apply
    assert statistics.record(mine) != stale.record
    assert_kept_equal_a_fresh_count(mine)
    mine.replace_graph(URIRef(mine_graph), body)  # computed afresh, it does
    assert_kept_equal_a_fresh_count(mine)
    assert mine_graph in mine.named_graphs()
