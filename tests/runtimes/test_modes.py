"""Modes and JIT options → what a process starts with; bad names are one-line config errors.

No interpreter is started here: these are the pure mappings each runtime kind owns.
"""

from __future__ import annotations

import pytest

from jitbench.errors import ConfigError
from jitbench.model import Runtime, Variant
from jitbench.plan import sweep
from jitbench.runtimes import check_variant, launch_for

from ..conftest import Cli, assert_one_line_error
from .conftest import project

CX = Runtime("cx", ("python3",), "cinderx")
PYPY = Runtime("pp", ("pypy3",), "pypy")
CPY = Runtime("cp", ("python3",), "cpython")


def v(runtime: Runtime, mode: str | None = None, **options: object) -> Variant:
    return Variant(name="v", runtime=runtime, mode=mode, jit_options=tuple(options.items()))


@pytest.mark.parametrize(
    ("mode", "current", "legacy", "value"),
    [
        ("autojit=50", "CINDERX_JIT_COMPILE_N_CALLS", "PYTHONJITCOMPILENCALLS", "50"),
        ("autojit", "CINDERX_JIT_AUTO", "PYTHONJITAUTO", "1"),
        ("jit-all", "CINDERX_JIT_ALL", "PYTHONJITALL", "1"),
        ("nojit-loaded", "CINDERX_JIT_DISABLE", "PYTHONJITDISABLE", "1"),
    ],
)
def test_cinderx_modes_set_current_and_legacy_names_and_import_cinderx(
    mode, current, legacy, value
):
    launch = launch_for(v(CX, mode))
    assert launch.env[current] == launch.env[legacy] == value
    assert launch.pre_import == ("cinderx",)


def test_cinderx_nojit_is_the_stub_package_without_import():
    launch = launch_for(v(CX, "nojit"))
    assert launch.env == {"CINDERX_DISABLE": "1"}
    assert launch.pre_import == ()


def test_cinderx_jit_options_are_written_as_0_or_1_under_both_names():
    env = launch_for(
        v(
            CX,
            "autojit=50",
            hir_inliner=False,
            specialized_opcodes=True,
            type_annotation_guards=True,
            multiple_code_sections=False,
        )
    ).env
    assert env["CINDERX_JIT_ENABLE_HIR_INLINER"] == env["PYTHONJITENABLEHIRINLINER"] == "0"
    assert env["CINDERX_JIT_SPECIALIZED_OPCODES"] == env["PYTHONJITSPECIALIZEDOPCODES"] == "1"
    assert env["CINDERX_JIT_EMIT_TYPE_ANNOTATION_GUARDS"] == "1"
    assert env["PYTHONJITMULTIPLECODESECTIONS"] == "0"


def test_cinderx_jit_list_file_travels_as_content(tmp_path, monkeypatch):
    (tmp_path / "hot.txt").write_text("richards:Task.fn\n")
    monkeypatch.chdir(tmp_path)
    env = launch_for(v(CX, "jitlist=hot.txt")).env
    # The list reaches a chroot or remote target inside the env, not as a host path.
    assert env["JITBENCH_FILE_JIT_LIST"] == "richards:Task.fn\n"
    assert env["CINDERX_JIT_LIST_FILE"] == env["PYTHONJITLISTFILE"] == "{jitbench_tmp}/jit_list"


def test_variant_env_wins_over_the_mode():
    variant = Variant(
        name="v", runtime=CX, mode="autojit=50", env=(("CINDERX_JIT_COMPILE_N_CALLS", "7"),)
    )
    assert launch_for(variant).env["CINDERX_JIT_COMPILE_N_CALLS"] == "7"


def test_pypy_modes_become_arguments_before_dash_c():
    assert launch_for(v(PYPY, "nojit")).args == ("--jit", "off")
    assert launch_for(v(PYPY, "jit")).args == ()
    assert launch_for(
        v(PYPY, "jit:threshold=200,function_threshold=300", trace_limit=9000)
    ).args == ("--jit", "threshold=200,function_threshold=300,trace_limit=9000")


def test_cpython_modes_set_python_jit():
    assert launch_for(v(CPY, "jit")).env == {"PYTHON_JIT": "1"}
    assert launch_for(v(CPY, "nojit")).env == {"PYTHON_JIT": "0"}


