"""Benchmarks of ``pairing``: whole processes, timed and measured.

Run them with ``python -m benchmarks`` from the repository root.

Modules:

* :mod:`benchmarks.harness` — the harness (instances, runs, medians, tables);
* :mod:`benchmarks.baselines` — the plain greedy and the monolithic CP-SAT
  baselines, each runnable as a process;
* :mod:`benchmarks.replan` — the re-planning benchmark (2% of cadres leave).

``benchmarks/README.md`` holds the latest table and how to run it.
"""
