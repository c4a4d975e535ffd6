"""Run a Python target once with light instruments: a stack sampler, GC and asyncio debug hooks.

Writes one JSON file: wall and CPU time, peak RSS, garbage collections and their pauses, the
event loop's slow callbacks (asyncio debug mode) with the line that held the loop, and the
sampled stacks of the main thread (seconds per stack, and how many of them it waited), each
frame with the line it was executing. For project functions it also notes the sizes of their
arguments, where they are plain containers, numbers or arrays.
"""

import dis
import gc
import logging
import os
import resource
import sys
import threading
import time

from codeflash_profile_common import exit_on_sigterm, ignore_sigterm, run_target, write_json

INTERVAL_S = 0.005
# A sample counts as waiting when the main thread was runnable for less than this share of the interval.
RUNNING_SHARE = 0.5
# How many argument observations to keep per function.
MAX_ARG_NOTES = 200
SIZED = (list, tuple, dict, set, frozenset, str, bytes, bytearray, range)
# Python 3.12 inlines these into the function that holds them; older versions give them frames of their own.
INLINED = {"<listcomp>", "<dictcomp>", "<setcomp>"}


def main_thread_runnable_clock():
    """Seconds the main thread was runnable: on a CPU or queued for one (Linux schedstat).

    A thread blocked in sleep, select or read adds nothing, and a loaded machine does not make a busy
    thread look idle, as its own CPU time would. Elsewhere, the thread's CPU time stands in.
    """
    path = f"/proc/self/task/{threading.main_thread().native_id}/schedstat"

    def schedstat():
        with open(path, encoding="ascii") as stat:
            on_cpu, queued, _slices = stat.read().split()
        return (int(on_cpu) + int(queued)) / 1e9

    try:
        schedstat()
        return schedstat
    except (OSError, ValueError):
        pass
    try:
        clock = time.pthread_getcpuclockid(threading.main_thread().ident)
        time.clock_gettime(clock)
        return lambda: time.clock_gettime(clock)
    except (AttributeError, OSError):
        return time.process_time


_line_tables = {}


def _line_at(table, offset, default):
    found = default
    for start, _end, number in table:
        if start > offset:
            break
        if number is not None:
            found = number
    return found


def line_of(frame):
    """The frame's line. The sampler gets its turn at loop back-edges, which have no line of their own
    on Python 3.11+: their time goes to the loop they close (the line of the jump's target)."""
    line = frame.f_lineno
    if line is not None:
        return line
    code = frame.f_code
    tables = _line_tables.get(code)
    if tables is None:
        jumps = {i.offset: i.argval for i in dis.get_instructions(code) if i.opname.startswith("JUMP_BACKWARD")}
        tables = _line_tables[code] = (list(code.co_lines()), jumps)
    table, jumps = tables
    offset = jumps.get(frame.f_lasti, frame.f_lasti)
    return _line_at(table, offset, code.co_firstlineno)


def describe(value):
    """('len', n), ('value', n) or ('shape', text) for values whose size is safe to read; None otherwise."""
    kind = type(value)
    if kind is bool:
        return None
    if kind in (int, float):
        return ("value", value)
    if kind in SIZED or isinstance(value, SIZED):
        return ("len", len(value))
    if kind.__module__.split(".")[0] in ("numpy", "pandas") and isinstance(getattr(value, "shape", None), tuple):
        return ("shape", "x".join(str(d) for d in value.shape))
    return None


