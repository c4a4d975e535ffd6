/**
 * Python helper programs, run with the project's own interpreter. They are
 * written next to the profile output at run time (the build copies only
 * TypeScript), and all print JSON in one shape:
 *   {"flat": [[function, file, first_line, self_ns, total_ns, calls], ...]}   per function
 *   {"stacks": [[[[function, file, first_line], ...root first], bytes, count], ...], "peak_bytes": n}
 */

export const COMMON_MODULE = 'codeflash_profile_common';

const common = String.raw`"""Shared by the profiling helpers: run a target as the interpreter would, and name the function at a source line."""
import ast
import json
import os
import runpy
import signal
import sys
import traceback


def exit_on_sigterm():
    """Turn SIGTERM into SystemExit so the helper still writes what it measured."""

    def _raise(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _raise)


def ignore_sigterm():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_target(args):
    """Run 'script args', '-m module args' or '-c code args' as __main__; return the exit status."""
    try:
        if args[0] == "-m":
            sys.argv = [args[1], *args[2:]]
            sys.path[0] = os.getcwd()
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        elif args[0] == "-c":
            sys.argv = ["-c", *args[2:]]
            sys.path[0] = ""
            exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        else:
            sys.argv = list(args)
            sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
            runpy.run_path(args[0], run_name="__main__")
    except SystemExit as exc:
        return _status(exc.code)
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


_spans = {}


def _collect(node, prefix, spans):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + child.name
            first = min([child.lineno] + [d.lineno for d in child.decorator_list])
            spans.append((first, child.end_lineno, name))
            _collect(child, name + ".<locals>.", spans)
        elif isinstance(child, ast.ClassDef):
            _collect(child, prefix + child.name + ".", spans)
        else:
            _collect(child, prefix, spans)


def _function_spans(filename):
    spans = _spans.get(filename)
    if spans is None:
        try:
            with open(filename, "rb") as source:
                tree = ast.parse(source.read())
            spans = []
            _collect(tree, "", spans)
        except (OSError, SyntaxError, ValueError):
            spans = False
        _spans[filename] = spans
    return spans


def function_at(filename, lineno, name=None):
    """[qualified name, file, first line] of the innermost function holding a line, or the module."""
    spans = _function_spans(filename)
    if spans is False:
        return [name or "<unknown>", filename, lineno]
    best = None
    for first, last, qualname in spans:
        if first <= lineno <= last and (best is None or first >= best[0]):
            best = (first, qualname)
    if best is None:
        return ["<module>", filename, 1]
    return [best[1], filename, best[0]]


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(value, out, separators=(",", ":"))
`;

const cprofile = String.raw`"""Run a Python target under cProfile; write the pstats file and per-function totals, also when ended by SIGTERM."""
import cProfile
import pstats
import sys

from codeflash_profile_common import exit_on_sigterm, ignore_sigterm, run_target, write_json

# Python 3.12 inlines these into the function that holds them; fold them the same way on older versions.
INLINED = {"<listcomp>", "<dictcomp>", "<setcomp>"}


def per_function(stats):
    own = {key: value[2] for key, value in stats.items()}
    for key, (_cc, _nc, tt, _ct, callers) in stats.items():
        if key[2] in INLINED and len(callers) == 1:
            caller = next(iter(callers))
            if caller[0] == key[0] and caller in own:
                own[caller] += tt
                del own[key]
    rows = []
    for key, (_cc, nc, _tt, ct, _callers) in stats.items():
        if key in own:
            filename, line, name = key
            rows.append([name, "" if filename == "~" else filename, line, round(own[key] * 1e9), round(ct * 1e9), nc])
    return rows


def main():
    pstats_path, json_path, *target = sys.argv[1:]
    profiler = cProfile.Profile()
    exit_on_sigterm()
    profiler.enable()
    try:
        status = run_target(target)
    finally:
        profiler.disable()
        ignore_sigterm()
    profiler.dump_stats(pstats_path)
    write_json(json_path, {"flat": per_function(pstats.Stats(profiler).stats)})
    sys.exit(status)


main()
`;

const tracemalloc = String.raw`"""Run a Python target under tracemalloc; report the allocations alive at the highest traced memory, per call path."""
import sys
import threading
import time
import tracemalloc

from codeflash_profile_common import exit_on_sigterm, function_at, ignore_sigterm, run_target, write_json

FRAMES = 32
POLL_S = 0.02
GROWTH = 1.1


class PeakKeeper:
    """Snapshots each time traced memory grows past the last snapshot, so what was alive at the peak survives later frees.

    A snapshot of a big heap is slow; after one, the next waits four times as long as it took, which keeps
    snapshots under a fifth of the run time.
    """

    def __init__(self):
        self.snapshot = None
        self.size = 0
        self.next_at = 0.0
        self.stopped = threading.Event()

    def take_if_higher(self, growth):
        current, _peak = tracemalloc.get_traced_memory()
        if current <= self.size * growth:
            return
        started = time.monotonic()
        snapshot = tracemalloc.take_snapshot()
        self.next_at = time.monotonic() + 4 * (time.monotonic() - started)
        self.snapshot, self.size = snapshot, current

    def watch(self):
        while not self.stopped.wait(POLL_S):
            if time.monotonic() >= self.next_at:
                self.take_if_higher(GROWTH)


def main():
    snapshot_path, json_path, *target = sys.argv[1:]
    keeper = PeakKeeper()
    watcher = threading.Thread(target=keeper.watch, daemon=True)
    exit_on_sigterm()
    tracemalloc.start(FRAMES)
    watcher.start()
    try:
        status = run_target(target)
    finally:
        ignore_sigterm()
        keeper.stopped.set()
        watcher.join()
        keeper.take_if_higher(1.0)
    peak = tracemalloc.get_traced_memory()[1]
    snapshot = keeper.snapshot or tracemalloc.take_snapshot()
    tracemalloc.stop()
    snapshot.dump(snapshot_path)
    stacks = [
        [[function_at(frame.filename, frame.lineno) for frame in stat.traceback], stat.size, stat.count]
        for stat in snapshot.statistics("traceback")
        if stat.traceback[-1].filename != tracemalloc.__file__
    ]
    write_json(json_path, {"stacks": stacks, "peak_bytes": peak})
    sys.exit(status)


main()
`;

const memrayReader = String.raw`"""Read a memray capture: the allocations alive at the highest memory use, per call path."""
import os
import sys

import memray

from codeflash_profile_common import function_at, write_json

HARNESS = os.path.dirname(memray.__file__) + os.sep


def main():
    capture, json_path = sys.argv[1:]
    reader = memray.FileReader(capture)
    stacks = []
    for record in reader.get_high_watermark_allocation_records(merge_threads=True):
        path = [
            function_at(filename, line, function)
            for function, filename, line in reversed(record.stack_trace())
            if not filename.startswith(HARNESS)
        ]
        stacks.append([path, record.size, record.n_allocations])
    write_json(json_path, {"stacks": stacks, "peak_bytes": reader.metadata.peak_memory})


main()
`;

export const PYTHON_HELPERS = {
  [COMMON_MODULE]: common,
  codeflash_cprofile: cprofile,
  codeflash_tracemalloc: tracemalloc,
  codeflash_memray_read: memrayReader,
} as const;

export type PythonHelperName = Exclude<keyof typeof PYTHON_HELPERS, typeof COMMON_MODULE>;
