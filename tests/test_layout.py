"""The package layout: stage folders, imports that run one way, modules of a readable size."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mc2cli"

# Lower stages never import higher ones. Stages of one rank do not import each other.
RANKS = {
    "base": 0,        # errors, paths, suggest, the package's __init__
    "inputs": 1,      # files -> validated models
    "assembly": 2,    # models -> one assembled contract
    "output": 3,      # contract -> files
    "pipeline": 4,    # the public core: check, build, lock
    "review": 5,      # comparing and reporting on built contracts
    "authoring": 6,   # helping people write deals and libraries
    "reading": 6,     # reading documents that others wrote
    "cli": 7,         # the command line: the only part that prints
}
TOP_LEVEL = {"__init__", "__main__", "pipeline", "errors", "paths", "suggest"}
MAX_LINES = 450


def stage_of(module: str) -> str:
    """The stage of a dotted module name under mc2cli."""
    parts = module.split(".")
    if parts[0] != "mc2cli":
        raise ValueError(module)
    if len(parts) == 1 or parts[1] in {"errors", "paths", "suggest", "__init__"}:
        return "base"
    if parts[1] == "pipeline":
        return "pipeline"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every mc2cli module that `source` imports, anywhere in the file, with its line."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "mc2cli"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == "mc2cli":
                found.append((node.lineno, target))
    return found


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports in `source` that run from `module`'s stage to a higher or a sibling one."""
    own = stage_of(module)
    out = []
    for line, target in imports_of(source, module, is_package):
        if target == "mc2cli":
            continue  # the package itself: only __version__ and the lazy public surface
        to = stage_of(target)
        if to != own and RANKS[to] >= RANKS[own]:
            out.append(f"{module}:{line} imports {target} ({own} -> {to})")
    return out


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_the_core_modules_sit_at_the_top() -> None:
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == TOP_LEVEL
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name not in {"__pycache__", "data"}}
    assert folders <= set(RANKS), folders - set(RANKS)
    for folder in folders:
        init = PACKAGE / folder / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and "\n" not in doc.strip(), f"{folder}/__init__.py needs a one-line docstring"


def test_imports_run_one_way() -> None:
    problems = []
    for path in all_modules():
        problems += violations(path.read_text(), module_name(path), path.name == "__init__.py")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("module", "source"), [
    ("mc2cli.inputs.values", "from mc2cli.assembly.render import render_text\n"),
    ("mc2cli.output.notes", "def f():\n    from mc2cli.review.report import NO_REASON\n"),
    ("mc2cli.assembly.lint", "from ..cli import console\n"),
    ("mc2cli.pipeline", "import mc2cli.review.diff\n"),
    ("mc2cli.authoring.catalog", "from mc2cli.reading import segment\n"),
])
def test_a_planted_upward_import_is_caught(module: str, source: str) -> None:
    assert violations(source, module)


def test_downward_imports_pass() -> None:
    assert not violations("from mc2cli.inputs.models import Deal\nfrom mc2cli import errors\n",
                          "mc2cli.review.diff")
    assert not violations("from .render import render_text\n", "mc2cli.assembly.lint")


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    names = {module_name(p) for p in all_modules()}
    for path in all_modules():
        mod = module_name(path)
        graph[mod] = set()
        for _, target in imports_of(path.read_text(), mod, path.name == "__init__.py"):
            # `from pkg import name` may name a module or an attribute; keep what is a module
            if target in names and target != mod and target != "mc2cli":
                graph[mod].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_module_is_too_long_to_read() -> None:
    long = {module_name(p): n for p in all_modules()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"
