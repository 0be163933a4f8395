"""Loaded as a pytest plugin (`-p tests.environment`) before pytest-django reads the settings,
which require these variables: tests must not need a deployment's environment."""

import os
import tempfile

os.environ.setdefault("VENOWATCH_SECRET_KEY", "tests-only-secret")
os.environ.setdefault("VENOWATCH_DATA_DIR", tempfile.mkdtemp(prefix="venowatch-tests-"))
os.makedirs(os.path.join(os.environ["VENOWATCH_DATA_DIR"], "static"), exist_ok=True)
# Production settings but for the transport: the test client and the live server speak plain
# http (tests/test_hardening.py checks the production defaults themselves).
os.environ.setdefault("VENOWATCH_SSL_REDIRECT", "false")
os.environ.setdefault("VENOWATCH_SECURE_COOKIES", "false")
