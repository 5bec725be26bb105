"""voxgraph: political news digests as a knowledge graph.

The data flow is the architecture (one module per step):

    text --loader.parse--> Digest --loader.map--> rdflib.Graph
         --loader.validate--> conforming graph --loader.store--> Oxigraph
         --server--> SPARQL endpoint and pages

This package holds what every step shares: IRIs and namespaces (`iris`),
where the project's data files live (`paths`), settings (`config`) and the
command line (`cli`).
"""
