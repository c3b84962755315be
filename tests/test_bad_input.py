"""Every command that reads a file, over a corpus of bad files, through the real CLI.

Undecodable, truncated, empty, huge, deeply nested or wrong-typed input must end in one line that
names the file and the problem, exit 2, and no traceback. The corpus is ``tests/bad_input/``; the
huge files are made here (sparse, so they cost no disk).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jitbench.cli import build_parser

from .conftest import EXAMPLE_CONFIG, WORK_PY, write
from .report import synth

CORPUS = Path(__file__).resolve().parent / "bad_input"
HUGE = 600 * 2**20  # above the 512 MiB a result or pyperf file may have
HUGE_CONFIG = 17 * 2**20  # above the 16 MiB a config may have

# Files no result, pyperf or database reader may accept.
DATA_FILES = [
    "random.bin",
    "empty.json",
    "truncated.json",
    "utf16.json",
    "deep.json",
    "damaged.json.gz",
    "wrong-types.json",
    "pyperf-wrong-types.json",
    "huge.json",
]
# Files no config reader may accept (an empty file is a valid, empty config).
CONFIG_FILES = [
    "random.bin",
    "utf16.json",
    "broken.toml",
    "deep.toml",
    "wrong-types.toml",
    "huge.toml",
]

# Every command reading a result (or pyperf) file; {f} is the bad file.
RESULT_READERS = {
    "validate": ["validate", "{f}"],
    "compare": ["compare", "{f}"],
    "report": ["report", "{f}"],
    "report --html": ["report", "{f}", "--html", "out.html"],
    "jit": ["jit", "{f}"],
    "export --csv": ["export", "{f}", "--csv", "out.csv"],
    "export --pyperf": ["export", "{f}", "--pyperf", "out.json"],
    "import": ["import", "{f}", "--db", "sqlite:///{tmp}/results.db"],
    "run --resume": ["run", "--resume", "{f}"],
    "profile": ["profile", "{f}"],
}
# A file given as the results database.
DATABASE_READERS = {
    "history --db": ["history", "work", "--db", "sqlite:///{f}"],
    "import --db": ["import", "{good}", "--db", "sqlite:///{f}"],
}
# Every command that takes --config, with the arguments it needs to reach the config.
CONFIG_READERS = {
    "run": ["run", "--config", "{f}"],
    "ab": ["ab", "base", "slower", "--config", "{f}"],
    "bisect": [
        "bisect",
        "--runtime",
        "dev",
        "--good",
        "HEAD~1",
        "--bad",
        "HEAD",
        "--config",
        "{f}",
    ],
    "codesize": ["codesize", "base", "--config", "{f}"],
    "sweep": ["sweep", "base", "--mode", "nojit", "--config", "{f}"],
    "history": ["history", "work", "--config", "{f}"],
    "import": ["import", "{good}", "--config", "{f}"],
    "doctor": ["doctor", "--config", "{f}"],
}
# Benchmark files Python itself would refuse to read.
BENCHMARK_FILES = ["random.bin", "latin1-bench.py", "unknown-coding-bench.py"]


def _commands_with_option(option: str) -> set[str]:
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    return {
        name
        for name, p in sub.choices.items()
        if any(option in a.option_strings for a in p._actions)
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the corpus (no reader may touch the committed files) plus the huge files."""
    folder = tmp_path / "bad"
    shutil.copytree(CORPUS, folder)
    for name, size in (("huge.json", HUGE), ("huge.toml", HUGE_CONFIG)):
        with (folder / name).open("wb") as f:
            f.truncate(size)
    return folder


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", JITBENCH_DB="off")
    return subprocess.run(
        [sys.executable, "-m", "jitbench", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _problems(cases: list[tuple[str, str, list[str]]], cwd: Path) -> list[str]:
    """Run every (label, file name, argv) case; describe each that is not one clean line."""

    def check(case: tuple[str, str, list[str]]) -> str | None:
        label, name, argv = case
        proc = _run(argv, cwd)
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        if (
            proc.returncode == 2
            and len(lines) == 1
            and name in lines[0]
            and "Traceback" not in proc.stderr + proc.stdout
        ):
            return None
        return f"{label} {name}: exit {proc.returncode}, stderr {proc.stderr[-600:]!r}"

    # The commands are independent and mostly start-up: run a few at once.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return [p for p in pool.map(check, cases) if p is not None]


def _cases(
    readers: dict[str, list[str]], files: list[str], folder: Path, good: Path, tmp: Path
) -> list[tuple[str, str, list[str]]]:
    return [
        (label, name, [a.format(f=folder / name, good=good, tmp=tmp) for a in argv])
        for label, argv in readers.items()
        for name in files
    ]


@pytest.mark.slow
def test_every_result_and_pyperf_reader_gives_one_line_for_every_bad_file(corpus, tmp_path):
    cases = _cases(RESULT_READERS, DATA_FILES, corpus, corpus / "unused", tmp_path)
    cases += _cases(
        DATABASE_READERS,
        [f for f in DATA_FILES if f != "empty.json"],
        corpus,
        corpus / "array.json",
        tmp_path,
    )
    problems = _problems(cases, tmp_path)
    assert not problems, "\n".join(problems)
    # Negative control: on a valid result the same check flags every reader (they succeed).
    (tmp_path / "good.json").write_text(json.dumps(synth.result()))
    readers = {
        k: RESULT_READERS[k] for k in ("validate", "compare", "report", "jit", "export --csv")
    }
    flagged = _problems(_cases(readers, ["good.json"], tmp_path, tmp_path, tmp_path), tmp_path)
    assert len(flagged) == len(readers), flagged


def _bench_config(tmp_path: Path, name: str, bench: Path) -> str:
    write(
        tmp_path / name, EXAMPLE_CONFIG + f'\n[benchmarks.b]\npath = "{bench}"\nfunction = "main"\n'
    )
    return name


@pytest.mark.slow
def test_every_config_reader_gives_one_line_for_every_bad_config(corpus, tmp_path):
    assert set(CONFIG_READERS) == _commands_with_option("--config"), (
        "a command reads --config: add it to CONFIG_READERS with the arguments it needs"
    )
    cases = _cases(CONFIG_READERS, CONFIG_FILES, corpus, corpus / "array.json", tmp_path)
    write(tmp_path / "bench" / "work.py", WORK_PY)
    # A benchmark file with undecodable bytes (or an unknown coding) is named with its key.
    cases += [
        (
            "run --bench",
            name,
            [
                "run",
                "--config",
                _bench_config(tmp_path, f"c{i}.toml", corpus / name),
                "--bench",
                "b",
                "-p",
                "1",
            ],
        )
        for i, name in enumerate(BENCHMARK_FILES)
    ]
    problems = _problems(cases, tmp_path)
    assert not problems, "\n".join(problems)
    # Negative control: a good config with a good benchmark runs, and the check flags it.
    good = _bench_config(tmp_path, "good.toml", tmp_path / "bench" / "work.py")
    flagged = _problems(
        [
            (
                "run",
                "good.toml",
                [
                    "run",
                    "--config",
                    good,
                    "--bench",
                    "b",
                    "-p",
                    "1",
                    "--values",
                    "1",
                    "--warmups",
                    "0",
                ],
            )
        ],
        tmp_path,
    )
    assert len(flagged) == 1 and "exit 0" in flagged[0], flagged
