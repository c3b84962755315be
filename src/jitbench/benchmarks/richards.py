"""Richards: an operating-system task scheduler simulation, by Martin Richards.

Martin Richards (University of Cambridge) wrote this program in BCPL as a benchmark of language
implementations; it has since been ported to most languages and is a staple of virtual machine
research (Smalltalk, Self, V8, PyPy). Six tasks share one priority-ordered scheduler: an idle
task, a worker task, two handler tasks and two device tasks. They exchange packets through
per-task FIFO queues and block with wait, hold and release. This version is written from the
published description of the algorithm.

One ``run()`` performs one standard simulation: the idle task counts down from 10000, after which
the system drains and the scheduler stops.

Self-check (the classic one): one standard simulation queues exactly 23246 packets and puts a task
on hold exactly 9297 times; anything else raises ``RuntimeError``.

For JIT engineers: four task classes override one ``run`` method (a polymorphic call site in the
scheduler loop), packets are linked lists walked attribute by attribute, and task state is a small
integer bit set updated on every step.

Cost: one ``run()`` takes roughly 22 ms on CPython 3.11 on a modest x86-64 machine.
"""

SCALE = "one standard simulation: idle task count 10000 (23246 packets queued, 9297 holds)"

# The count the idle task starts from in the standard run, and what that run must produce.
STANDARD_COUNT = 10000
EXPECTED_QUEUE_COUNT = 23246
EXPECTED_HOLD_COUNT = 9297

# Task identifiers; 0 means "no task" (a fresh work packet is not yet addressed).
NO_TASK = 0
IDLE = 1
WORKER = 2
HANDLER_A = 3
HANDLER_B = 4
DEVICE_A = 5
DEVICE_B = 6
TASK_SLOTS = 7

# Packet kinds.
DEVICE_PACKET = 0
WORK_PACKET = 1

# Characters a work packet carries to a handler, one per device packet.
DATA_SIZE = 4

# Task state is a set of three bits; the scheduler only looks at the combinations.
PACKET_PENDING = 1
WAITING = 2
HOLDING = 4
RUNNING = 0
WAITING_WITH_PACKET = WAITING | PACKET_PENDING


class Packet(object):
    """A message between tasks; ``link`` chains packets into a task's FIFO queue."""

    def __init__(self, link, task_id, kind):
        self.link = link
        self.task_id = task_id  # the addressee while queued for sending, then the sender
        self.kind = kind
        self.datum = 0  # a work packet's read index, or the character a device packet carries
        self.data = [0] * DATA_SIZE

    def append_to(self, queue):
        """Return ``queue`` with this packet added at its tail."""
        self.link = None
        if queue is None:
            return self
        tail = queue
        while tail.link is not None:
            tail = tail.link
        tail.link = self
        return queue


class Scheduler(object):
    """The task table, the priority-ordered task list and the two counters the check reads."""

    def __init__(self):
        self.tasks = [None] * TASK_SLOTS
        self.task_list = None
        self.queue_count = 0
        self.hold_count = 0

    def add(self, task):
        """Register ``task``; later tasks have higher priority, so they go to the list's front."""
        task.link = self.task_list
        self.task_list = task
        self.tasks[task.task_id] = task

    def schedule(self):
        """Run the highest-priority runnable task until every task is blocked."""
        task = self.task_list
        while task is not None:
            state = task.state
            if state == WAITING_WITH_PACKET:
                packet = task.queue
                task.queue = packet.link
                task.state = RUNNING if task.queue is None else PACKET_PENDING
                task = task.run(packet)
            elif not state & (WAITING | HOLDING):
                # A running task with packets queued is still called without one: it must wait
                # first, which is how the original model hands over packets.
                task = task.run(None)
            else:
                task = task.link


class Task(object):
    """A task control block; subclasses implement ``run(packet)`` and return the next task."""

    def __init__(self, scheduler, task_id, priority, queue, state):
        self.scheduler = scheduler
        self.task_id = task_id
        self.priority = priority
        self.queue = queue
        self.state = state
        self.link = None
        scheduler.add(self)

    def run(self, packet):
        """Take one step with ``packet`` (or None) and return the task to schedule next."""
        raise NotImplementedError

    def wait(self):
        """Block until a packet arrives; this task stays current."""
        self.state |= WAITING
        return self

    def hold(self):
        """Suspend this task until released and pass control down the list."""
        self.scheduler.hold_count += 1
        self.state |= HOLDING
        return self.link

    def release(self, task_id):
        """Make task ``task_id`` runnable again; switch to it if it outranks this task."""
        task = self.scheduler.tasks[task_id]
        task.state &= ~HOLDING
        if task.priority > self.priority:
            return task
        return self

    def send(self, packet):
        """Queue ``packet`` for the task it is addressed to, marking this task as its sender."""
        scheduler = self.scheduler
        target = scheduler.tasks[packet.task_id]
        scheduler.queue_count += 1
        packet.link = None
        packet.task_id = self.task_id
        if target.queue is None:
            target.queue = packet
            target.state |= PACKET_PENDING
            if target.priority > self.priority:
                return target
        else:
            target.queue = packet.append_to(target.queue)
        return self


