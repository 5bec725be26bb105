"""Where the project's data files live.

In a checkout (`make` installs it in editable mode) the data folders sit at the top,
beside the code, where a curator edits them. An installed wheel carries them inside
the package (pyproject's package-dir maps them to voxgraph/data/ontology/ and so on).
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
# The folder that holds ontology/, shapes/, mappings/, queries/ and corpus/.
DATA = PACKAGE / "data" if (PACKAGE / "data").is_dir() else CHECKOUT
# Where var/ (the default store, caches) goes: the checkout, or the working directory
# of an installed voxgraph (site-packages is no place for a database).
ROOT = CHECKOUT if (CHECKOUT / "pyproject.toml").is_file() else Path.cwd()

ONTOLOGY = DATA / "ontology" / "voxgraph.ttl"
SHAPES = DATA / "shapes" / "voxgraph.ttl"
MAPPINGS = DATA / "mappings"
ACTOR_REGISTRY = MAPPINGS / "actors.yaml"
QUERIES = DATA / "queries"
CORPUS = DATA / "corpus"
