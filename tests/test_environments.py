"""Requirements environments: the wheel tags a target takes, derived from what it reports, and
the environment built on the host for the real interpreter that runs these tests."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jitbench.suites import environments, pyperformance
from jitbench.suites.environments import PROBE, target_from_facts

# What the CinderX root's interpreter reports (Debian sid, CPython 3.14).
CINDERX_FACTS = {
    "impl": "cpython",
    "version": [3, 14],
    "soabi": "cpython-314-x86_64-linux-gnu",
    "machine": "x86_64",
    "libc": ["glibc", "2.41"],
    "platform": "linux-x86_64",
}


def test_cinderx_root_facts_give_cp314_manylinux_tags():
    t = target_from_facts(CINDERX_FACTS)
    assert t.implementation == "cp" and t.python_version == "3.14"
    assert t.abis == ("cp314", "abi3", "none")
    assert t.platforms[0] == "manylinux_2_41_x86_64"
    assert "manylinux_2_17_x86_64" in t.platforms and "manylinux_2_16_x86_64" not in t.platforms
    assert t.platforms[-1] == "linux_x86_64" and "manylinux2014_x86_64" in t.platforms
    args = t.pip_args()
    assert args[:5] == ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.14"]


def test_free_threaded_and_pypy_abis():
    ft = target_from_facts(
        {
            "impl": "cpython",
            "version": [3, 14],
            "soabi": "cpython-314t-x86_64",
            "machine": "x86_64",
            "libc": ["glibc", "2.36"],
            "platform": "linux-x86_64",
        }
    )
    assert ft.abis[0] == "cp314t"
    pypy = target_from_facts(
        {
            "impl": "pypy",
            "version": [3, 9],
            "soabi": "pypy39-pp73-x86_64-linux-gnu",
            "machine": "aarch64",
            "libc": ["glibc", "2.36"],
            "platform": "linux-aarch64",
        }
    )
    assert pypy.implementation == "pp" and pypy.abis == ("pypy39_pp73", "none")
    assert pypy.platforms[0] == "manylinux_2_36_aarch64"


def test_probe_runs_on_the_real_interpreter():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    t = target_from_facts(json.loads(out.stdout))
    assert t.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert t.abis[0] == f"cp{sys.version_info[0]}{sys.version_info[1]}"


@pytest.mark.slow
def test_environment_holds_pinned_packages_and_records_them(tmp_path, monkeypatch):
    """Built for this interpreter from binary wheels; a second ask is the cached folder."""
    monkeypatch.setenv("JITBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(environments, "_prepared", {})
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    target = target_from_facts(json.loads(out.stdout))
    site, record = environments.prepare(("sqlparse==0.4.1",), target)
    assert (site / "sqlparse" / "__init__.py").is_file()
    assert "sqlparse==0.4.1" in record["packages"] and record["python"] == target.abis[0]
    assert (site.parent / "environment.json").is_file()
    monkeypatch.setattr(environments, "_prepared", {})
    again, _ = environments.prepare(("sqlparse==0.4.1",), target)
    assert again == site


@pytest.mark.slow
def test_a_package_without_a_binary_wheel_is_one_line_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("JITBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(environments, "_prepared", {})
    target = target_from_facts(CINDERX_FACTS)
    # ujson 5.1.0 predates Python 3.14: no cp314 wheel exists, and its source is C only.
    why = environments.prepare(("ujson==5.1.0",), target)
    assert isinstance(why, str) and "\n" not in why
    assert why.startswith("package ujson==5.1.0 has no binary wheel for cp314")
    assert "its source is not pure Python" in why


@pytest.mark.slow
def test_packages_published_as_source_only_are_built_into_wheels_that_fit(tmp_path, monkeypatch):
    """pyaes 1.6.1 (crypto_pyaes) is pure Python; markupsafe 2.0.1 (mako) has C speedups and no
    cp314 wheel: built as a target without a compiler would build it, it is pure Python too."""
    monkeypatch.setenv("JITBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(environments, "_prepared", {})
    target = target_from_facts(CINDERX_FACTS)
    site, record = environments.prepare(("pyaes==1.6.1", "markupsafe==2.0.1"), target)
    assert (site / "pyaes" / "__init__.py").is_file() and "pyaes==1.6.1" in record["packages"]
    assert (site / "markupsafe" / "__init__.py").is_file()
    assert not list((site / "markupsafe").glob("*.so"))
    wheels = tmp_path / "environments" / "wheels"
    assert list(wheels.glob("pyaes-1.6.1-*-none-any.whl"))
    assert list(wheels.glob("markupsafe-2.0.1-*-none-any.whl"))


def test_a_wheel_built_from_source_fits_only_a_target_of_its_kind():
    cp314 = target_from_facts(CINDERX_FACTS)
    assert environments.fits("pyaes-1.6.1-py3-none-any.whl", cp314)
    assert not environments.fits("ujson-5.1.0-cp311-cp311-linux_x86_64.whl", cp314)
    assert environments.fits("ujson-5.1.0-cp314-cp314-linux_x86_64.whl", cp314)
    assert not environments.fits("ujson-5.1.0-cp314-cp314-linux_aarch64.whl", cp314)


@pytest.mark.slow
def test_dulwich_and_sqlalchemy_build_as_pure_python_for_cp314(tmp_path, monkeypatch):
    """Neither has a cp314 wheel; dulwich builds pure by its ``--pure`` switch, SQLAlchemy 1.4
    without its C extension but tagged for the building Python: re-tagged, it fits any target."""
    monkeypatch.setenv("JITBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(environments, "_prepared", {})
    target = target_from_facts(CINDERX_FACTS)
    site, record = environments.prepare(("dulwich==0.20.23", "sqlalchemy==1.4.19"), target)
    assert {"dulwich==0.20.23", "sqlalchemy==1.4.19"} <= {p.lower() for p in record["packages"]}
    for package in ("dulwich", "sqlalchemy"):
        assert (site / package / "__init__.py").is_file()
        assert not list((site / package).rglob("*.so"))
    wheels = tmp_path / "environments" / "wheels"
    assert list(wheels.glob("dulwich-0.20.23-py3-none-any.whl"))
    assert list(wheels.glob("sqlalchemy-1.4.19-py3-none-any.whl"))


def test_a_vendored_project_applies_only_to_the_pythons_it_declares():
    """bm_2to3 ships lib2to3 for Python 3.13+ (where the standard library has none)."""
    (line,) = pyperformance.manifest().entries["2to3"].requirements
    assert line.startswith("lib2to3 @ file://") and line.endswith(
        'python_full_version >= "3.13.0a0"'
    )
    cp314 = target_from_facts(CINDERX_FACTS)
    cp311 = target_from_facts({**CINDERX_FACTS, "version": [3, 11], "soabi": "cpython-311"})
    assert environments.applicable((line, "sqlparse==0.4.1"), cp314) == (line, "sqlparse==0.4.1")
    assert environments.applicable((line, "sqlparse==0.4.1"), cp311) == ("sqlparse==0.4.1",)


@pytest.mark.slow
def test_a_vendored_project_is_built_here_and_installed_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("JITBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(environments, "_prepared", {})
    (line,) = pyperformance.manifest().entries["2to3"].requirements
    site, record = environments.prepare((line,), target_from_facts(CINDERX_FACTS))
    assert (site / "lib2to3" / "__init__.py").is_file()
    assert (site / "lib2to3" / "Grammar.txt").is_file()  # its package data came along
    assert "lib2to3==3.12" in record["packages"] and record["requirements"] == [line]
