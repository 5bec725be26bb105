"""Where the project's data files live.

voxgraph is installed in editable mode (`make` does this), so the data folders
stay at the top of the checkout, beside the code, where a curator edits them.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "voxgraph.ttl"
SHAPES = ROOT / "shapes" / "voxgraph.ttl"
MAPPINGS = ROOT / "mappings"
ACTOR_REGISTRY = MAPPINGS / "actors.yaml"
CORPUS = ROOT / "corpus"
