"""prepare(): a revision in, a ready environment out — checkout, venv, build, install, gate, cache.

Steps, in order, each logged to the entry's ``build.log``:

1. checkout  ``git worktree add --detach`` (or the WORKTREE copy) into ``<entry>/src``
2. venv      ``BASE -m venv <entry>/env``
3. build     the user's ``build`` command, cwd = the checkout
4. install   the user's ``install`` command, or ``python -m pip install --no-deps --no-index OUT/*.whl``

Steps 3, 4 and the gate run with the environment's ``bin`` first on PATH, so ``python`` is the
environment's interpreter. The gate is not cached: it runs again on every ``prepare`` (cheap next
to a build, and a flaky or environment-dependent gate is seen rather than remembered).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from jitbench.builds import cache
from jitbench.builds.git import add_worktree_argv, remove_worktree, resolve_commit
from jitbench.builds.model import WORKTREE, BuildSpec, BuiltRuntime, short_sha
from jitbench.builds.snapshot import copy_snapshot, snapshot_id
from jitbench.builds.steps import expand, parse_template, run_step, step_environ
from jitbench.errors import JitbenchError

_PROBE = "import platform, sys; print(sys.version); print(platform.machine())"


def resolve_rev(spec: BuildSpec, rev: str) -> str:
    """The commit sha ``rev`` names, or ``WORKTREE-<hash>`` for the pseudo-revision WORKTREE."""
    if rev == WORKTREE:
        return snapshot_id(spec)
    return resolve_commit(spec, rev)


def base_version(spec: BuildSpec) -> str:
    """What the base interpreter reports about itself (version, build, machine): part of the cache key."""
    if not spec.base:
        raise JitbenchError(
            f"runtime '{spec.runtime}': `base` is empty; name the interpreter, e.g. [\"python3.14\"]"
        )
    try:
        result = subprocess.run(
            [*spec.base, "-c", _PROBE], capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
    except OSError:
        raise JitbenchError(
            f"runtime '{spec.runtime}': base interpreter {spec.base[0]!r} not found; "
            "install it or fix `base`"
        ) from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise JitbenchError(
            f"runtime '{spec.runtime}': base interpreter {' '.join(spec.base)!r} failed to start "
            f"({last}); fix `base`"
        )
    return result.stdout.strip()


def build_hash(spec: BuildSpec, version: str) -> str:
    """Hash of everything besides the source that shapes the entry: commands and base interpreter."""
    settings = {
        "format": cache.FORMAT,
        "base": list(spec.base),
        "base_version": version,
        "build": spec.build,
        "install": spec.install,
        "test": spec.test,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def prepare(
    spec: BuildSpec,
    rev: str,
    *,
    cache_dir: Path,
    rebuild: bool = False,
    gate: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> BuiltRuntime:
    """Build ``rev`` of ``spec.repo`` into a cached environment (or reuse it) and run the gate."""
    templates = {
        key: parse_template(spec.runtime, key, text)
        for key, text in (("build", spec.build), ("install", spec.install), ("test", spec.test))
        if text is not None
    }
    # Tagged before WORKTREE is hashed, so a cache inside the repository is never part of the hash.
    cache.mark_cache_dir(cache_dir)
    sha = resolve_rev(spec, rev)
    digest = build_hash(spec, base_version(spec))
    entry = cache.entry_for(cache_dir, spec.runtime, sha, digest)
    label = f"runtime '{spec.runtime}' at {rev} ({short_sha(sha)})"

    def waiting() -> None:
        log(
            f"{label}: waiting for another jitbench process using {entry.dir} (lock {entry.lock_path})"
        )

    with cache.locked(entry, on_wait=waiting):
        cached = not rebuild and cache.read_marker(entry) is not None
        if cached:
            log(f"{label}: cached build {entry.dir}")
        else:
            _build(spec, rev, sha, digest, entry, templates, label, log)
        outcome = _gate(spec, rev, sha, entry, templates.get("test"), gate, label, log)
    return BuiltRuntime(
        runtime=spec.runtime,
        rev=rev,
        sha=sha,
        build_hash=digest,
        command=(str(entry.python),),
        env_dir=entry.env,
        cached=cached,
        gate=outcome,
        build_log=entry.build_log,
        gate_log=entry.gate_log if outcome == "passed" else None,
    )


def _build(
    spec: BuildSpec,
    rev: str,
    sha: str,
    digest: str,
    entry: cache.Entry,
    templates: dict[str, list[str]],
    label: str,
    log: Callable[[str], None],
) -> None:
    """Build the entry in place; ``complete.json`` is written only after every step succeeded."""
    cache.wipe(entry, lambda path: remove_worktree(spec, path))
    entry.out.mkdir(parents=True)
    log(f"{label}: building in {entry.dir} (log {entry.build_log})")
    entry.build_log.write_text(
        f"# jitbench build of runtime '{spec.runtime}' at {rev} = {sha}\n# build settings {digest}\n",
        encoding="utf-8",
    )
    values = _placeholders(entry, sha)

    def step(name: str, argv: list[str], cwd: Path, environ: dict[str, str] | None) -> None:
        log(f"{label}: {name}")
        status = run_step(argv, cwd=cwd, log_path=entry.build_log, environ=environ)
        if status != 0:
            raise JitbenchError(
                f"runtime '{spec.runtime}': {name} step for {rev} ({short_sha(sha)}) failed with "
                f"exit status {status}; see {entry.build_log}"
            )

    if sha.startswith(WORKTREE + "-"):
        log(f"{label}: copying the working tree")
        copy_snapshot(spec, entry.src, sha)
    else:
        step("checkout", add_worktree_argv(spec, entry.src, sha), entry.dir, None)
    step("venv", [*spec.base, "-m", "venv", str(entry.env)], entry.dir, None)
    environ = step_environ(entry.env)
    if "build" in templates:
        step("build", expand(templates["build"], values), entry.src, environ)
    if "install" in templates:
        step("install", expand(templates["install"], values), entry.src, environ)
    else:
        step("install", _default_install(spec, rev, sha, entry), entry.src, environ)
    cache.write_marker(
        entry,
        {
            "runtime": spec.runtime,
            "rev": rev,
            "sha": sha,
            "build_hash": digest,
            "command": [str(entry.python)],
            "settings": {
                "base": list(spec.base),
                "build": spec.build,
                "install": spec.install,
                "test": spec.test,
            },
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def _placeholders(entry: cache.Entry, sha: str) -> dict[str, str]:
    """Values of the command-template placeholders for this entry."""
    return {
        "out": str(entry.out),
        "python": str(entry.python),
        "worktree": str(entry.src),
        "env": str(entry.env),
        "sha": sha,
    }


def _default_install(spec: BuildSpec, rev: str, sha: str, entry: cache.Entry) -> list[str]:
    """``python -m pip install --no-deps --no-index OUT/*.whl``: offline, exactly the built wheels."""
    wheels = sorted(str(path) for path in entry.out.glob("*.whl"))
    if not wheels:
        with entry.build_log.open("a", encoding="utf-8") as handle:
            handle.write(f"\n# no wheel in {entry.out}\n")
        raise JitbenchError(
            f"runtime '{spec.runtime}': build of {rev} ({short_sha(sha)}) left no wheel in "
            f"{entry.out}; make `build` write wheels to {{out}} or set `install`"
        )
    return [
        str(entry.python),
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-index",
        "--disable-pip-version-check",
        *wheels,
    ]


def _gate(
    spec: BuildSpec,
    rev: str,
    sha: str,
    entry: cache.Entry,
    argv: list[str] | None,
    enabled: bool,
    label: str,
    log: Callable[[str], None],
) -> str:
    """Run the gate in the built environment; "none" without a test, "skipped" when disabled."""
    if argv is None:
        return "none"
    if not enabled:
        log(f"{label}: gate skipped")
        return "skipped"
    log(f"{label}: gate")
    entry.gate_log.write_text(
        f"# jitbench gate of runtime '{spec.runtime}' at {rev} = {sha}\n", encoding="utf-8"
    )
    status = run_step(
        expand(argv, _placeholders(entry, sha)),
        cwd=entry.src,
        log_path=entry.gate_log,
        environ=step_environ(entry.env),
    )
    if status != 0:
        raise JitbenchError(
            f"runtime '{spec.runtime}': {rev} ({short_sha(sha)}) gate failed with exit status "
            f"{status}; see {entry.gate_log}"
        )
    log(f"{label}: gate passed")
    return "passed"
