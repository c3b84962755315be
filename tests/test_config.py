"""Config validation: the documented shape loads; every mistake is one line naming file and key."""

from pathlib import Path

import pytest

from jitbench import config
from jitbench.errors import ConfigError

from .conftest import EXAMPLE_CONFIG, WORK_PY, assert_one_line_error, write


def test_documented_example_loads_exactly_as_written(project: Path):
    cfg = config.load(project / "jitbench.toml")
    assert cfg.runtimes["host"].command == ("python3",)
    assert cfg.benchmarks["work"].kind == "plain" and cfg.benchmarks["work"].function == "main"
    assert cfg.variant("base").env_dict == {"WORK": "1.00"}
    assert cfg.variant("slower").env_dict == {"WORK": "1.30"} and cfg.variant("slower").args == ()


def test_bundled_benchmarks_are_usable_from_any_config(project: Path):
    cfg = config.load(project / "jitbench.toml")
    for name in ("richards", "nbody", "deltablue"):
        assert cfg.benchmark(name).path.is_file()


def test_pyperf_scripts_are_detected(tmp_path: Path):
    write(tmp_path / "b.py", "import pyperf\nr = pyperf.Runner()\nr.bench_func('x', len, 'a')\n")
    cfg = config.parse({"benchmarks": {"b": {"path": "b.py"}}}, tmp_path / "jitbench.toml")
    assert cfg.benchmarks["b"].kind == "pyperf"


BAD = [
    ("[variants.base]\nruntime = 'nope'\n", "variants.base.runtime", "unknown runtime 'nope'"),
    (
        "[variants.base]\nruntime = 'host'\nenv = { WORK = 1.0 }\n",
        "variants.base.env.WORK",
        "string",
    ),
    ("[variants.base]\nruntime = 'host'\nargz = []\n", "variants.base.argz", "did you mean 'args'"),
    ("[runtimes.x]\nkind = 'python'\n", "runtimes.x.command", "missing"),
    ("[runtimes.x]\ncommand = 'python3'\n", "runtimes.x.command", "list of strings"),
    ("[runtimes.x]\ncommand = ['python3']\nkind = 'jython'\n", "runtimes.x.kind", "unknown kind"),
    ("[benchmarks.b]\npath = 'missing.py'\nfunction = 'main'\n", "benchmarks.b.path", "not found"),
    ("[benchmarks.b]\npath = 'bench/work.py'\n", "benchmarks.b.function", "missing"),
    ("[experiment]\nprocesses = -1\n", "experiment.processes", "non-negative"),
    ("[variantz.a]\n", "variantz", "did you mean 'variants'"),
    ("[variants.base]\nruntime = 'host'\nmode = 'jit'\n", "variants.base.mode", "no modes"),
    ("this is = not toml [\n", "not valid TOML", ""),
]


@pytest.mark.parametrize(("extra", "key", "problem"), BAD)
def test_invalid_config_names_file_key_and_problem(
    tmp_path: Path, extra: str, key: str, problem: str
):
    text = "[runtimes.host]\ncommand = ['python3']\n" + extra
    write(tmp_path / "bench" / "work.py", WORK_PY)
    path = write(tmp_path / "jitbench.toml", text)
    with pytest.raises(ConfigError) as err:
        config.load(path)
    msg = str(err.value)
    assert msg.startswith("jitbench.toml: ") and "\n" not in msg
    assert key in msg and problem in msg


def test_invalid_config_through_the_cli_is_one_line_and_exit_2(cli, project: Path):
    (project / "jitbench.toml").write_text(EXAMPLE_CONFIG.replace('"1.30"', "1.30"))
    proc = cli("ab", "base", "slower", "--bench", "work")
    assert_one_line_error(proc, "jitbench.toml", "variants.slower.env.WORK")


def test_missing_config_file_is_one_line(cli, project: Path):
    proc = cli("run", "--config", "nope.toml", "--bench", "work")
    assert_one_line_error(proc, "nope.toml", "not found")


def test_unknown_variant_and_benchmark(cli):
    assert_one_line_error(
        cli("ab", "base", "slowr", "--bench", "work"),
        "unknown variant 'slowr'",
        "did you mean 'slower'",
    )
    assert_one_line_error(
        cli("ab", "base", "slower", "--bench", "richard"),
        "unknown benchmark 'richard'",
        "did you mean 'richards'",
    )


def test_bad_command_line_value_is_one_line(cli):
    proc = cli("run", "--processes", "zero", "--bench", "work")
    assert_one_line_error(proc, "--processes", "positive integer")
