"""The read-only SPARQL endpoint, the query page and the dumps (a Flask app)."""

from server.app import create_app
from server.dumps import write_dump
from server.settings import Settings

__all__ = ["Settings", "create_app", "write_dump"]