class IdleTask(Task):
    """Counts down, waking one device task or the other from a pseudo-random bit stream."""

    def __init__(self, scheduler, count):
        Task.__init__(self, scheduler, IDLE, 0, None, RUNNING)
        self.seed = 1
        self.count = count

    def run(self, packet):
        self.count -= 1
        if self.count == 0:
            return self.hold()
        if self.seed & 1 == 0:
            self.seed >>= 1
            return self.release(DEVICE_A)
        self.seed = (self.seed >> 1) ^ 0xD008
        return self.release(DEVICE_B)


class WorkerTask(Task):
    """Fills work packets with letters and sends them to the two handlers in turn."""

    def __init__(self, scheduler, queue):
        Task.__init__(self, scheduler, WORKER, 1000, queue, WAITING_WITH_PACKET)
        self.destination = HANDLER_A
        self.letter = 0

    def run(self, packet):
        if packet is None:
            return self.wait()
        self.destination = HANDLER_A + HANDLER_B - self.destination
        packet.task_id = self.destination
        packet.datum = 0
        data = packet.data
        for i in range(DATA_SIZE):
            self.letter += 1
            if self.letter > 26:
                self.letter = 1
            data[i] = self.letter
        return self.send(packet)


class HandlerTask(Task):
    """Pairs each character of a work packet with a device packet, then returns the work."""

    def __init__(self, scheduler, task_id, priority, queue):
        Task.__init__(self, scheduler, task_id, priority, queue, WAITING_WITH_PACKET)
        self.work_queue = None
        self.device_queue = None

    def run(self, packet):
        if packet is not None:
            if packet.kind == WORK_PACKET:
                self.work_queue = packet.append_to(self.work_queue)
            else:
                self.device_queue = packet.append_to(self.device_queue)
        work = self.work_queue
        if work is not None:
            index = work.datum
            if index >= DATA_SIZE:
                self.work_queue = work.link
                return self.send(work)
            device = self.device_queue
            if device is not None:
                self.device_queue = device.link
                device.datum = work.data[index]
                work.datum = index + 1
                return self.send(device)
        return self.wait()


class DeviceTask(Task):
    """Holds each packet it receives for one idle tick, then sends it back to its handler."""

    def __init__(self, scheduler, task_id, priority):
        Task.__init__(self, scheduler, task_id, priority, None, WAITING)
        self.pending = None

    def run(self, packet):
        if packet is None:
            pending = self.pending
            if pending is None:
                return self.wait()
            self.pending = None
            return self.send(pending)
        self.pending = packet
        return self.hold()


def packet_queue(length, task_id, kind):
    """Build a queue of ``length`` fresh packets addressed to ``task_id``."""
    queue = None
    for _ in range(length):
        queue = Packet(queue, task_id, kind)
    return queue


def simulate(count):
    """Run the whole system with the idle task counting from ``count``; return (queued, holds)."""
    scheduler = Scheduler()
    IdleTask(scheduler, count)
    WorkerTask(scheduler, packet_queue(2, NO_TASK, WORK_PACKET))
    HandlerTask(scheduler, HANDLER_A, 2000, packet_queue(3, DEVICE_A, DEVICE_PACKET))
    HandlerTask(scheduler, HANDLER_B, 3000, packet_queue(3, DEVICE_B, DEVICE_PACKET))
    DeviceTask(scheduler, DEVICE_A, 4000)
    DeviceTask(scheduler, DEVICE_B, 5000)
    scheduler.schedule()
    return scheduler.queue_count, scheduler.hold_count


def run():
    """One standard Richards simulation; raise RuntimeError if its counters are wrong."""
    queued, holds = simulate(STANDARD_COUNT)
    # RuntimeError rather than assert: the check must survive ``python -O``.
    if queued != EXPECTED_QUEUE_COUNT or holds != EXPECTED_HOLD_COUNT:
        raise RuntimeError(
            "richards self-check failed: queue count %d (expected %d), hold count %d (expected %d)"
            % (queued, EXPECTED_QUEUE_COUNT, holds, EXPECTED_HOLD_COUNT)
        )


if __name__ == "__main__":
    run()
