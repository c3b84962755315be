"""CPython's own JIT for real (the chroot's stock python3.14): PYTHON_JIT and its proof."""

from __future__ import annotations

import pytest

from ..conftest import Cli, assert_one_line_error
from .conftest import FAST, artifact, project, runtime_table


@pytest.fixture(scope="module")
def cp(tmp_path_factory, py314_cmd, pypy_cmd) -> Cli:
    return project(
        tmp_path_factory.mktemp("cpython"),
        runtime_table("py314", py314_cmd, "cpython")
        # An interpreter without sys._jit declared as a CPython with a JIT.
        + runtime_table("nojitpy", pypy_cmd, "cpython")
        + """\
        [variants.nojit]
        runtime = "py314"
        mode = "nojit"

        [variants.jit]
        runtime = "py314"
        mode = "jit"

        [variants.wrong]
        runtime = "nojitpy"
        mode = "jit"
        """,
    )


def test_cpython_jit_mode_is_proven_by_its_executors(cp):
    doc = cp.json("run", "nojit", "jit", "--bench", "richards", "-p", "2", *FAST)
    art = artifact(cp, doc)
    assert art["variants"]["jit"]["env"] == {"PYTHON_JIT": "1"}
    for p in art["processes"]:
        assert p["status"] == "ok", p.get("error")
        state = p["jit"]["cpython"]
        assert state["available"]
        if p["variant"] == "jit":
            assert state["enabled"] and state["executors"] > 0 and state["jit_code_bytes"] > 0
        else:
            assert not state["enabled"] and "executors" not in state


def test_jit_mode_on_an_interpreter_without_sys_jit_fails_before_measuring(cp):
    assert_one_line_error(
        cp("run", "wrong", "--bench", "richards", *FAST), "variant 'wrong'", "no sys._jit"
    )
