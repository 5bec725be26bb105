"""The example-query library: one file per query in queries/, NN-slug.rq.

Each file starts with comment lines naming it, then the query without PREFIX
lines (the endpoint predeclares the project's prefixes, server/query.py; the page
shows the query as written):

    # title: Statements by Ali Karimli
    # description: Every statement he made, newest first, with its quote.
    # federated: true            (optional: it calls Wikidata, so it needs the network)
    SELECT ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from voxgraph.iris import PREFIXES
from voxgraph.paths import QUERIES

PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
FILE_NAME = re.compile(r"^(\d{2,})-[a-z0-9-]+\.rq$")
HEADER = re.compile(r"^#\s*(title|description|federated)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Example:
    slug: str  # the file name without .rq
    title: str
    description: str
    federated: bool
    body: str  # the query as written, without the header and the prefixes

    @property
    def query(self) -> str:
        """The query with the project's prefixes written out: runnable anywhere, not only
        at this endpoint."""
        return PROLOGUE + "\n" + self.body


def load_examples(folder: Path = QUERIES) -> list[Example]:
    """Every NN-slug.rq in `folder`, in file-name order; raises ValueError for a malformed one."""
    return [read_example(path) for path in sorted(folder.glob("*.rq"))]


def read_example(path: Path) -> Example:
    if not FILE_NAME.match(path.name):
        raise ValueError(f"{path}: example queries are named NN-slug.rq")
    fields: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and (header := HEADER.match(lines[0])):
        fields[header.group(1)] = header.group(2)
        lines.pop(0)
    for required in ("title", "description"):
        if not fields.get(required):
            raise ValueError(f"{path}: missing '# {required}: ...' line at the top")
    body = "\n".join(lines).strip() + "\n"
    if re.search(r"^\s*PREFIX\b", body, re.IGNORECASE | re.MULTILINE):
        raise ValueError(f"{path}: leave PREFIX lines out; the endpoint declares the project's")
    return Example(
        slug=path.stem,
        title=fields["title"],
        description=fields["description"],
        federated=fields.get("federated", "false").lower() == "true",
        body=body,
    )
