"""agent/ is two rooms under one roof: rules/ decides a handoff, brains/ answers, core.py joins them."""

import ast
from pathlib import Path

import agent

ROOT = Path(agent.__file__).resolve().parent


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The agent.* modules a file imports (``from agent.x import y`` counts as agent.x and agent.x.y)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("agent"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("agent"))
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in ROOT.rglob("*.py")}


def test_the_rules_never_import_a_brain_or_the_turn():
    """Nothing under agent/rules/ imports agent.brains or agent.core, even lazily."""
    for name, path in MODULES.items():
        if name.startswith("agent.rules"):
            bad = {m for m in _imports(path, top_level_only=False) if m.startswith(("agent.brains", "agent.core"))}
            assert not bad, f"{name} imports {sorted(bad)}"


def test_brains_use_only_the_rules_public_names():
    """A brain imports ``agent.rules`` itself, never one of its modules, and never agent.core."""
    for name, path in MODULES.items():
        if name.startswith("agent.brains"):
            imported = _imports(path, top_level_only=False)
            inner = {m for m in imported if m.startswith("agent.rules.") and m.rsplit(".", 1)[0] != "agent.rules"}
            assert not inner, f"{name} reaches into {sorted(inner)}"
            assert not {m for m in imported if m.startswith("agent.core")}, f"{name} imports agent.core"


def test_no_import_circle_inside_agent():
    """The module-level imports between agent's modules form no cycle (a package's __init__ re-exporting its modules is not one)."""
    graph = {name: {m for m in _imports(path, top_level_only=True) if m in MODULES and m != name} for name, path in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            assert state.get(nxt) != 1, "import circle: " + " → ".join([*trail, node, nxt])
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [])
