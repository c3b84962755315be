"""The pipeline's folders keep their direction: the model imports nothing heavy, commands never
import the command line, and no module of the package needs another to be imported first."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import jitbench

PACKAGE = Path(jitbench.__file__).resolve().parent


def _loaded_after(statement: str) -> list[str]:
    code = (
        f"{statement}; import sys; "
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('jitbench.'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return proc.stdout.split()


def test_importing_the_model_loads_no_build_execute_or_report_module():
    assert _loaded_after("import jitbench.model") == ["jitbench.model"]


def test_commands_never_import_the_command_line():
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                target = "." * node.level + (node.module or "")
                assert target not in ("..cli", "jitbench.cli"), f"{path.name} imports the CLI"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def _import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports at load time (imports inside functions are lazy)."""
    paths = [p for p in PACKAGE.rglob("*.py") if "runner" not in p.parts]
    names = {_module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        mod = _module_name(path)
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        deps = graph.setdefault(mod, set())
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            if isinstance(node, ast.If):  # TYPE_CHECKING blocks are not run
                continue
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                for a in node.names:
                    full = f"{base}.{a.name}"
                    deps.add(full if full in names else base)
        # Importing a.b.c runs a/__init__ and a/b/__init__ first (the module's own packages aside).
        own = {mod.rsplit(".", i)[0] for i in range(mod.count(".") + 1)}
        for d in list(deps):
            deps.update(d.rsplit(".", i)[0] for i in range(1, d.count(".") + 1))
        deps.difference_update(own)
        deps.intersection_update(names)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            # A package importing its own submodules is how packages export; not a cycle.
            if d.startswith(m + "."):
                continue
            if state.get(d) == 1:
                return stack[stack.index(d) :] + [d]
            if d not in state and (found := visit(d)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycles():
    assert _cycle(_import_graph()) is None
    # Negative control: the detector sees a cycle when there is one.
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
