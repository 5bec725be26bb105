"""SPARQL JSON results are written by server/query.py (so that an answer can be cut
to any number of rows); they must be exactly what oxigraph itself writes."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox

from voxgraph.server.formats import RESULTS_FORMATS, Wanted, choose
from voxgraph.server.query import JsonRows, _results_bytes

# Every kind of term and value the writer distinguishes: IRI, blank node, plain,
# language-tagged and typed literals, unbound, a triple term; quotes, newlines, a
# tab, non-ASCII letters, a line separator and "</script>" inside strings.
QUERY = r"""SELECT ?a ?b ?c ?d ?e ?t WHERE {
  { BIND(<http://example.org/a> AS ?a) BIND("plain" AS ?b)
    BIND(STRLANG("chaîne \"citée\"\n", "fr") AS ?c) BIND(42 AS ?d) }
  UNION
  { ?a <http://example.org/p> ?b BIND("tab\there </script> \u2028 ə" AS ?d) }
  BIND(<<( <http://example.org/s> <http://example.org/p> "o" )>> AS ?t)
}"""


def test_our_json_results_are_byte_for_byte_oxigraphs() -> None:
    store = ox.Store()
    date = ox.Literal("2023-09-22", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://example.org/p"), date))
    result = store.query(QUERY)
    names = [variable.value for variable in result.variables]
    json_format = choose(RESULTS_FORMATS, Wanted(accept="application/sparql-results+json"))
    ours = _results_bytes(names, list(result), json_format)
    theirs = io.BytesIO()
    store.query(QUERY).serialize(theirs, ox.QueryResultsFormat.JSON)
    assert ours == theirs.getvalue()
    assert b'"type":"bnode"' in ours and b'"type":"triple"' in ours and b'"xml:lang":"fr"' in ours


def test_an_answer_is_cut_after_a_whole_row_at_the_row_or_byte_limit() -> None:
    """JsonRows writes rows as they are read and stops at a limit, leaving a whole document."""
    store = ox.Store()
    query = "SELECT ?n { VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } }"
    names = ["n"]
    by_rows = JsonRows.write(store.query(query), names, max_rows=3, max_bytes=10_000)
    assert by_rows.truncated and by_rows.rows == 3
    assert [b["n"]["value"] for b in json.loads(by_rows.document())["results"]["bindings"]] == [
        "1",
        "2",
        "3",
    ]
    whole = JsonRows.write(store.query(query), names, max_rows=10, max_bytes=10_000)
    assert not whole.truncated and whole.rows == 10
    small = len(whole.document(4))
    by_bytes = JsonRows.write(store.query(query), names, max_rows=10, max_bytes=small + 5)
    assert by_bytes.truncated and by_bytes.rows == 4 and len(by_bytes.document()) <= small + 5
    noted = json.loads(by_bytes.document(note="cut"))
    assert noted["voxgraph"] == {"truncated": True, "note": "cut"}
    assert len(noted["results"]["bindings"]) == 4
