"""The git plumbing builds need: resolve revisions, walk first-parent history, add/remove worktrees.

Every call is an argv list with ``git -C <repo>``; revisions the user typed are checked before they
reach git so that none can be read as an option.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from jitbench.builds.model import WORKTREE
from jitbench.errors import JitbenchError
from jitbench.model import BuildSpec


def run_git(spec: BuildSpec, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``git -C repo ARGS`` and capture its output; a missing git is a user-facing error."""
    try:
        return subprocess.run(
            ["git", "-C", str(spec.repo), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise JitbenchError(
            f"runtime '{spec.runtime}': git not found on PATH; install git to build from {spec.repo}"
        ) from None


def check_repository(spec: BuildSpec) -> None:
    """Fail with one line unless ``spec.repo`` is the top folder of a git work tree."""
    result = run_git(spec, "rev-parse", "--show-toplevel")
    if result.returncode != 0 or not result.stdout.strip():
        raise JitbenchError(
            f"runtime '{spec.runtime}': {spec.repo} is not a git repository (git rev-parse); "
            "check `repo` in the config"
        )
    # Worktrees and WORKTREE copies hold the whole repository, so the build must start at its top.
    top = Path(result.stdout.strip())
    if top.resolve() != spec.repo.resolve():
        raise JitbenchError(
            f"runtime '{spec.runtime}': {spec.repo} is inside the git repository {top}; "
            f"set `repo` to {top}"
        )


def resolve_commit(spec: BuildSpec, rev: str) -> str:
    """The full sha of the commit ``rev`` names; one-line error when there is none."""
    check_repository(spec)
    # A leading '-' would be parsed as an option by rev-parse; no real revision starts with one.
    if not rev or rev.startswith("-") or rev == WORKTREE:
        raise _not_found(spec, rev)
    result = run_git(spec, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    sha = result.stdout.strip()
    if result.returncode != 0 or not sha:
        raise _not_found(spec, rev)
    return sha


def _not_found(spec: BuildSpec, rev: str) -> JitbenchError:
    return JitbenchError(
        f"runtime '{spec.runtime}': revision '{rev}' not found in {spec.repo} (git rev-parse); "
        "check the name or fetch it"
    )


def first_parent_range(spec: BuildSpec, good: str, bad: str) -> list[str]:
    """Shas after ``good`` up to and including ``bad`` on bad's first-parent line, oldest first."""
    if WORKTREE in (good, bad):
        raise JitbenchError(
            f"runtime '{spec.runtime}': {WORKTREE} has no history to bisect; "
            "commit the change and name the commit"
        )
    good_sha = resolve_commit(spec, good)
    bad_sha = resolve_commit(spec, bad)
    ancestor = run_git(spec, "merge-base", "--is-ancestor", good_sha, bad_sha)
    if ancestor.returncode != 0:
        raise JitbenchError(
            f"runtime '{spec.runtime}': '{good}' is not an ancestor of '{bad}' in {spec.repo}; "
            "name a good revision older than the bad one"
        )
    result = run_git(spec, "rev-list", "--first-parent", "--reverse", f"{good_sha}..{bad_sha}")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise JitbenchError(
            f"runtime '{spec.runtime}': git rev-list {good}..{bad} failed in {spec.repo} ({last}); "
            "check the repository"
        )
    return result.stdout.split()


def add_worktree_argv(spec: BuildSpec, path: Path, sha: str) -> list[str]:
    """Argv that checks ``sha`` out, detached, at ``path`` without touching the user's checkout.

    ``--force`` lets a path whose earlier worktree was deleted by hand be registered again.
    """
    return ["git", "-C", str(spec.repo), "worktree", "add", "--force", "--detach", str(path), sha]


def remove_worktree(spec: BuildSpec, path: Path) -> None:
    """Unregister the worktree at ``path`` from the user's repository and delete it (best effort)."""
    if (path / ".git").is_file():
        run_git(spec, "worktree", "remove", "--force", "--force", str(path))


def working_tree_files(spec: BuildSpec) -> list[str]:
    """Tracked and untracked-but-not-ignored paths of the working tree, relative, sorted, unique."""
    check_repository(spec)
    result = run_git(spec, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if result.returncode != 0:
        raise JitbenchError(
            f"runtime '{spec.runtime}': git ls-files failed in {spec.repo}; check the repository"
        )
    # During a merge conflict a path is listed once per stage; the set folds them.
    return sorted({name for name in result.stdout.split("\0") if name})
