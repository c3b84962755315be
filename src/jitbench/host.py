"""Facts about the machine jitbench runs on, recorded in every artifact."""

from __future__ import annotations

import os
import platform
import socket
import sys
from pathlib import Path


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or None


def _os_name() -> str | None:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return None


def host_facts() -> dict:
    """Architecture, CPU, cores, kernel, OS, load and the Python running jitbench."""
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "hostname": socket.gethostname(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "system": platform.system(),
        "kernel": platform.release(),
        "os": _os_name(),
        "loadavg": load,
        "jitbench_python": sys.version.split()[0],
    }
