"""The package's import graph: no circle, and nothing imports from a higher floor (docs/design.md).

Every ``her2cli`` import of every module counts, at module level or inside a function (lazy), or under
``TYPE_CHECKING``: the graph is read from the source with ``ast``, not from what one run happens to
import.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "her2cli"

# Floors, low to high (docs/design.md "Floors"). A module's floor is that of its longest listed prefix.
FLOORS = {
    "her2cli.values": 0, "her2cli.errors": 0, "her2cli.version": 0, "her2cli.resources": 0,
    "her2cli.reference": 1,
    "her2cli.io": 2,
    "her2cli.variants": 3, "her2cli.copynumber": 3, "her2cli.coverage": 3, "her2cli.results": 3,
    "her2cli.interpret": 4,
    "her2cli.report": 5,
    "her2cli.request": 6, "her2cli.pipeline": 6,
    "her2cli.cohort": 7,
    "her2cli.cli": 8, "her2cli.__main__": 8, "her2cli.api": 8, "her2cli": 8,  # the package itself: the library API
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor(module: str) -> int:
    name = module
    while name not in FLOORS:
        assert "." in name, f"{module} has no floor in FLOORS (add it here and to docs/design.md)"
        name = name.rsplit(".", 1)[0]
    return FLOORS[name]


def import_graph() -> dict[str, set[str]]:
    """{module: the her2cli modules it imports}; ``from pkg import name`` counts as importing
    ``pkg.name`` when that is a module, else ``pkg``."""
    files = {module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] == "her2cli")
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != "her2cli":
                    continue
                for alias in node.names:
                    found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in files else target)
        found.discard(name)
        graph[name] = found
    return graph


def test_the_graph_is_read():
    """The reader sees what is there: lazy imports inside functions and relative imports included."""
    graph = import_graph()
    assert "her2cli.variants.annotator" in graph["her2cli.interpret.evidence"]
    assert "her2cli.interpret.oncogenicity" in graph["her2cli.interpret.verdict"]  # `from .oncogenicity import`
    assert "her2cli.pipeline" in graph["her2cli.cli"]  # imported inside a command function
    assert len(graph) > 50


def test_every_module_has_a_floor():
    for module in import_graph():
        floor(module)


def test_nothing_imports_from_a_higher_floor():
    upward = [f"{module} (floor {floor(module)}) imports {target} (floor {floor(target)})"
              for module, targets in import_graph().items() for target in sorted(targets)
              if floor(target) > floor(module)]
    assert upward == []


def test_no_import_circle():
    graph = import_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                circles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_the_floor_table_is_the_documented_one():
    """docs/design.md lists the same floors: rows ``| N | `module`, ... | what |``."""
    import re

    documented = {}
    for line in (SRC.parents[1] / "docs" / "design.md").read_text().splitlines():
        row = re.match(r"\| (\d+) \| ([^|]*) \|", line)
        if row:
            for module in re.findall(r"`([\w.]+)`", row.group(2)):
                documented[module] = int(row.group(1))
    assert documented == FLOORS


def test_io_readers_share_public_names_only():
    """Issue 24: the VCF readers of ``io/`` (``fastscan``, ``tabix``, ``vcf``) share what they need through a
    public module (``io/vcftext.py``, ``io/bgzf.py``, ``io/lines.py``), never by importing another module's
    private (``_``) names."""
    borrowed = []
    for path in (SRC / "io").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("her2cli")):
                borrowed += [f"{path.name}: from {node.module} import {alias.name}" for alias in node.names
                             if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert borrowed == []
