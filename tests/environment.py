"""Loaded as a pytest plugin (`-p tests.environment`) before pytest-django reads the settings,
which require these variables: tests must not need a deployment's environment."""

import os
import tempfile

os.environ.setdefault("VENOWATCH_SECRET_KEY", "tests-only-secret")
os.environ.setdefault("VENOWATCH_DATA_DIR", tempfile.mkdtemp(prefix="venowatch-tests-"))
os.makedirs(os.path.join(os.environ["VENOWATCH_DATA_DIR"], "static"), exist_ok=True)
