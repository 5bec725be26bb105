"""Mapping: a digest's extracted facts -> an rdflib Graph in the voxgraph ontology (graph).
Imports reading and extraction below it."""
