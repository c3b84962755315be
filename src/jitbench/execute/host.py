"""Facts about the machines of an experiment, recorded in every artifact.

``host_facts()`` describes the machine jitbench runs on; ``parse_facts()`` reads the output of
``FACTS_SCRIPT``, the one fixed command jitbench runs on an SSH host to learn the same facts.
"""

from __future__ import annotations

import os
import platform
import socket
import sys
from pathlib import Path

# Fixed: it runs as ``sh -c FACTS_SCRIPT`` on the host; every section is optional.
FACTS_SCRIPT = (
    "echo @hostname; uname -n; echo @machine; uname -m; echo @system; uname -s; "
    "echo @kernel; uname -r; echo @nproc; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN; "
    "echo @cpuinfo; cat /proc/cpuinfo 2>/dev/null; "
    "echo @osrelease; cat /etc/os-release 2>/dev/null; "
    "echo @loadavg; cat /proc/loadavg 2>/dev/null; exit 0"
)


def split_sections(text: str) -> dict[str, list[str]]:
    """``@name`` header lines and the non-empty lines under each, as printed by a fixed script."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("@") and line[1:].isalpha():
            current = sections.setdefault(line[1:], [])
        elif current is not None and line.strip():
            current.append(line)
    return sections


def cpu_model(cpuinfo: list[str]) -> str | None:
    """The CPU's name from /proc/cpuinfo lines (x86 ``model name``; Arm implementer/part)."""
    fields: dict[str, str] = {}
    for line in cpuinfo:
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    for key in ("model name", "Model", "cpu model", "Hardware"):
        if fields.get(key):
            return fields[key]
    # Arm kernels often name no model: the implementer and part numbers identify the core.
    if fields.get("CPU implementer") and fields.get("CPU part"):
        return f"Arm implementer {fields['CPU implementer']} part {fields['CPU part']}"
    return None


def os_name(os_release: list[str]) -> str | None:
    """PRETTY_NAME from /etc/os-release lines."""
    for line in os_release:
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def host_facts() -> dict:
    """Architecture, CPU, cores, kernel, OS, load and the Python running jitbench."""
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "hostname": socket.gethostname(),
        "machine": platform.machine(),
        "cpu_model": cpu_model(_lines("/proc/cpuinfo")) or platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "system": platform.system(),
        "kernel": platform.release(),
        "os": os_name(_lines("/etc/os-release")),
        "loadavg": load,
        "jitbench_python": sys.version.split()[0],
    }


def parse_facts(text: str) -> dict:
    """Host facts (the keys of ``host_facts``) from the output of FACTS_SCRIPT."""
    s = split_sections(text)

    def first(name: str) -> str | None:
        return s[name][0].strip() if s.get(name) else None

    nproc = first("nproc")
    load = first("loadavg")
    return {
        "hostname": first("hostname"),
        "machine": first("machine"),
        "cpu_model": cpu_model(s.get("cpuinfo", [])),
        "cpu_count": int(nproc) if nproc and nproc.isdigit() else None,
        "system": first("system"),
        "kernel": first("kernel"),
        "os": os_name(s.get("osrelease", [])),
        "loadavg": [float(x) for x in load.split()[:3]] if load else None,
    }
