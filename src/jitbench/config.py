"""Load and validate ``jitbench.toml`` into typed objects.

Every error names the file, the key and the problem, in one line (``ConfigError``). Paths are
relative to the config file. The keys are documented in docs/config.md.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import benchmarks as bundled_benchmarks
from . import inputfile
from .errors import ConfigError, JitbenchError
from .model import LOCAL, Benchmark, BuildSpec, Host, Runtime, Variant
from .runtimes import KINDS
from .suites import pyperformance as suite

RUNTIME_KINDS = tuple(KINDS)
BENCHMARK_KINDS = ("auto", "plain", "pyperf")

_TOP_KEYS = {"runtimes", "benchmarks", "variants", "experiment", "hosts", "results"}
_RUNTIME_KEYS = {
    "command",
    "kind",
    "host",
    "repo",
    "base",
    "build",
    "test",
    "install",
    "description",
}
_BENCHMARK_KEYS = {"path", "function", "kind", "name", "files", "description"}
_VARIANT_KEYS = {
    "runtime",
    "env",
    "args",
    "pre_import",
    "mode",
    "jit_options",
    "rev",
    "hosts",
    "against",
    "description",
}
_HOST_KEYS = {"ssh", "workdir", "ssh_config", "ssh_options", "load_threshold", "description"}
# Host names end up in variant names (``cx@arm``) and messages: keep them plain.
_HOST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# A config is a few KB; one this big is the wrong file, and reading it would only be slow.
CONFIG_MAX_BYTES = 16 * 1024 * 1024
_EXPERIMENT_KEYS = {
    "processes",
    "values",
    "warmups",
    "timeout",
    "seed",
    "min_time",
    "loops",
    "margin",
    "min_effect",
    "baseline",
    "measures",
    "counter",
}


@dataclass
class Config:
    """A validated configuration: named runtimes, benchmarks and variants, plus experiment defaults."""

    path: Path | None
    hosts: dict[str, Host] = field(default_factory=dict)
    runtimes: dict[str, Runtime] = field(default_factory=dict)
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    variants: dict[str, Variant] = field(default_factory=dict)
    experiment: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    def benchmark(self, name: str) -> Benchmark:
        """A benchmark by name: the config's own first, then the bundled suite."""
        if name in self.benchmarks:
            return self.benchmarks[name]
        if suite.is_suite_name(name):
            found_in_suite = suite.expand(name)
            if len(found_in_suite) != 1:
                raise ConfigError(
                    f"{name!r} is a group of {len(found_in_suite)} benchmarks; "
                    "name one benchmark here"
                )
            return found_in_suite[0]
        found = bundled_benchmarks.bundled(name)
        if found is not None:
            return Benchmark(
                name=name,
                path=found.path,
                kind="plain",
                function=found.function,
                description=found.description,
            )
        known = sorted(set(self.benchmarks) | set(bundled_benchmarks.bundled_names()))
        raise ConfigError(
            f"unknown benchmark {name!r}{_did_you_mean(name, known)}; known: {', '.join(known)}"
        )

    def expand(self, name: str) -> list[Benchmark]:
        """The benchmarks ``name`` stands for: one, or a pyperformance group's (``pyperformance:``)."""
        if suite.is_suite_name(name) and name not in self.benchmarks:
            return suite.expand(name)
        return [self.benchmark(name)]

    def variant(self, name: str) -> Variant:
        """A variant by name, or a one-line error listing the known ones."""
        if name in self.variants:
            return self.variants[name]
        where = self.path.name if self.path else "the default configuration"
        spread = self.select(name) if self.group_names().get(name) else []
        if spread:
            raise ConfigError(
                f"{where}: variant {name!r} runs on several hosts; name one of "
                f"{', '.join(v.name for v in spread)}"
            )
        known = ", ".join(sorted(self.variants)) or "none"
        raise ConfigError(
            f"{where}: unknown variant {name!r}{_did_you_mean(name, self.variants)}; known: {known}"
        )

    def group_names(self) -> dict[str, list[str]]:
        """Variants spread over several hosts (``hosts = [...]``): group name → variant names."""
        out: dict[str, list[str]] = {}
        for v in self.variants.values():
            if v.group is not None:
                out.setdefault(v.group, []).append(v.name)
        return out

    def select(self, name: str) -> list[Variant]:
        """The variants a name on the command line means: one variant, or every host of a group."""
        if name in self.variants:
            return [self.variants[name]]
        group = self.group_names().get(name)
        if group:
            return [self.variants[n] for n in group]
        return [self.variant(name)]

    def host(self, name: str) -> Host | None:
        """A host by name (None for ``local``), or a one-line error listing the known ones."""
        if name == LOCAL:
            return None
        if name in self.hosts:
            return self.hosts[name]
        where = self.path.name if self.path else "the default configuration"
        known = ", ".join([LOCAL, *sorted(self.hosts)])
        raise ConfigError(
            f"{where}: unknown host {name!r}{_did_you_mean(name, self.hosts)}; "
            f'known: {known} (define [hosts.{name}] with ssh = "...")'
        )


