"""The layers of docs/architecture.md, as the imports show them.

Arrows run down only: the edges (web, API, FHIR server, CDS Hooks, CLI) call the services, the
services use the domain apps' models and the core, and nothing imports an edge but another
edge. The FHIR codec is pure (no Django, no services), and no two modules import each other,
however far round. The core's own rule (the standard library and itself) is in test_purity.
Every import counts, in a function or under TYPE_CHECKING too (see tests/import_graph.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.import_graph import cycles, graph, imports_of, modules, within

EDGES = (
    "venowatch.web",
    "venowatch.api",
    "venowatch.fhirserver",
    "venowatch.cdshooks",
    "venowatch.cli",
    "venowatch.wsgi",
    "venowatch.urls",
)
SERVICES = "venowatch.services"
CORE = "venowatch.protocol"
CODEC = "venowatch.fhir"
DOMAIN = (
    "venowatch.clinic",
    "venowatch.notify",
    "venowatch.security",
    "venowatch.integration",
    "venowatch.audit",
)


def _in(packages: tuple[str, ...], *, admin: bool = True) -> list[pytest.ParameterSet]:
    """The modules of these packages as test parameters (without Django admin modules if
    `admin` is false)."""
    names = [
        m for m in modules() if any(within(m, p) for p in packages) and (admin or not _is_admin(m))
    ]
    return [pytest.param(m, id=m) for m in names]


def _is_edge(name: str) -> bool:
    return any(within(name, edge) for edge in EDGES)


def _is_admin(name: str) -> bool:
    """Django's admin site is a user interface, an edge that lives in its domain's app: its
    `admin` module and the `admin_*` modules beside it (clinic.admin_scope, ...)."""
    last = name.rsplit(".", 1)[-1]
    return last == "admin" or last.startswith("admin_")


def test_every_layer_named_here_exists() -> None:
    """A renamed package must not leave a rule that checks nothing."""
    for package in (*EDGES, SERVICES, CORE, CODEC, *DOMAIN):
        assert package in modules(), package


def test_the_graph_sees_the_imports() -> None:
    edges = graph()
    assert any(within(m, SERVICES) for m in edges["venowatch.web.staff_patient"])
    assert any(within(m, CORE) for m in edges["venowatch.fhir.writing"])


@pytest.mark.parametrize("module", _in((SERVICES,)))
def test_a_service_imports_no_edge(module: str) -> None:
    wrong = [i for i in imports_of(module) if _is_edge(i.imported)]
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("module", _in(DOMAIN))
def test_a_domain_app_imports_no_edge(module: str) -> None:
    wrong = [i for i in imports_of(module) if _is_edge(i.imported)]
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("module", _in(DOMAIN, admin=False))
def test_a_domain_app_imports_no_service_but_from_its_admin(module: str) -> None:
    """Models sit below the services that use them; the admin, an edge, may call them."""
    wrong = [i for i in imports_of(module) if within(i.imported, SERVICES)]
    assert not wrong, "\n".join(map(str, wrong))


@pytest.mark.parametrize("module", _in((CODEC,)))
def test_the_fhir_codec_imports_no_django_and_no_service(module: str) -> None:
    """The codec maps FHIR to the core's values and back: of venowatch it may use only the
    core and itself (so no Django through a model or a service either)."""
    wrong = [
        i
        for i in imports_of(module)
        if within(i.imported, "django")
        or within(i.imported, "ninja")
        or (
            within(i.imported, "venowatch")
            and not within(i.imported, CODEC)
            and not within(i.imported, CORE)
        )
    ]
    assert not wrong, "\n".join(map(str, wrong))


def test_no_module_imports_itself_however_far_round() -> None:
    found = cycles(graph())
    assert not found, "modules in an import cycle:\n" + "\n".join(", ".join(c) for c in found)


def test_a_cycle_is_found_where_there_is_one() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["d"]]


def test_no_test_module_imports_another() -> None:
    """Helpers shared by tests live in fixture modules (tests/*_fixtures.py, conftest), so a
    test module can be read, moved or deleted alone."""
    here = Path(__file__).parent
    offenders = []
    for path in sorted(here.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any(n.split(".")[-1].startswith("test_") for n in names if "tests" in n):
                offenders.append(f"{path.relative_to(here)}:{node.lineno}")
    assert offenders == []


def test_one_clock() -> None:
    """Services take the instant as an argument; the edges read it from one clock,
    services.clock.utc_now, so a test or a replay can set time in one place."""
    src = Path(__file__).parents[1] / "src" / "venowatch"
    clock = src / "services" / "clock.py"
    offenders = []
    for path in sorted(src.rglob("*.py")):
        if path == clock:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"now", "utcnow", "today"}
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"timezone", "datetime", "date"}
            ):
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
    assert offenders == []
