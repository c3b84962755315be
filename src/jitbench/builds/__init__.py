"""Commit-vs-commit builds: a runtime built from a revision of a git repository, cached and gated.

The CLI calls ``prepare`` once per (runtime, revision) and runs benchmarks with the returned
``BuiltRuntime.command``; ``first_parent_range`` lists the commits a bisection walks.
"""

from jitbench.builds.build import build_hash, prepare, resolve_rev
from jitbench.builds.git import first_parent_range
from jitbench.builds.model import WORKTREE, BuiltRuntime
from jitbench.builds.steps import PLACEHOLDERS
from jitbench.model import BuildSpec

__all__ = [
    "PLACEHOLDERS",
    "WORKTREE",
    "BuildSpec",
    "BuiltRuntime",
    "build_hash",
    "first_parent_range",
    "prepare",
    "resolve_rev",
]
