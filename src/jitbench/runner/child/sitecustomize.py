"""Puts the Python processes a benchmark starts in the variant's mode, as the runner itself is.

The runner puts this folder first on ``PYTHONPATH`` for what a benchmark starts (the commands of
pyperformance's ``python_startup`` or ``2to3``); Python's ``site`` imports it at start-up. It adds
the benchmark's package environment, imports what the mode pre-imports (``cinderx``), tells the
runner once what it did, then runs the interpreter's own ``sitecustomize``. Standard library only.
"""

import os
import sys

SITE = "JITBENCH_CHILD_SITE"
IMPORTS = "JITBENCH_CHILD_IMPORTS"
REPORT = "JITBENCH_CHILD_REPORT"


def _add_site(folder):
    import site

    before = list(sys.path)
    site.addsitedir(folder)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before


def _state(name, error):
    """What the runner checks: the module loaded and, where it says, initialised."""
    if error is not None:
        return {"loaded": False, "error": error}
    module = sys.modules[name]
    out = {"loaded": True}
    is_initialized = getattr(module, "is_initialized", None)
    if callable(is_initialized):
        out["initialized"] = bool(is_initialized())
    return out


def _report(path, errors):
    # The first process to start writes the report; the others find it there and skip it, so
    # every later start pays one failed open.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return
    import json

    doc = {"pid": os.getpid(), "modules": {n: _state(n, e) for n, e in errors.items()}}
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(doc))


def _own_sitecustomize():
    """Run the sitecustomize this one shadows (Debian's, a venv's), as Python would have."""
    here = os.path.dirname(os.path.abspath(__file__))
    # This folder has served its purpose: the process's path becomes what it would have been.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    ours = sys.modules.pop("sitecustomize", None)
    try:
        import sitecustomize  # noqa: F401 - the interpreter's own
    except ImportError as exc:
        if exc.name != "sitecustomize":
            raise
        if ours is not None:  # there is none: the import in progress ends with us
            sys.modules["sitecustomize"] = ours


def _main():
    if os.environ.get(SITE):
        _add_site(os.environ[SITE])
    errors: dict = {}
    for name in [n for n in os.environ.get(IMPORTS, "").split(",") if n]:
        try:
            __import__(name)
            errors[name] = None
        except Exception as exc:  # noqa: BLE001 - reported, and the command runs on
            errors[name] = "%s: %s" % (type(exc).__name__, exc)
    if os.environ.get(REPORT):
        _report(os.environ[REPORT], errors)
    _own_sitecustomize()


_main()
