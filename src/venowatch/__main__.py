"""`python -m venowatch ...`: the same as the `venowatch` command (serve starts its worker so)."""

import sys

from venowatch.cli.main import main

sys.exit(main())
