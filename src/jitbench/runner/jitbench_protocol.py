"""What the host and the in-target runner agree on; both read it from this one file.

Standard library only, Python 3.9+ and PyPy: it travels with the runner. The host checks the
version in every result document against its own, so a runner of another release is named
rather than misread.
"""

# Raised whenever the result document or the task changes meaning.
VERSION = 1

# The file descriptor the result line goes to: the one that was stdout when the process
# started. The benchmark's own output goes to OUTPUT_FD instead, so it cannot corrupt it.
RESULT_FD = 1
OUTPUT_FD = 2

# The result document is one line on RESULT_FD that starts with this marker.
RESULT_MARKER = "@@jitbench-result@@ "
# A target lacking cached bundles names them on a line with this marker and exits with this status.
MISSING_MARKER = "@@jitbench-missing@@ "
MISSING_STATUS = 3

# Keys of the result document's envelope.
VERSION_KEY = "protocol"
OK_KEY = "ok"
ERROR_KEY = "error"
TRACEBACK_KEY = "traceback"
CHILDREN_KEY = "children"
