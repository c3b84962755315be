"""jitbench's stand-in for pyperf, used inside the measured interpreter.

pyperf scripts (``runner = pyperf.Runner(); runner.bench_func(...)``) run unchanged: jitbench puts
the folder holding this package first on ``sys.path``, sets ``pyperf._jitbench_hook`` and runs the
script. Every ``bench_*`` call then becomes one call of the hook::

    hook(name, time_func, inner_loops, metadata)    # time_func(loops) -> elapsed int nanoseconds

jitbench's runner does the measuring; this package only adapts the pyperf API. Standard library
only, Python 3.9+ and PyPy 3.9+.
"""

from time import perf_counter

from ._runner import Runner
from ._utils import python_has_jit, python_implementation

# The pyperf release whose script-facing API this package follows. Kept a plain dotted version
# because scripts parse it; ``_jitbench_shim`` tells the shim apart from the real pyperf.
VERSION = (2, 10, 0)
__version__ = ".".join(map(str, VERSION))

_jitbench_shim = True

# Set by jitbench's runner before the script runs; see the module docstring for the contract.
_jitbench_hook = None

__all__ = ["Runner", "perf_counter", "python_has_jit", "python_implementation"]

# Real pyperf API that a script running under jitbench has no use for (results files, the data
# model): asking for it gets a clear message instead of a bare AttributeError.
_UNSUPPORTED = frozenset(["Run", "Benchmark", "BenchmarkSuite", "add_runs", "format_metadata"])


def __getattr__(name):
    if name in _UNSUPPORTED:
        raise AttributeError(
            "jitbench: pyperf.%s is not available inside jitbench (its pyperf shim only "
            "registers benchmarks; jitbench records the results)" % name
        )
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
