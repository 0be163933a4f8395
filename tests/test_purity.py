"""The protocol core stays pure: no Django, no clock, no I/O, no third-party imports, and of
venowatch only the core itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import venowatch.protocol

CORE_NAME = venowatch.protocol.__name__
CORE = Path(venowatch.protocol.__file__).parent
CORE_FILES = sorted(CORE.glob("*.py"))
STANDARD_LIBRARY = {
    "__future__", "bisect", "collections", "dataclasses", "datetime", "enum", "hashlib", "math",
    "operator", "re", "tomllib", "types", "typing",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "now", "today", "utcnow", "time", "perf_counter", "monotonic", "print"}


def test_importing_the_core_loads_no_django_and_no_third_party_package() -> None:
    code = (
        "import sys, venowatch.protocol\n"
        "top = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(top & {'django', 'msgspec', 'tqdm', 'pydantic', 'ninja'}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('venowatch.')\n"
        "             and not m.startswith('venowatch.protocol')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "[]"]


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The absolute names a statement imports (a relative one is inside the core, which has
    no subpackages)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 1:
        return [f"{CORE_NAME}.{node.module}" if node.module else CORE_NAME]
    if node.level:
        return ["." * node.level + (node.module or "")]
    return [node.module or ""]


def _allowed(name: str) -> bool:
    return name.split(".")[0] in STANDARD_LIBRARY or (
        name == CORE_NAME or name.startswith(CORE_NAME + ".")
    )


@pytest.mark.parametrize("path", CORE_FILES, ids=[p.name for p in CORE_FILES])
def test_core_module_imports_only_the_standard_library_it_needs(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported(node):
                assert _allowed(name), f"{path.name}:{node.lineno} imports {name}"


def test_the_import_check_refuses_the_rest_of_venowatch() -> None:
    assert _allowed("venowatch.protocol.model")
    assert _allowed("datetime")
    assert not _allowed("venowatch")
    assert not _allowed("venowatch.services.care.protocols")
    assert not _allowed("venowatch.protocolx")
    assert not _allowed("django.db")
    assert not _allowed("..services")


@pytest.mark.parametrize("path", CORE_FILES, ids=[p.name for p in CORE_FILES])
def test_core_module_reads_no_clock_and_opens_no_file(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"
