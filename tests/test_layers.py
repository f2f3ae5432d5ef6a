"""The layers, enforced: the core knows nothing of notebooks, the views nothing of the magic,
and no two modules import each other (counting imports inside functions and for type checking).

    face (nb_jobstatus/__init__, _api, magic, job)  ->  views  ->  core
    sandbox  ->  core
"""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "nb_jobstatus"
NOTEBOOK_SIDE = ("IPython", "ipywidgets", "ipykernel", "traitlets")
FACE = ("nb_jobstatus", "nb_jobstatus._api", "nb_jobstatus.job", "nb_jobstatus.magic")


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        anchor = module.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def imports() -> dict[str, set[str]]:
    """Every module of the package -> every module it imports, wherever the import stands."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.update(resolve(name, node, path.name == "__init__.py"))
        graph[name] = found
    return graph


def internal(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph restricted to the package's own modules (``from . import x`` -> ``pkg.x``)."""
    return {
        module: {target for target in targets if target in graph and target != module}
        for module, targets in graph.items()
    }


def layer(module: str) -> str:
    if module.startswith("nb_jobstatus.core"):
        return "core"
    if module.startswith("nb_jobstatus.views"):
        return "views"
    if module.startswith("nb_jobstatus.sandbox"):
        return "sandbox"
    return "face"


def test_the_core_imports_nothing_of_notebooks_views_magic_or_sandbox() -> None:
    wrong = []
    for module, targets in imports().items():
        if layer(module) != "core":
            continue
        for target in targets:
            outside = target.startswith("nb_jobstatus") and layer(target) != "core"
            if outside or target.split(".")[0] in NOTEBOOK_SIDE:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_views_import_the_core_never_the_face_nor_the_sandbox() -> None:
    wrong = [
        f"{module} -> {target}"
        for module, targets in internal(imports()).items()
        if layer(module) == "views"
        for target in targets
        if layer(target) in ("face", "sandbox")
    ]
    assert not wrong, "\n".join(sorted(wrong))


def test_the_sandbox_imports_only_the_core() -> None:
    wrong = [
        f"{module} -> {target}"
        for module, targets in internal(imports()).items()
        if layer(module) == "sandbox"
        for target in targets
        if layer(target) in ("face", "views")
    ]
    assert not wrong, "\n".join(sorted(wrong))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_counting_lazy_and_type_only_imports() -> None:
    graph = internal(imports())
    # a package's __init__ re-exporting its modules is not a cycle with them
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    assert not cycles(graph), cycles(graph)


def test_the_layer_test_sees_a_wrong_import() -> None:
    """The checks above would notice: a core module importing the views is a wrong direction,
    and two modules importing each other are a cycle."""
    graph = {
        "nb_jobstatus.core.a": {"nb_jobstatus.core.b"},
        "nb_jobstatus.core.b": {"nb_jobstatus.core.a"},
    }
    assert cycles(graph) == [["nb_jobstatus.core.a", "nb_jobstatus.core.b"]]
    assert layer("nb_jobstatus.views.widget") != "core"
