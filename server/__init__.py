"""The read-only SPARQL endpoint, the query page and the dumps (a Flask app)."""

from voxgraph.loader.store.dumps import write_dump
from voxgraph.server.app import create_app
from voxgraph.server.settings import Settings

__all__ = ["Settings", "create_app", "write_dump"]
