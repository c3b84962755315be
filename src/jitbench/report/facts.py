"""The environment of an experiment as rows of text: host facts and each variant's interpreter."""

from __future__ import annotations

from ..results.model import Result, VariantRecord

HOST_KEYS = (
    "hostname",
    "machine",
    "cpu_model",
    "cpu_count",
    "system",
    "kernel",
    "os",
    "loadavg",
    "jitbench_python",
)


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def host_rows(result: Result) -> list[tuple[str, str]]:
    """(fact, value) for the host, known keys first, then whatever else the artifact recorded."""
    return fact_rows(result.host)


def fact_rows(host: dict) -> list[tuple[str, str]]:
    """(fact, value) for one machine's facts, known keys first, then the others."""
    keys = [k for k in HOST_KEYS if k in host] + [k for k in host if k not in HOST_KEYS]
    return [(k, _text(host[k])) for k in keys]


def interpreter(facts: dict | None) -> str:
    """'cpython 3.14.0' / 'pypy 7.3.17 (python 3.10.14)' from a variant's facts, or '—'."""
    facts = facts or {}
    impl, version = facts.get("implementation"), facts.get("version")
    if not impl and not version:
        return "—"
    # An emulated interpreter's code is of another architecture than its host: say so.
    emulated = facts.get("emulation")
    where = f" [{emulated['code']}, emulated on {emulated['machine']}]" if emulated else ""
    if facts.get("pypy_version"):
        return f"{impl} {facts['pypy_version']} (python {version}){where}"
    return f"{impl or 'python'} {version or ''}".strip() + where


def revision(spec: VariantRecord) -> str:
    """The source revision a variant was built from ('rev @ sha'), or '—'."""
    rev, sha = spec.rev, spec.sha
    if rev and sha:
        return f"{rev} @ {str(sha)[:12]}"
    return str(rev or (str(sha)[:12] if sha else "—"))


VARIANT_COLUMNS = ("variant", "interpreter", "kind", "mode", "revision", "env", "args", "command")


def variant_rows(result: Result) -> list[tuple[str, ...]]:
    """One row per variant, in :data:`VARIANT_COLUMNS` order."""
    rows: list[tuple[str, ...]] = []
    for name, spec in result.variants.items():
        rows.append(
            (
                name,
                interpreter(spec.facts),
                _text(spec.kind),
                _text(spec.mode),
                revision(spec),
                _text(spec.env),
                " ".join(spec.args) or "—",
                " ".join(spec.command),
            )
        )
    return rows
