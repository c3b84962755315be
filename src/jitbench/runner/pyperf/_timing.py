"""Turn what a pyperf script registers into ``time_func(loops) -> int nanoseconds``.

The timed region mirrors pyperf's worker: attribute lookups hoisted out of the loop, a bare
``for`` over ``itertools.repeat`` (no int objects created per iteration), two clock reads around it.
"""

import functools
import itertools
import time


def _check_loops(loops):
    if loops < 1:
        raise ValueError("loops must be >= 1, got %r" % (loops,))


def func_timer(func, args):
    """time_func running ``func(*args)`` ``loops`` times between two perf_counter_ns reads."""
    if args:
        # pyperf binds the arguments the same way, so both time the same call.
        func = functools.partial(func, *args)

    def time_func(loops):
        _check_loops(loops)
        local_func = func
        timer = time.perf_counter_ns
        it = itertools.repeat(None, loops)
        t0 = timer()
        for _ in it:
            local_func()
        t1 = timer()
        return t1 - t0

    return time_func


def seconds_timer(user_time_func, args):
    """time_func wrapping pyperf's ``time_func(loops, *args) -> float seconds`` into int ns."""

    def time_func(loops):
        _check_loops(loops)
        seconds = user_time_func(loops, *args)
        return int(round(seconds * 1e9))

    return time_func


def async_timer(func, args, loop_factory=None):
    """time_func awaiting ``func(*args)`` ``loops`` times inside one event-loop run.

    The clock is read inside the coroutine, as pyperf does, so creating and closing the event
    loop stays out of the measurement.
    """
    import asyncio

    if args:
        func = functools.partial(func, *args)

    async def timed(loops):
        local_func = func
        timer = time.perf_counter_ns
        it = itertools.repeat(None, loops)
        t0 = timer()
        for _ in it:
            await local_func()
        t1 = timer()
        return t1 - t0

    def time_func(loops):
        _check_loops(loops)
        if loop_factory is None:
            return asyncio.run(timed(loops))
        if hasattr(asyncio, "Runner"):  # 3.11+
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                return runner.run(timed(loops))
        # Older Pythons: drive the factory's loop by hand, the way pyperf does.
        loop = loop_factory()
        asyncio.set_event_loop(loop)
        try:
            return loop.run_until_complete(timed(loops))
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    return time_func


def command_timer(command):
    """time_func starting ``command`` ``loops`` times in a row: whole-process wall time.

    Each process is waited for before the next starts; its output is discarded and a non-zero
    exit fails the benchmark, naming the command, as pyperf's command benchmarks do.
    """
    import subprocess

    argv = [str(part) for part in command]

    def time_func(loops):
        _check_loops(loops)
        timer = time.perf_counter_ns
        total = 0
        for _ in range(loops):
            t0 = timer()
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            _, err = proc.communicate()
            total += timer() - t0
            if proc.returncode != 0:
                tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                raise RuntimeError(
                    "command %r exited with status %d: %s"
                    % (" ".join(argv), proc.returncode, tail[0])
                )
        return total

    return time_func
