"""Counting measures from inside the measured interpreter: perf_event_open and valgrind.

Standard library only (ctypes); Python 3.9+ and PyPy. A counter is read around each value exactly
like the timer. Two backends:

- ``perf``: ``perf_event_open`` on the measuring thread, user space only (``instructions``,
  ``cycles``, ``branch-misses``, ``cache-misses`` where the CPU exposes them; ``task-clock``, a
  software event, everywhere).
- ``valgrind``: the process runs under callgrind; valgrind's client requests (a few bytes of machine
  code in an executable page, called through ctypes) zero the counts before each value and dump
  them after it. The dumps are read back here, so only the measured values are counted.
"""

import contextlib
import ctypes
import os
import platform
import struct

from jitbench_protocol import Counting

# --- valgrind client requests ------------------------------------------------------------------

RUNNING_ON_VALGRIND = 0x1001
_CALLGRIND_BASE = (ord("C") << 24) | (ord("T") << 16)
CALLGRIND_DUMP_STATS_AT = _CALLGRIND_BASE + 3
CALLGRIND_ZERO_STATS = _CALLGRIND_BASE + 1
CALLGRIND_START_INSTRUMENTATION = _CALLGRIND_BASE + 4
CALLGRIND_STOP_INSTRUMENTATION = _CALLGRIND_BASE + 5

# f(args, default) -> result, holding valgrind.h's client-request sequence: a preamble of rotates
# that add up to a no-op (so the code does nothing natively), then the marker instruction valgrind
# recognises, with the address of the six-word argument block in the register valgrind.h uses.
_X86_64 = bytes.fromhex(
    "4889f8"  # mov rax, rdi        argument block
    "4889f2"  # mov rdx, rsi        default result
    "48c1c703"
    "48c1c70d"
    "48c1c73d"
    "48c1c733"  # rol rdi, 3 / 13 / 61 / 51 (128: a no-op)
    "4887db"  # xchg rbx, rbx       rdx = client_request(rax)
    "4889d0"  # mov rax, rdx
    "c3"  # ret
)


def _a64_ror_x12(n):
    return 0x93C00000 | (12 << 16) | (n << 10) | (12 << 5) | 12  # extr x12, x12, x12, #n


_AARCH64 = struct.pack(
    "<9I",
    0xAA0003E4,  # mov x4, x0          argument block
    0xAA0103E3,  # mov x3, x1          default result
    _a64_ror_x12(3),
    _a64_ror_x12(13),
    _a64_ror_x12(51),
    _a64_ror_x12(61),  # 128: a no-op
    0xAA0A014A,  # orr x10, x10, x10   x3 = client_request(x4)
    0xAA0303E0,  # mov x0, x3
    0xD65F03C0,  # ret
)

_CODE = {"x86_64": _X86_64, "amd64": _X86_64, "aarch64": _AARCH64, "arm64": _AARCH64}


class CounterError(Exception):
    """A counting backend is unavailable; the message says why and what to do."""


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _for_this_machine(table, missing):
    """This machine's entry of a per-architecture ``table``; CounterError(``missing``) if none."""
    value = table.get(platform.machine().lower())
    if value is None:
        raise CounterError(missing % platform.machine())
    return value


class ClientRequests:
    """valgrind client requests from Python: a no-op natively, recognised under valgrind."""

    def __init__(self):
        code = _for_this_machine(_CODE, "valgrind client requests are not implemented for %s")
        libc = _libc()
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_long,
        ]
        libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        size = 4096
        prot_read, prot_write, prot_exec = 1, 2, 4
        map_private, map_anonymous = 0x02, 0x20
        addr = libc.mmap(None, size, prot_read | prot_write, map_private | map_anonymous, -1, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise CounterError(
                "cannot map a page for valgrind client requests (errno %d)" % ctypes.get_errno()
            )
        ctypes.memmove(addr, code, len(code))
        # Written, then made executable (never both): the kernel syncs the instruction cache
        # when the page becomes executable, which AArch64 needs.
        if libc.mprotect(addr, size, prot_read | prot_exec) != 0:
            raise CounterError(
                "cannot make the client-request page executable (errno %d)" % ctypes.get_errno()
            )
        self._page = addr  # never unmapped: the process ends first
        proto = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t)
        self._call = proto(addr)
        self._args = (ctypes.c_size_t * 6)()
        self._args_addr = ctypes.addressof(self._args)

    def request(self, code, arg1=0, default=0):
        """Send one client request; ``default`` comes back when not running under valgrind."""
        args = self._args
        args[0] = code
        args[1] = arg1
        return self._call(self._args_addr, default)

    def running_on_valgrind(self):
        """How many valgrinds we run under (0 natively)."""
        return self.request(RUNNING_ON_VALGRIND)


