"""Linking to Wikidata: a client of its API (wikidata), and candidates for the registry's
and the digests' actors, found, scored, recorded and verified (candidates)."""
