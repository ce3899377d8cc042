"""Demo and scale data: ``load_demo`` (the Bloc of the source article) and ``generate_scale`` (benchmarks).

Nothing in the product imports this app (an import-linter contract says so); it imports the product's apps
and writes through their models and services."""