class Sampler:
    def __init__(self, project):
        self.project = project
        self.main = threading.main_thread().ident
        self.runnable = main_thread_runnable_clock()
        self.stacks = {}
        self.samples = []
        self.args = {}
        self.stopped = threading.Event()

    def is_project(self, filename):
        return filename.startswith(self.project) and "site-packages" not in filename and "/.venv/" not in filename

    def note_args(self, frame, key):
        notes = self.args.setdefault(key, {})
        code = frame.f_code
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        if not names or sum(note[3] for note in notes.values()) >= MAX_ARG_NOTES:
            return
        local = frame.f_locals
        for name in names:
            seen = describe(local[name]) if name not in ("self", "cls") and name in local else None
            if seen is None:
                continue
            kind, size = seen
            prior = notes.get(name)
            if prior is None:
                notes[name] = (kind, size, size, 1)
            else:
                _kind, low, high, count = prior
                if kind != "shape":
                    low, high = min(low, size), max(high, size)
                notes[name] = (kind, low, high if kind != "shape" else size, count + 1)

    def sample(self):
        frame = sys._current_frames().get(self.main)
        path = []
        project_frames = 0
        while frame is not None:
            code = frame.f_code
            if code.co_name in INLINED:
                frame = frame.f_back
                continue
            key = (getattr(code, "co_qualname", code.co_name), code.co_filename, code.co_firstlineno)
            path.append((*key, line_of(frame)))
            if project_frames < 3 and self.is_project(code.co_filename):
                project_frames += 1
                self.note_args(frame, key)
            frame = frame.f_back
        return tuple(reversed(path))

    def run(self):
        last_wall, last_runnable = time.perf_counter(), self.runnable()
        while not self.stopped.wait(INTERVAL_S):
            wall, runnable = time.perf_counter(), self.runnable()
            waiting = (runnable - last_runnable) < RUNNING_SHARE * (wall - last_wall)
            elapsed = wall - last_wall
            last_wall, last_runnable = wall, runnable
            path = self.sample()
            if not path:
                continue
            # A sample stands for the time since the one before: a busy interpreter delays the sampler.
            entry = self.stacks.setdefault(path, [0.0, 0.0])
            entry[0] += elapsed
            entry[1] += elapsed if waiting else 0.0
            self.samples.append((wall, path))


class GcWatch:
    def __init__(self):
        self.collections = [0, 0, 0]
        self.collected = 0
        self.pause = 0.0
        self.started = None

    def __call__(self, phase, info):
        if phase == "start":
            self.started = time.perf_counter()
        elif self.started is not None:
            self.pause += time.perf_counter() - self.started
            self.started = None
            self.collections[info["generation"]] += 1
            self.collected += info["collected"]


class SlowCallbacks(logging.Handler):
    """asyncio debug mode logs every callback that held the loop longer than its slow_callback_duration."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.seen = []

    def emit(self, record):
        if isinstance(record.msg, str) and record.msg.startswith("Executing") and len(record.args or ()) == 2:
            handle, seconds = record.args
            self.seen.append((time.perf_counter(), float(seconds), str(handle)[:300]))
        elif not logging.getLogger().handlers:
            # This handler stands in for logging's last resort, which would have printed the record.
            sys.stderr.write(self.format(record) + "\n")


def blocking_frame(sampler, end, seconds):
    """The innermost project frame seen most often while one slow callback ran."""
    counts = {}
    for at, path in sampler.samples:
        if end - seconds <= at <= end:
            inner = next((f for f in reversed(path) if sampler.is_project(f[1])), None)
            if inner:
                counts[inner] = counts.get(inner, 0) + 1
    return list(max(counts, key=counts.get)) if counts else None


def main():
    json_path, *target = sys.argv[1:]
    os.environ.setdefault("PYTHONASYNCIODEBUG", "1")
    sampler = Sampler(os.getcwd() + os.sep)
    watch = GcWatch()
    slow = SlowCallbacks()
    logging.getLogger("asyncio").addHandler(slow)
    gc.callbacks.append(watch)
    thread = threading.Thread(target=sampler.run, daemon=True)
    exit_on_sigterm()
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    thread.start()
    try:
        status = run_target(target)
    finally:
        ignore_sigterm()
        wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
        sampler.stopped.set()
        thread.join()
        gc.callbacks.remove(watch)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    write_json(
        json_path,
        {
            "wall_s": wall,
            "cpu_s": cpu,
            "max_rss_bytes": rss if sys.platform == "darwin" else rss * 1024,
            "gc": {"collections": watch.collections, "collected": watch.collected, "pause_s": watch.pause},
            "asyncio": {
                "used": "asyncio" in sys.modules,
                "slow_callbacks": [
                    {"seconds": seconds, "handle": handle, "frame": blocking_frame(sampler, end, seconds)}
                    for end, seconds, handle in slow.seen
                ],
            },
            "stacks": [[[list(f) for f in path], seconds, waiting] for path, (seconds, waiting) in sampler.stacks.items()],
            "args": [
                [*key, name, kind, low, high, count]
                for key, notes in sampler.args.items()
                for name, (kind, low, high, count) in notes.items()
            ],
        },
    )
    sys.exit(status)


main()