@pytest.mark.parametrize(
    ("variant", "key", "needle"),
    [
        (v(CX, "autojit=fast"), "mode", "call count"),
        (v(CX, "turbo"), "mode", "unknown mode 'turbo'"),
        (v(CX, "jitlist=/no/such/list"), "mode", "not found"),
        (
            v(CX, "autojit=5", hir_inline=False),
            "jit_options.hir_inline",
            "unknown CinderX JIT option",
        ),
        (v(CX, "autojit=5", hir_inliner="no"), "jit_options.hir_inliner", "true or false"),
        (v(PYPY, "fast"), "mode", "unknown mode"),
        (v(PYPY, "jit:treshold=5"), "mode", "unknown PyPy JIT parameter 'treshold'"),
        (v(PYPY, "jit", threshold="high"), "jit_options.threshold", "integer"),
        (v(CPY, "jit", hir_inliner=False), "jit_options", "no jit_options"),
    ],
)
def test_bad_modes_and_options_are_named(variant, key, needle):
    problem = check_variant(variant)
    assert problem is not None and problem[0] == key and needle in problem[1], problem


def test_config_with_a_wrong_mode_is_a_one_line_error(tmp_path):
    cli = project(
        tmp_path,
        '[runtimes.cx]\ncommand = ["python3"]\nkind = "cinderx"\n'
        '[variants.a]\nruntime = "cx"\nmode = "autojit50"\n',
    )
    assert_one_line_error(
        cli("run", "--bench", "richards"),
        "jitbench.toml",
        "variants.a.mode",
        "unknown mode 'autojit50'",
        "autojit=N",
    )


def test_config_with_an_unknown_jit_option_is_a_one_line_error(tmp_path):
    cli = project(
        tmp_path,
        '[runtimes.cx]\ncommand = ["python3"]\nkind = "cinderx"\n'
        '[variants.a]\nruntime = "cx"\nmode = "autojit=50"\n'
        "jit_options = { hir_inliner = false, inliner_depth = 3 }\n",
    )
    assert_one_line_error(
        cli("run", "--bench", "richards"),
        "variants.a.jit_options.inliner_depth",
        "allowed: hir_inliner",
    )


def test_the_issue_config_parses_as_written(tmp_path):
    cli: Cli = project(
        tmp_path,
        """\
        [runtimes.cx]
        command = ["chroot", "/srv/py314", "/opt/cx/bin/python"]
        kind = "cinderx"

        [variants.nojit]
        runtime = "cx"
        mode = "nojit"

        [variants.auto50]
        runtime = "cx"
        mode = "autojit=50"
        jit_options = { hir_inliner = false }
        """,
    )
    from jitbench.config import load

    cfg = load(cli.cwd / "jitbench.toml")
    env = launch_for(cfg.variant("auto50")).env
    assert env["CINDERX_JIT_COMPILE_N_CALLS"] == "50"
    assert env["CINDERX_JIT_ENABLE_HIR_INLINER"] == "0"


def test_sweep_modes_expand_a_bare_number_with_the_previous_prefix():
    assert sweep.mode_values("autojit=10,25,50") == ["autojit=10", "autojit=25", "autojit=50"]
    assert sweep.mode_values("nojit,autojit=10,100,jit-all") == [
        "nojit",
        "autojit=10",
        "autojit=100",
        "jit-all",
    ]
    assert sweep.mode_values("jit:threshold=100,1000") == [
        "jit:threshold=100",
        "jit:threshold=1000",
    ]
    assert sweep.option_values("hir_inliner=true,false") == ("hir_inliner", [True, False])
    assert sweep.option_values("threshold=100,1000") == ("threshold", [100, 1000])


def test_sweep_grid_leaves_out_the_default_and_records_every_point():
    base = Variant(
        name="auto50", runtime=CX, mode="autojit=50", jit_options=(("hir_inliner", True),)
    )
    pts = sweep.points(base, ["autojit=10", "autojit=50"], [("hir_inliner", [True, False])])
    # 2 × 2 combinations, minus autojit=50 with the inliner on: that is the base itself.
    assert [p.variant.name for p in pts] == [
        "auto50@autojit=10,hir_inliner=true",
        "auto50@autojit=10,hir_inliner=false",
        "auto50@autojit=50,hir_inliner=false",
    ]
    rec = sweep.record(base, pts)
    assert rec["default"] == "auto50" and rec["parameters"] == ["mode", "hir_inliner"]
    assert rec["points"]["auto50"] == {"mode": "autojit=50", "hir_inliner": True}
    assert rec["points"]["auto50@autojit=10,hir_inliner=false"] == {
        "mode": "autojit=10",
        "hir_inliner": False,
    }


def test_sweep_rejects_a_point_its_runtime_cannot_run():
    base = Variant(name="auto50", runtime=CX, mode="autojit=50")
    with pytest.raises(ConfigError, match="unknown CinderX JIT option"):
        sweep.points(base, [], [("inliner", [True, False])])