def _did_you_mean(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Type checks that name ``file: key.path`` in their errors."""

    def __init__(self, path: Path | None):
        self.where = path.name if path else "config"

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {problem}")

    def table(self, value: Any, key: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_typename(value)}")
        return value

    def keys(self, table: dict, allowed: set[str], key: str) -> None:
        for k in table:
            if k not in allowed:
                hint = _did_you_mean(k, allowed)
                raise self.fail(
                    f"{key}.{k}", f"unknown key{hint}; allowed: {', '.join(sorted(allowed))}"
                )

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"expected a non-empty string, got {_typename(value)}")
        return value

    def str_list(self, value: Any, key: str, *, nonempty: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of strings, got {_typename(value)}")
        if nonempty and not value:
            raise self.fail(key, "must not be empty")
        return tuple(value)

    def str_table(self, value: Any, key: str) -> tuple[tuple[str, str], ...]:
        table = self.table(value, key)
        out = []
        for k, v in table.items():
            if not isinstance(v, str):
                raise self.fail(f"{key}.{k}", f"expected a string (quote it), got {_typename(v)}")
            out.append((k, v))
        return tuple(out)


def _typename(value: Any) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
    }.get(type(value), type(value).__name__)


def load(path: Path) -> Config:
    """Read and validate a config file; ConfigError on any problem."""
    if not path.exists():
        raise ConfigError(
            f"{path}: config file not found; pass --config FILE or create "
            "jitbench.toml (see docs/config.md)"
        )
    try:
        text = inputfile.read_text(path, "config file", limit=CONFIG_MAX_BYTES)
    except JitbenchError as exc:
        raise ConfigError(str(exc)) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    return parse(raw, path)


def digest(path: Path) -> str | None:
    """SHA-256 of a config file's bytes (None when it cannot be read): did it change since?"""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def default_config() -> Config:
    """The configuration used when no jitbench.toml exists: the interpreter running jitbench."""
    return parse({}, None)


def parse(raw: dict[str, Any], path: Path | None) -> Config:
    """Validate a parsed TOML document into a Config."""
    c = _Checker(path)
    base = path.resolve().parent if path else Path.cwd()
    for k in raw:
        if k not in _TOP_KEYS:
            raise c.fail(
                k,
                f"unknown table{_did_you_mean(k, _TOP_KEYS)}; "
                f"allowed: {', '.join(sorted(_TOP_KEYS))}",
            )
    cfg = Config(path=path, raw=raw)
    for name, table in c.table(raw.get("hosts", {}), "hosts").items():
        cfg.hosts[name] = _host(c, name, c.table(table, f"hosts.{name}"), base)
    for name, table in c.table(raw.get("runtimes", {}), "runtimes").items():
        cfg.runtimes[name] = _runtime(c, name, c.table(table, f"runtimes.{name}"), base, cfg.hosts)
    if "host" not in cfg.runtimes and not raw.get("runtimes"):
        cfg.runtimes["host"] = Runtime(name="host", command=(sys.executable,), kind="python")
    for name, table in c.table(raw.get("benchmarks", {}), "benchmarks").items():
        cfg.benchmarks[name] = _benchmark(c, name, c.table(table, f"benchmarks.{name}"), base)
    for name, table in c.table(raw.get("variants", {}), "variants").items():
        table = c.table(table, f"variants.{name}")
        variant = _variant(c, name, table, cfg.runtimes)
        if "hosts" not in table:
            cfg.variants[name] = variant
            continue
        for spread in _spread(c, variant, table["hosts"], cfg.hosts):
            if spread.name in cfg.variants or spread.name in raw.get("variants", {}):
                raise c.fail(
                    f"variants.{name}.hosts",
                    f"variant {spread.name!r} is defined twice; rename one",
                )
            cfg.variants[spread.name] = spread
    _resolve_against(c, cfg)
    if not cfg.variants and not raw.get("variants"):
        # With no variants configured, each runtime is usable as a variant of its own name.
        for rt in cfg.runtimes.values():
            cfg.variants[rt.name] = Variant(
                name=rt.name, runtime=rt, rev="HEAD" if rt.build else None
            )
    exp = c.table(raw.get("experiment", {}), "experiment")
    c.keys(exp, _EXPERIMENT_KEYS, "experiment")
    cfg.experiment = _experiment(c, exp)
    if "results" in raw:
        from .db.url import validate_results_table

        validate_results_table(raw["results"], path)
    return cfg


def _build_spec(c: _Checker, name: str, t: dict, base: Path) -> BuildSpec:
    key = f"runtimes.{name}"
    repo = (base / c.string(t["repo"], f"{key}.repo")).resolve()
    if not repo.is_dir():
        raise c.fail(f"{key}.repo", f"folder not found: {repo}")
    if "base" not in t:
        raise c.fail(
            f"{key}.base",
            'missing; set the interpreter the environment is made from, e.g. base = ["python3.14"]',
        )
    opt = {
        k: c.string(t[k], f"{key}.{k}") if k in t else None for k in ("build", "test", "install")
    }
    if opt["build"] is None and opt["install"] is None:
        raise c.fail(
            f"{key}.build",
            "missing; set the build command, e.g. "
            'build = "python -m pip wheel --no-deps . -w {out}"',
        )
    return BuildSpec(
        runtime=name,
        repo=repo,
        base=c.str_list(t["base"], f"{key}.base", nonempty=True),
        build=opt["build"],
        test=opt["test"],
        install=opt["install"],
    )


def _host(c: _Checker, name: str, t: dict, base: Path) -> Host:
    key = f"hosts.{name}"
    c.keys(t, _HOST_KEYS, key)
    if name == LOCAL:
        raise c.fail(
            key,
            f"{LOCAL!r} is this machine (runtimes without host run here); "
            "give the SSH host another name",
        )
    if not _HOST_NAME.fullmatch(name):
        raise c.fail(key, "a host name may hold letters, digits, '.', '_' and '-' only")
    if "ssh" not in t:
        raise c.fail(
            f"{key}.ssh",
            'missing; set what `ssh` connects to, e.g. ssh = "bench-arm" '
            '(an alias of ~/.ssh/config) or "user@host"',
        )
    dest = c.string(t["ssh"], f"{key}.ssh")
    # A destination starting with '-' would be read by ssh as an option.
    if dest.startswith("-") or any(ch.isspace() or not ch.isprintable() for ch in dest):
        raise c.fail(
            f"{key}.ssh",
            f"{dest!r} is not an ssh destination; write user@host or an "
            "alias of your ssh config (no spaces, not starting with '-')",
        )
    workdir = c.string(t.get("workdir", Host.workdir), f"{key}.workdir")
    if not workdir.startswith("/"):
        raise c.fail(
            f"{key}.workdir",
            f"expected an absolute path on that host, got {workdir!r}, "
            'e.g. workdir = "/var/tmp/jitbench"',
        )
    ssh_config = None
    if "ssh_config" in t:
        ssh_config = (base / c.string(t["ssh_config"], f"{key}.ssh_config")).resolve()
        if not ssh_config.is_file():
            raise c.fail(f"{key}.ssh_config", f"file not found: {ssh_config}")
    threshold = t.get("load_threshold")
    if threshold is not None and (
        not isinstance(threshold, int | float) or isinstance(threshold, bool) or threshold < 0
    ):
        raise c.fail(
            f"{key}.load_threshold", f"expected a non-negative number of cores, got {threshold!r}"
        )
    return Host(
        name=name,
        ssh=dest,
        workdir=workdir.rstrip("/") or "/",
        ssh_config=ssh_config,
        ssh_options=c.str_list(t.get("ssh_options", []), f"{key}.ssh_options"),
        load_threshold=None if threshold is None else float(threshold),
    )


def _host_ref(c: _Checker, value: object, key: str, hosts: dict[str, Host]) -> Host | None:
    """A host named in a runtime or variant: None for ``local``, else a defined [hosts.NAME]."""
    name = c.string(value, key)
    if name == LOCAL:
        return None
    if name not in hosts:
        raise c.fail(
            key,
            f"unknown host {name!r}{_did_you_mean(name, hosts)}; "
            f"defined: {', '.join([LOCAL, *hosts])} (add [hosts.{name}] with "
            'ssh = "...")',
        )
    return hosts[name]


def _runtime(c: _Checker, name: str, t: dict, base: Path, hosts: dict[str, Host]) -> Runtime:
    key = f"runtimes.{name}"
    c.keys(t, _RUNTIME_KEYS, key)
    kind = t.get("kind", "python")
    if kind not in RUNTIME_KINDS:
        raise c.fail(
            f"{key}.kind",
            f"unknown kind {kind!r}{_did_you_mean(str(kind), RUNTIME_KINDS)}; "
            f"allowed: {', '.join(RUNTIME_KINDS)}",
        )
    host = _host_ref(c, t["host"], f"{key}.host", hosts) if "host" in t else None
    if "repo" in t:
        if "command" in t:
            raise c.fail(
                f"{key}.command",
                "a runtime built from 'repo' gets its command from the "
                "build; remove command or repo",
            )
        spec = replace(_build_spec(c, name, t, base), host=host)
        return Runtime(name=name, command=(), kind=kind, build=spec, host=host)
    if "command" not in t:
        raise c.fail(
            f"{key}.command",
            'missing; set the argv that starts the interpreter, e.g. command = ["python3"]',
        )
    command = c.str_list(t["command"], f"{key}.command", nonempty=True)
    return Runtime(name=name, command=command, kind=kind, host=host)


def on_host(runtime: Runtime, host: Host | None) -> Runtime:
    """The same runtime on another host: named ``NAME@HOST`` so builds and records keep apart."""
    name = f"{runtime.name.split('@')[0]}@{host.name if host else LOCAL}"
    build = replace(runtime.build, runtime=name, host=host) if runtime.build else None
    return replace(runtime, name=name, host=host, build=build)


def _spread(c: _Checker, variant: Variant, value: object, hosts: dict[str, Host]) -> list[Variant]:
    """``hosts = ["x86", "arm"]``: the variant once per host, named ``NAME@HOST``, one group."""
    key = f"variants.{variant.name}.hosts"
    names = c.str_list(value, key, nonempty=True)
    if len(set(names)) != len(names):
        raise c.fail(key, "a host is listed twice")
    out = []
    for host_name in names:
        host = _host_ref(c, host_name, key, hosts)
        out.append(
            replace(
                variant,
                name=f"{variant.name}@{host_name}",
                group=variant.name,
                runtime=on_host(variant.runtime, host),
            )
        )
    return out


def _resolve_against(c: _Checker, cfg: Config) -> None:
    """``against`` names another variant; a variant spread over hosts is compared on its own host."""
    for name, v in list(cfg.variants.items()):
        if v.against is None:
            continue
        key = f"variants.{v.group or name}.against"
        target = v.against
        if v.group is not None and f"{target}@{name.split('@', 1)[1]}" in cfg.variants:
            target = f"{target}@{name.split('@', 1)[1]}"
        if target not in cfg.variants:
            raise c.fail(
                key, f"unknown variant {v.against!r}{_did_you_mean(v.against, cfg.variants)}"
            )
        if target == name:
            raise c.fail(key, "a variant cannot be compared with itself; name another variant")
        cfg.variants[name] = replace(v, against=target)


def _benchmark(c: _Checker, name: str, t: dict, base: Path) -> Benchmark:
    key = f"benchmarks.{name}"
    c.keys(t, _BENCHMARK_KEYS, key)
    if "path" not in t:
        raise c.fail(f"{key}.path", "missing; set the benchmark file, relative to the config file")
    path = (base / c.string(t["path"], f"{key}.path")).resolve()
    if not path.is_file():
        raise c.fail(f"{key}.path", f"file not found: {path}")
    try:
        source = inputfile.read_source(path, "benchmark file")
    except JitbenchError as exc:
        raise c.fail(f"{key}.path", str(exc)) from None
    kind = t.get("kind", "auto")
    if kind not in BENCHMARK_KINDS:
        raise c.fail(f"{key}.kind", f"unknown kind {kind!r}; allowed: {', '.join(BENCHMARK_KINDS)}")
    function = c.string(t["function"], f"{key}.function") if "function" in t else None
    if kind == "auto":
        kind = "plain" if function else ("pyperf" if _looks_like_pyperf(source) else "plain")
    if kind == "plain" and not function:
        raise c.fail(
            f"{key}.function",
            "missing; a plain benchmark file needs the function to time "
            '(e.g. function = "main"), or make it a pyperf script',
        )
    files = tuple((base / f).resolve() for f in c.str_list(t.get("files", []), f"{key}.files"))
    for f in files:
        if not f.exists():
            raise c.fail(f"{key}.files", f"not found: {f}")
        if not f.is_relative_to(path.parent):
            raise c.fail(f"{key}.files", f"{f} must be inside the benchmark's folder {path.parent}")
    bench_name = c.string(t["name"], f"{key}.name") if "name" in t else None
    desc = t.get("description", "")
    return Benchmark(
        name=name,
        path=path,
        kind=kind,
        function=function,
        bench_name=bench_name,
        data_files=files,
        description=str(desc),
    )


_PYPERF_IMPORT = re.compile(r"^\s*(import pyperf\b|from pyperf import )", re.MULTILINE)
_PYPERF_CALL = re.compile(r"\.(bench_\w+|timeit)\(")


def _looks_like_pyperf(text: str) -> bool:
    """A pyperf script: imports pyperf (``import pyperf`` or ``from pyperf import Runner``) and
    registers a benchmark."""
    return bool(_PYPERF_IMPORT.search(text) and _PYPERF_CALL.search(text))


def _variant(c: _Checker, name: str, t: dict, runtimes: dict[str, Runtime]) -> Variant:
    key = f"variants.{name}"
    c.keys(t, _VARIANT_KEYS, key)
    if "runtime" not in t:
        raise c.fail(f"{key}.runtime", f"missing; name one of the runtimes: {', '.join(runtimes)}")
    rt_name = c.string(t["runtime"], f"{key}.runtime")
    if rt_name not in runtimes:
        raise c.fail(
            f"{key}.runtime",
            f"unknown runtime {rt_name!r}"
            f"{_did_you_mean(rt_name, runtimes)}; "
            f"defined: {', '.join(runtimes) or 'none'}",
        )
    mode = c.string(t["mode"], f"{key}.mode") if "mode" in t else None
    runtime = runtimes[rt_name]
    rev = c.string(t["rev"], f"{key}.rev") if "rev" in t else None
    if rev is not None and runtime.build is None:
        raise c.fail(
            f"{key}.rev",
            f"runtime {rt_name!r} is not built from a repository; "
            "give it repo/base/build, or remove rev",
        )
    if runtime.build is not None and rev is None:
        rev = "HEAD"
    jit_options = tuple(c.table(t.get("jit_options", {}), f"{key}.jit_options").items())
    for opt, value in jit_options:
        if not isinstance(value, bool | int | str):
            raise c.fail(
                f"{key}.jit_options.{opt}",
                f"expected a boolean, integer or string, got {_typename(value)}",
            )
    variant = Variant(
        name=name,
        runtime=runtimes[rt_name],
        env=c.str_table(t.get("env", {}), f"{key}.env"),
        args=c.str_list(t.get("args", []), f"{key}.args"),
        pre_import=c.str_list(t.get("pre_import", []), f"{key}.pre_import"),
        mode=mode,
        jit_options=jit_options,
        rev=rev,
        against=c.string(t["against"], f"{key}.against") if "against" in t else None,
    )
    # Modes and JIT options are validated by the runtime kind that owns them.
    from .runtimes import check_variant

    problem = check_variant(variant)
    if problem is not None:
        sub, msg = problem
        raise c.fail(f"{key}.{sub}", msg)
    return variant


def _experiment(c: _Checker, t: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in ("processes", "values", "warmups", "seed", "loops"):
        if k in t:
            v = t[k]
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise c.fail(f"experiment.{k}", f"expected a non-negative integer, got {v!r}")
            out[k] = v
    for k in ("timeout", "min_time", "margin", "min_effect"):
        if k in t:
            v = t[k]
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
                raise c.fail(f"experiment.{k}", f"expected a non-negative number, got {v!r}")
            out[k] = float(v)
    if "baseline" in t:
        out["baseline"] = c.string(t["baseline"], "experiment.baseline")
    if "measures" in t:
        from .measures import MEASURES

        names = c.str_list(t["measures"], "experiment.measures")
        for name in names:
            if name not in MEASURES:
                raise c.fail(
                    "experiment.measures",
                    f"unknown measure {name!r}; choose from {', '.join(MEASURES)}",
                )
        out["measures"] = list(names)
    if "counter" in t:
        out["counter"] = c.string(t["counter"], "experiment.counter")
        if out["counter"] not in ("auto", "perf", "valgrind"):
            raise c.fail(
                "experiment.counter", f"expected auto, perf or valgrind, got {out['counter']!r}"
            )
    return out