class Callgrind:
    """Per-value instruction counts under callgrind: zero before a value, dump after it.

    Dumps go to ``<out>.<n>`` (``--callgrind-out-file=<out>``); ``collect()`` reads them in the
    order they were written, matched by the label each dump carries.
    """

    name = "valgrind"

    def __init__(self, out_file):
        self.requests = ClientRequests()
        if not self.requests.running_on_valgrind():
            raise CounterError("the runner is not running under valgrind")
        self.out_file = out_file
        self.labels = []
        # The label strings must stay alive until callgrind has read them.
        self._buffers = []

    def start(self):
        """Instrument from here on (valgrind runs uninstrumented, and faster, until then)."""
        self.requests.request(CALLGRIND_START_INSTRUMENTATION)

    def zero(self):
        self.requests.request(CALLGRIND_ZERO_STATS)

    def dump(self, label, keep=True):
        buf = ctypes.create_string_buffer(label.encode("ascii"))
        self._buffers.append(buf)
        if keep:
            self.labels.append(label)
        self.requests.request(CALLGRIND_DUMP_STATS_AT, ctypes.addressof(buf))

    def stop(self):
        self.requests.request(CALLGRIND_STOP_INSTRUMENTATION)

    def collect(self):
        """{label: instructions} from the dumps written so far; the files are removed."""
        counts = {}
        folder = os.path.dirname(self.out_file) or "."
        stem = os.path.basename(self.out_file) + "."
        for name in os.listdir(folder):
            if not name.startswith(stem):
                continue
            path = os.path.join(folder, name)
            label, total = parse_callgrind(path)
            os.unlink(path)
            if label in self.labels:
                counts[label] = total
        return counts


def parse_callgrind(path):
    """(trigger label, total Ir) of one callgrind dump file."""
    label = None
    total = None
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith("desc: Trigger: Client Request: "):
                label = line[len("desc: Trigger: Client Request: ") :]
            elif line.startswith(("summary:", "totals:")):
                total = int(line.split(":", 1)[1].split()[0])
    if total is None:
        raise CounterError("callgrind dump %s has no totals line" % os.path.basename(path))
    return label, total


# --- perf_event_open ---------------------------------------------------------------------------

_PERF_EVENT_OPEN = {
    "x86_64": 298,
    "amd64": 298,
    "aarch64": 241,
    "arm64": 241,
    "i686": 336,
    "i386": 336,
    "armv7l": 364,
    "ppc64le": 319,
    "s390x": 331,
    "riscv64": 241,
}
PERF_TYPE_HARDWARE = 0
PERF_TYPE_SOFTWARE = 1
# Measure name -> (type, config): the kernel's generic events.
PERF_EVENTS = {
    "instructions": (PERF_TYPE_HARDWARE, 1),
    "cycles": (PERF_TYPE_HARDWARE, 0),
    "cache-misses": (PERF_TYPE_HARDWARE, 3),
    "branch-misses": (PERF_TYPE_HARDWARE, 5),
    "task-clock": (PERF_TYPE_SOFTWARE, 1),
}
_EXCLUDE_KERNEL = 1 << 5
_EXCLUDE_HV = 1 << 6
_PERF_FLAG_FD_CLOEXEC = 1 << 3


def _perf_attr(type_, config):
    # struct perf_event_attr, PERF_ATTR_SIZE_VER0 (64 bytes): type, size, config, sample_period,
    # sample_type, read_format, flags, wakeup_events, bp_type, config1. Enabled at once, user
    # space of this thread only.
    return struct.pack(
        "=IIQQQQQIIQ", type_, 64, config, 0, 0, 0, _EXCLUDE_KERNEL | _EXCLUDE_HV, 0, 0, 0
    )


class PerfCounters:
    """Counts of ``events`` for the calling thread, read as integers around each value."""

    name = "perf"

    def __init__(self, events):
        nr = _for_this_machine(
            _PERF_EVENT_OPEN, "perf_event_open: unknown system call number on %s"
        )
        libc = _libc()
        libc.syscall.restype = ctypes.c_long
        self.events = list(events)
        self.fds = []
        for event in self.events:
            if event not in PERF_EVENTS:
                raise CounterError(
                    "perf_event_open: unknown event %r (known: %s)"
                    % (event, ", ".join(sorted(PERF_EVENTS)))
                )
            attr = ctypes.create_string_buffer(_perf_attr(*PERF_EVENTS[event]))
            fd = libc.syscall(
                ctypes.c_long(nr),
                attr,
                ctypes.c_int(0),
                ctypes.c_int(-1),
                ctypes.c_int(-1),
                ctypes.c_ulong(_PERF_FLAG_FD_CLOEXEC),
            )
            if fd < 0:
                err = ctypes.get_errno()
                self.close()
                raise CounterError("perf_event_open(%s): %s" % (event, os.strerror(err)))
            self.fds.append(fd)

    def read(self):
        """The current count of every event, in ``events`` order."""
        out = []
        for fd in self.fds:
            data = os.read(fd, 8)
            out.append(struct.unpack("=Q", data)[0])
        return out

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = []


