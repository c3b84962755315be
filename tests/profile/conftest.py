"""Profiles use the provisioned runtimes (CinderX chroot, its stock CPython 3.14) and real perf."""

from __future__ import annotations

import pytest

from jitbench.profile import perf

from ..runtimes.conftest import cinderx_cmd, py314_cmd, pypy_cmd  # noqa: F401 - fixtures used here


@pytest.fixture(scope="session", autouse=True)
def perf_works() -> None:
    """perf must sample here; provisioning installs it (scripts/provision-services)."""
    problem = perf.problem()
    assert problem is None, problem
