"""Command templates and the steps that run them, each logged with its argv and exit status.

A template is split with ``shlex.split`` once, then each token has its placeholders replaced; no
shell ever sees user text. Only the known placeholders are replaced, so other braces (``-c "{}"``)
pass through untouched.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from jitbench.errors import JitbenchError

PLACEHOLDERS = ("out", "python", "worktree", "env", "sha")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def parse_template(runtime: str, key: str, template: str) -> list[str]:
    """Split a command template into argv tokens; a malformed or empty template is a one-line error."""
    try:
        argv = shlex.split(template)
    except ValueError as error:
        raise JitbenchError(
            f"runtime '{runtime}': `{key}` command {template!r} cannot be split ({error}); "
            "fix its quoting"
        ) from None
    if not argv:
        raise JitbenchError(
            f"runtime '{runtime}': `{key}` command is empty; give a command or drop the key"
        )
    return argv


def expand(argv: list[str], values: Mapping[str, str]) -> list[str]:
    """Replace ``{out}``, ``{python}``, ``{worktree}``, ``{env}`` and ``{sha}`` inside each token."""
    return [_PLACEHOLDER.sub(lambda match: values[match.group(1)], token) for token in argv]


def step_environ(env_dir: Path) -> dict[str, str]:
    """The process environment for build, install and gate: the environment's bin folder first on PATH.

    So ``python`` and ``pip`` in a command mean the built environment's, as in an activated venv.
    """
    environ = dict(os.environ)
    environ["PATH"] = os.pathsep.join([str(env_dir / "bin"), environ.get("PATH", os.defpath)])
    environ["VIRTUAL_ENV"] = str(env_dir)
    # PYTHONHOME would point the environment's interpreter at another installation's stdlib.
    environ.pop("PYTHONHOME", None)
    return environ


def run_step(
    argv: list[str],
    *,
    cwd: Path,
    log_path: Path,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run one step with stdout and stderr appended to ``log_path``; returns the exit status.

    A command that cannot be started is logged and reported as status 127, like a shell would.
    """
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {shlex.join(argv)}\n# cwd: {cwd}\n")
        log.flush()
        started = time.monotonic()
        try:
            status = subprocess.run(
                argv,
                cwd=cwd,
                env=None if environ is None else dict(environ),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            ).returncode
        except OSError as error:
            log.write(f"# cannot start {argv[0]!r}: {error}\n")
            status = 127
        log.write(f"# exit status {status} after {time.monotonic() - started:.1f} s\n")
    return status
