"""prepare(): a revision in, a ready environment out — checkout, venv, build, install, gate, cache.

Steps, in order, each logged to the entry's ``build.log``:

1. checkout  ``git worktree add --detach`` (or the WORKTREE copy) into ``<entry>/src``; on an SSH
             host, the revision's files streamed there (``git archive``)
2. venv      ``BASE -m venv <entry>/env``
3. build     the user's ``build`` command, cwd = the checkout
4. install   the user's ``install`` command, or ``python -m pip install --no-deps --no-index OUT/*.whl``

Steps 3, 4 and the gate run with the environment's ``bin`` first on PATH, so ``python`` is the
environment's interpreter. The gate is not cached: it runs again on every ``prepare`` (cheap next
to a build, and a flaky or environment-dependent gate is seen rather than remembered).

The steps run wherever the runtime lives: a ``Site`` (``builds.site``) runs them on this machine
or, for a runtime with ``host``, on that host over SSH, cached under the host's workdir.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from jitbench.builds import cache
from jitbench.builds.git import resolve_commit
from jitbench.builds.model import WORKTREE, BuiltRuntime, short_sha
from jitbench.builds.site import LocalSite, Site
from jitbench.builds.snapshot import snapshot_id
from jitbench.builds.steps import expand, parse_template
from jitbench.errors import JitbenchError
from jitbench.model import BuildSpec


def resolve_rev(spec: BuildSpec, rev: str) -> str:
    """The commit sha ``rev`` names, or ``WORKTREE-<hash>`` for the pseudo-revision WORKTREE."""
    if rev == WORKTREE:
        return snapshot_id(spec)
    return resolve_commit(spec, rev)


def base_version(spec: BuildSpec) -> str:
    """What the base interpreter reports about itself (version, build, machine): part of the cache key."""
    return site_for(spec, None).base_version(spec)


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


def site_for(spec: BuildSpec, cache_dir: Path | None) -> Site:
    """Where ``spec`` builds: its host over SSH, else the local cache folder."""
    if spec.host is not None:
        # Imported here: the SSH side pulls in jitbench.execute, which imports jitbench.model.
        from jitbench.builds.remote import RemoteSite

        return RemoteSite(spec.host)
    return LocalSite(cache_dir if cache_dir is not None else Path.cwd())


def prepare(
    spec: BuildSpec,
    rev: str,
    *,
    cache_dir: Path,
    rebuild: bool = False,
    gate: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> BuiltRuntime:
    """Build ``rev`` of ``spec.repo`` into a cached environment (or reuse it) and run the gate.

    For a runtime with a host, everything but resolving the revision happens on that host, and
    the cache is the host's (``<workdir>/builds``); ``cache_dir`` is then not used.
    """
    templates = {
        key: parse_template(spec.runtime, key, text)
        for key, text in (("build", spec.build), ("install", spec.install), ("test", spec.test))
        if text is not None
    }
    # Created (and the cache tagged) before WORKTREE is hashed, so a cache inside the repository
    # is never part of the hash.
    site = site_for(spec, cache_dir)
    sha = resolve_rev(spec, rev)
    digest = build_hash(spec, site.base_version(spec))
    entry = site.entry(spec.runtime, sha, digest)
    label = f"runtime '{spec.runtime}' at {rev} ({short_sha(sha)}){site.where}"

    def waiting() -> None:
        log(
            f"{label}: waiting for another jitbench process using {site.show(entry.dir)} "
            f"(lock {site.show(entry.lock_path)})"
        )

    with site.locked(entry, waiting):
        cached = not rebuild and site.read_marker(entry) is not None
        if cached:
            log(f"{label}: cached build {site.show(entry.dir)}")
        else:
            _build(site, spec, rev, sha, digest, entry, templates, label, log)
        outcome = _gate(site, spec, rev, sha, entry, templates.get("test"), gate, label, log)
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
        host=spec.host.name if spec.host is not None else None,
    )


def _build(
    site: Site,
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
    site.fresh(entry, spec)
    log(f"{label}: building in {site.show(entry.dir)} (log {site.show(entry.build_log)})")
    site.write_log(
        entry.build_log,
        f"# jitbench build of runtime '{spec.runtime}' at {rev} = {sha}\n# build settings {digest}\n",
    )
    values = _placeholders(entry, sha)

    def check(name: str, status: int) -> None:
        if status != 0:
            raise JitbenchError(
                f"runtime '{spec.runtime}': {name} step for {rev} ({short_sha(sha)}) failed "
                f"with exit status {status}{site.where}; see {site.show(entry.build_log)}"
            )

    def step(name: str, argv: list[str], cwd, env_dir) -> None:
        log(f"{label}: {name}")
        check(name, site.run_step(argv, cwd, entry.build_log, env_dir))

    check("checkout", site.checkout(spec, sha, entry, lambda what: log(f"{label}: {what}")))
    step("venv", [*spec.base, "-m", "venv", str(entry.env)], entry.dir, None)
    if "build" in templates:
        step("build", expand(templates["build"], values), entry.src, entry.env)
    if "install" in templates:
        step("install", expand(templates["install"], values), entry.src, entry.env)
    else:
        step("install", _default_install(site, spec, rev, sha, entry), entry.src, entry.env)
    site.write_marker(
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


def _default_install(
    site: Site, spec: BuildSpec, rev: str, sha: str, entry: cache.Entry
) -> list[str]:
    """``python -m pip install --no-deps --no-index OUT/*.whl``: offline, exactly the built wheels."""
    wheels = site.wheels(entry.out)
    if not wheels:
        site.write_log(entry.build_log, f"\n# no wheel in {entry.out}\n", append=True)
        raise JitbenchError(
            f"runtime '{spec.runtime}': build of {rev} ({short_sha(sha)}) left no wheel in "
            f"{site.show(entry.out)}; make `build` write wheels to {{out}} or set `install`"
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
    site: Site,
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
    site.write_log(
        entry.gate_log, f"# jitbench gate of runtime '{spec.runtime}' at {rev} = {sha}\n"
    )
    status = site.run_step(
        expand(argv, _placeholders(entry, sha)), entry.src, entry.gate_log, entry.env
    )
    if status != 0:
        raise JitbenchError(
            f"runtime '{spec.runtime}': {rev} ({short_sha(sha)}) gate failed with exit status "
            f"{status}{site.where}; see {site.show(entry.gate_log)}"
        )
    log(f"{label}: gate passed")
    return "passed"
