"""Validating: a digest's graph checked against the SHACL shapes before it is stored
(shacl)."""
