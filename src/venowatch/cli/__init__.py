"""The `venowatch` command line: a thin edge over venowatch.services."""