# --- what the runner uses ----------------------------------------------------------------------

STALE_PREFIX = "jitbench-callgrind-"
# Indexes the runner passes for what is not a measured value.
WARMUP = -1  # a warmup through the counting path: nothing kept
OVERHEAD = -2  # an empty value (no iteration): what the harness itself adds to every count


class PerfSession:
    """Counts of the measured values from perf_event_open, read just around each value."""

    def __init__(self, spec):
        self.counters = PerfCounters(spec[Counting.EVENTS])
        self.events = self.counters.events
        self.counts = dict((e, []) for e in self.events)
        self.overhead = {}
        self._start = None

    def before(self, index):
        self._start = self.counters.read()

    def after(self, index):
        if index == WARMUP:
            return
        end, start = self.counters.read(), self._start
        assert start is not None, "after() without before()"
        for i, event in enumerate(self.events):
            if index == OVERHEAD:
                n = end[i] - start[i]
                self.overhead[event] = min(n, self.overhead.get(event, n))
            else:
                self.counts[event].append(end[i] - start[i])

    def finish(self):
        self.counters.close()
        return {
            Counting.BACKEND: Counting.PERF,
            Counting.COUNTS: self.counts,
            Counting.OVERHEAD: self.overhead,
        }


class ValgrindSession:
    """Instructions of the measured values under callgrind: zero before each, dump after it."""

    def __init__(self, spec):
        out_file = spec[Counting.OUT_FILE].replace("%p", str(os.getpid()))
        _remove_stale_dumps(os.path.dirname(out_file))
        self.callgrind = Callgrind(out_file)
        self.started = False
        self.overheads = []  # labels of the empty values; the smallest is the overhead

    def before(self, index):
        if not self.started:
            # Start-up, imports and warmups ran uninstrumented: they cannot leak into a count.
            self.callgrind.start()
            self.started = True
        self.callgrind.zero()

    def after(self, index):
        if index == WARMUP:
            self.callgrind.dump("jitbench warm-up", keep=False)
        elif index == OVERHEAD:
            self.overheads.append("jitbench overhead %d" % len(self.overheads))
            self.callgrind.dump(self.overheads[-1])
        else:
            self.callgrind.dump("jitbench value %d" % index)

    def finish(self):
        self.callgrind.stop()
        found = self.callgrind.collect()
        missing = [label for label in self.callgrind.labels if label not in found]
        if missing:
            raise CounterError("callgrind wrote no dump for %s" % ", ".join(missing))
        counts = [found[label] for label in self.callgrind.labels if label.startswith("jitbench v")]
        out = {Counting.BACKEND: Counting.VALGRIND, Counting.COUNTS: {"instructions": counts}}
        if self.overheads:
            out[Counting.OVERHEAD] = {"instructions": min(found[label] for label in self.overheads)}
        return out


def _remove_stale_dumps(folder):
    """Remove the end-of-process dumps of earlier counted processes that have exited.

    callgrind always writes one last dump when a process ends, after the runner could read it;
    the next counted process removes it, so at most a few small files are ever left behind.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(STALE_PREFIX):
            continue
        pid = name[len(STALE_PREFIX) :].split(".")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def open_session(spec):
    """The counting session a task asks for: ``{"backend": "perf"|"valgrind", ...}``."""
    backend = spec.get(Counting.BACKEND)
    if backend == Counting.PERF:
        return PerfSession(spec)
    if backend == Counting.VALGRIND:
        return ValgrindSession(spec)
    raise CounterError("unknown counting backend %r" % (backend,))


def valgrind_depth():
    """How many valgrinds this process runs under (0 natively, or when it cannot tell)."""
    try:
        return ClientRequests().running_on_valgrind()
    except (CounterError, OSError, AttributeError):
        return 0


def probe(events):
    """{event: None if perf_event_open counts it here, else why not}; and the valgrind depth."""
    out: dict = {}
    for event in events:
        try:
            PerfCounters([event]).close()
            out[event] = None
        except (CounterError, OSError, AttributeError) as exc:
            out[event] = str(exc)
    return {Counting.PERF: out, Counting.VALGRIND: valgrind_depth()}
