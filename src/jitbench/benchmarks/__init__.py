"""The benchmarks bundled with jitbench, and what the host knows about them.

Each bundled benchmark is one self-contained, standard-library-only module in this folder, shipped
into the target interpreter and run there; it exposes ``run()`` (one checked iteration) and a
``SCALE`` string. The host reads the facts it shows (first docstring line, ``SCALE``) with ``ast``,
so it never executes benchmark code in its own interpreter.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS_DIR = Path(__file__).resolve().parent

# The bundled modules, in the order they are listed to users.
BUNDLED_MODULES = ("richards", "nbody", "deltablue")

# Every bundled module exposes this function: one iteration, self-checked.
RUN_FUNCTION = "run"


@dataclass(frozen=True)
class BundledBenchmark:
    """A benchmark shipped with jitbench: where its file is and what it does."""

    name: str
    path: Path  # the module file, inside this package
    function: str  # called once per iteration in the target interpreter
    description: str  # first line of the module docstring
    scale: str  # the module's SCALE: how much work one call does


def read_facts(path: Path) -> tuple[str, str]:
    """Return (first docstring line, SCALE) of the module at ``path`` without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstring = ast.get_docstring(tree)
    if not docstring:
        raise ValueError(f"{path.name}: bundled benchmark has no module docstring")
    scale = _string_constant(tree, "SCALE")
    if scale is None:
        raise ValueError(f"{path.name}: bundled benchmark has no SCALE = '...' string")
    return docstring.splitlines()[0].strip(), scale


def _string_constant(tree: ast.Module, name: str) -> str | None:
    """The value of a top-level ``name = "literal"`` assignment, or None."""
    for node in tree.body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
            continue
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if name in targets and isinstance(node.value.value, str):
            return node.value.value
    return None


def _load(name: str) -> BundledBenchmark:
    """Describe the bundled module ``name`` from its source."""
    path = BENCHMARKS_DIR / f"{name}.py"
    description, scale = read_facts(path)
    return BundledBenchmark(name, path, RUN_FUNCTION, description, scale)


BUNDLED: dict[str, BundledBenchmark] = {name: _load(name) for name in BUNDLED_MODULES}


def bundled(name: str) -> BundledBenchmark | None:
    """The bundled benchmark called ``name``, or None if there is none."""
    return BUNDLED.get(name)


def bundled_names() -> list[str]:
    """Names of the bundled benchmarks, in listing order."""
    return list(BUNDLED)
