"""The code's shape (issue 24, part 7): no import circles between the project's modules, counting the imports
made inside functions too (a lazy import hides a circle from Python, not from a reader), and `lenet` never
imports `dashboard`."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for package in ("lenet", "dashboard") for p in (ROOT / package).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}  # from package import module
        package = name.rsplit(".", 1)[0]
        graph[name] = {m for m in found if m in files and m != name and m != package}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_no_module_imports_itself_round_a_circle():
    graph = _graph()
    assert len(graph) > 40, "the modules were found"
    cycle = _cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def test_the_computation_never_imports_the_dashboard():
    for name, imports in _graph().items():
        if name.startswith("lenet"):
            assert not [m for m in imports if m.startswith("dashboard")], name
