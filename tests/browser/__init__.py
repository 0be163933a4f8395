"""Browser tests: the pages as people use them, in Chromium (see conftest.py)."""
