"""Month-end, tertial and year-end closing pipeline for a Stockholm city förvaltning.

The package follows the data flow: ``ingest`` → ``warehouse`` → ``controls`` → ``reports`` →
``templates`` → ``alerts``; ``generator`` makes the synthetic extracts used by demo, tests and
benchmarks; ``cli`` exposes the same functions outside Airflow.
"""
