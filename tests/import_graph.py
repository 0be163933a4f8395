"""Who imports whom in venowatch, read from the source (no module is imported to find out).

Every import statement counts, wherever it stands: at module level, inside a function, or under
`if TYPE_CHECKING:`. A function-level import is still a dependency the moment the function
runs, and one under TYPE_CHECKING still ties the two modules' designs together; hiding an
arrow that runs the wrong way inside a function must not make it legal.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import venowatch

PACKAGE = Path(venowatch.__file__).parent


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    """The module the statement loads: for `from a.b import c`, `a.b.c` when that is a
    module of venowatch, else `a.b`; outside venowatch, the name as written."""
    line: int

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> Mapping[str, Path]:
    """Every module of venowatch, migrations included, by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def within(name: str, package: str) -> bool:
    """Whether `name` is `package` or one of its submodules."""
    return name == package or name.startswith(package + ".")


def _base(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module a `from ... import` statement names."""
    if not node.level:
        return node.module or ""
    is_package = modules()[importer].name == "__init__.py"
    parts = importer.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = ".".join(parts[:keep])
    return f"{base}.{node.module}" if node.module else base


def _targets(importer: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    else:
        base = _base(importer, node)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            yield submodule if submodule in modules() else base


@cache
def imports_of(importer: str) -> tuple[Import, ...]:
    tree = ast.parse(modules()[importer].read_text(encoding="utf-8"))
    found = {
        Import(importer, target, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for target in _targets(importer, node)
    }
    return tuple(sorted(found, key=lambda i: (i.line, i.imported)))


def graph() -> dict[str, set[str]]:
    """Each module of venowatch and the modules of venowatch it imports."""
    return {
        name: {i.imported for i in imports_of(name) if i.imported in modules()}
        for name in modules()
    }


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, and modules that import
    themselves (Tarjan's algorithm, iterative so that depth is no limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = [stack.pop()]
                    while component[-1] != node:
                        component.append(stack.pop())
                    on_stack.difference_update(component)
                    if len(component) > 1 or node in edges[node]:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found
