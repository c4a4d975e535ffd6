"""Run a Python target under tracemalloc; report the allocations alive at the highest traced memory, per call path."""

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
        [[[*function_at(frame.filename, frame.lineno), frame.lineno] for frame in stat.traceback], stat.size, stat.count]
        for stat in snapshot.statistics("traceback")
        if stat.traceback[-1].filename != tracemalloc.__file__
    ]
    write_json(json_path, {"stacks": stacks, "peak_bytes": peak})
    sys.exit(status)


main()
