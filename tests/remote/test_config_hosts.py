"""``[hosts]`` in jitbench.toml: the documented shape parses, and mistakes are one-line errors."""

from __future__ import annotations

import pytest

from jitbench.config import parse
from jitbench.errors import ConfigError

DOCUMENTED = {
    "hosts": {"arm": {"ssh": "bench-arm", "workdir": "/var/tmp/jitbench"}},
    "runtimes": {
        "cx-arm": {
            "host": "arm",
            "command": ["/root/venv-cinderx314/bin/python"],
            "kind": "cinderx",
        }
    },
}


def test_the_documented_host_shape_parses(tmp_path):
    cfg = parse(DOCUMENTED, tmp_path / "jitbench.toml")
    rt = cfg.runtimes["cx-arm"]
    assert rt.host is not None and rt.host.ssh == "bench-arm" and rt.host_name == "arm"
    assert rt.host.workdir == "/var/tmp/jitbench" and rt.host.ssh_config is None
    assert cfg.variants["cx-arm"].runtime.host == rt.host


def test_a_variant_spread_over_hosts_is_one_variant_per_host(tmp_path):
    raw = {
        "hosts": {"arm": {"ssh": "a"}, "x86": {"ssh": "b"}},
        "runtimes": {
            "py": {"command": ["python3"]},
            "dev": {"repo": ".", "base": ["python3"], "build": "true", "host": "arm"},
        },
        "variants": {
            "base": {"runtime": "py", "hosts": ["x86", "arm", "local"]},
            "built": {"runtime": "dev", "hosts": ["x86", "arm"]},
        },
    }
    cfg = parse(raw, tmp_path / "jitbench.toml")
    spread = cfg.select("base")
    assert [v.name for v in spread] == ["base@x86", "base@arm", "base@local"]
    assert [v.runtime.host_name for v in spread] == ["x86", "arm", "local"]
    assert {v.group for v in spread} == {"base"}
    # A built runtime is built once per host: its name and build spec say which.
    built = cfg.select("built")
    assert [v.runtime.build.host.name for v in built] == ["x86", "arm"]
    assert built[0].runtime.name != built[1].runtime.name
    with pytest.raises(ConfigError, match="runs on several hosts; name one of base@x86"):
        cfg.variant("base")


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"hosts": {"arm": {}}}, "hosts.arm.ssh: missing"),
        ({"hosts": {"arm": {"ssh": "-oProxyCommand=x"}}}, "not an ssh destination"),
        (
            {"hosts": {"arm": {"ssh": "a", "workdir": "tmp"}}},
            "hosts.arm.workdir: expected an absolute",
        ),
        ({"hosts": {"local": {"ssh": "a"}}}, "'local' is this machine"),
        ({"hosts": {"arm": {"ssh": "a", "port": 22}}}, "hosts.arm.port: unknown key"),
        ({"hosts": {"arm": {"ssh": "a", "load_threshold": -1}}}, "non-negative number of cores"),
        (
            {"runtimes": {"r": {"command": ["p"], "host": "arn"}}, "hosts": {"arm": {"ssh": "a"}}},
            "unknown host 'arn' (did you mean 'arm'?)",
        ),
        (
            {
                "runtimes": {"r": {"command": ["p"]}},
                "variants": {"v": {"runtime": "r", "hosts": ["x", "x"]}},
            },
            "listed twice",
        ),
    ],
)
def test_host_mistakes_are_one_line_config_errors(tmp_path, raw, needle):
    with pytest.raises(ConfigError) as err:
        parse(raw, tmp_path / "jitbench.toml")
    assert needle in str(err.value) and "\n" not in str(err.value)
