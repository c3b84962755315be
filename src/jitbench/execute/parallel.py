"""Hosts run concurrently, each one process at a time: one worker thread per host.

Each worker takes its host's slots in schedule order, so the interleaving within a host is the
planned one, and no host ever runs two benchmark processes at once. Ctrl-C reaches the main
thread only: it stops the workers and kills the processes they started.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from .transport import kill_all

T = TypeVar("T")


def run_per_host(
    groups: Mapping[str, Sequence[T]], work: Callable[[str, T], bool], stop: threading.Event
) -> None:
    """Call ``work(host, item)`` for each host's items in order, hosts in parallel.

    ``work`` returns False to give up the rest of its host's items (the host is unreachable).
    An exception in a worker stops every worker and is raised here once they all ended.
    """
    groups = {h: items for h, items in groups.items() if items}
    if len(groups) <= 1:
        # One host: run in this thread, so Ctrl-C interrupts the process as it always did.
        for host, items in groups.items():
            for item in items:
                if stop.is_set() or not work(host, item):
                    break
        return
    errors: list[BaseException] = []

    def worker(host: str, items: Sequence[T]) -> None:
        try:
            for item in items:
                if stop.is_set() or not work(host, item):
                    return
        except BaseException as exc:  # handed to the main thread, which re-raises it
            errors.append(exc)
            stop.set()

    threads = [
        threading.Thread(target=worker, args=(h, items), name=f"jitbench-host-{h}", daemon=True)
        for h, items in groups.items()
    ]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)  # short joins keep the main thread responsive to Ctrl-C
    except KeyboardInterrupt:
        stop.set()
        kill_all()
        for t in threads:
            t.join()
        raise
    if errors:
        raise errors[0]
