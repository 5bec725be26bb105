"""The loading side of voxgraph: parse -> map -> validate -> store."""
