"""The protocol core stays pure: no Django, no clock, no I/O, no third-party imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import venowatch.protocol

CORE = Path(venowatch.protocol.__file__).parent
CORE_FILES = sorted(CORE.glob("*.py"))
ALLOWED_IMPORTS = {
    "__future__", "bisect", "collections", "dataclasses", "datetime", "enum", "hashlib", "math",
    "operator", "re", "tomllib", "types", "typing", "venowatch",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "now", "today", "utcnow", "time", "perf_counter", "monotonic", "print"}


def test_importing_the_core_loads_no_django_and_no_third_party_package() -> None:
    code = (
        "import sys, venowatch.protocol\n"
        "top = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(top & {'django', 'msgspec', 'tqdm', 'pydantic', 'ninja'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("path", CORE_FILES, ids=[p.name for p in CORE_FILES])
def test_core_module_imports_only_the_standard_library_it_needs(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in ALLOWED_IMPORTS, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", CORE_FILES, ids=[p.name for p in CORE_FILES])
def test_core_module_reads_no_clock_and_opens_no_file(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"
