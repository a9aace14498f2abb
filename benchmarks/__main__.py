"""``python -m benchmarks``: run the harness (see :mod:`benchmarks.harness`)."""

import sys

from .harness import main

sys.exit(main())
