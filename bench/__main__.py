"""`python -m bench`: run the benchmarks and print the figures."""

from bench.cli import main

raise SystemExit(main())
