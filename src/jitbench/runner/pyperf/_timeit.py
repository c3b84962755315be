"""``Runner.timeit``: statements compiled into a timing loop, as pyperf's timeit does."""

import itertools
import linecache
import sys
import time

_FILENAME = "<jitbench-timeit-src>"

# setup is indented 4 spaces and stmt 8 by _indent(); keep the template's indentation in step.
_TEMPLATE = """
def inner(_it, _timer):
    {setup}
    _t0 = _timer()
    for _i in _it:
        {stmt}
    _t1 = _timer()
    {teardown}
    return _t1 - _t0
"""

# PyPy: a countdown loop, as pyperf uses there.
_PYPY_TEMPLATE = """
def inner(_it, _timer):
    {setup}
    _t0 = _timer()
    while _it > 0:
        _it -= 1
        {stmt}
    _t1 = _timer()
    {teardown}
    return _t1 - _t0
"""

_PYPY = sys.implementation.name == "pypy"


def _statements(value):
    if isinstance(value, str):
        value = (value,)
    return [s.rstrip() for s in value if s.rstrip()]


def _indent(lines, n):
    return "\n".join(lines).replace("\n", "\n" + " " * n)


def _describe(lines):
    return " ".join(repr(s) for s in lines)


def prepare(stmt, setup, teardown, inner_loops, duplicate, metadata, globals_):
    """Return ``(time_func, inner_loops, metadata)`` for a timeit registration."""
    stmt = _statements(stmt)
    setup = _statements(setup)
    teardown = _statements(teardown)
    if not stmt:
        raise ValueError("need at least one statement")

    meta = dict(metadata or {})
    if setup:
        meta["timeit_setup"] = _describe(setup)
    if teardown:
        meta["timeit_teardown"] = _describe(teardown)
    meta["timeit_stmt"] = _describe(stmt)
    if duplicate and duplicate > 1:
        stmt = stmt * duplicate
        inner_loops = inner_loops * duplicate if inner_loops else duplicate
        meta["timeit_duplicate"] = duplicate

    # Fail here, with the statement in the message, if the code is not valid at module level.
    compile("\n".join(setup + stmt + teardown) + "\n", _FILENAME, "exec")

    template = _PYPY_TEMPLATE if _PYPY else _TEMPLATE
    src = template.format(
        setup=_indent(setup or ["pass"], 4),
        stmt=_indent(stmt, 8),
        teardown=_indent(teardown or ["pass"], 4),
    )
    # Tracebacks from inside the timing loop then show the statement's text.
    linecache.cache[_FILENAME] = (len(src), None, src.splitlines(True), _FILENAME)
    code = compile(src, _FILENAME, "exec")
    global_ns = {} if globals_ is None else globals_

    def time_func(loops):
        if loops < 1:
            raise ValueError("loops must be >= 1, got %r" % (loops,))
        # A fresh function per value, as pyperf does: on PyPy, code from the previous value's
        # setup (e.g. classes it defined) must not be reused by the JIT.
        namespace: dict = {}
        exec(code, dict(global_ns), namespace)
        inner = namespace["inner"]
        it = loops if _PYPY else itertools.repeat(None, loops)
        return inner(it, time.perf_counter_ns)

    return time_func, inner_loops, meta
