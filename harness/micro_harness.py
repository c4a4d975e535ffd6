"""micro_benchmark's Python side: time snippets a and b with timeit, in the order given.

Reads its job as JSON on stdin: {setup, a, b, first, loops, warmup, order, target_s, marker}.
Checks each snippet on its own (so an error names the snippet), compiles the `first`
snippet first, calibrates one loop count for both (the smaller of the two, so neither
sample runs long) unless `loops` is given, runs the warmup samples and drops them, takes
the samples in the given interleaved order, and reports marker-prefixed JSON lines on
stdout: progress, then the result or an error. What the snippets print goes to stderr.
"""

import json
import sys
import timeit

# Run as a file, the interpreter puts this directory first on the path; snippets import from
# the working directory (the project root), as under `python -c`.
sys.path[0] = ""

spec = json.load(sys.stdin)
protocol, sys.stdout = sys.stdout, sys.stderr
names = ("a", "b") if spec["first"] == "a" else ("b", "a")


def emit(message):
    protocol.write("\n" + spec["marker"] + json.dumps(message) + "\n")
    protocol.flush()


def guarded(snippet, phase, action, *args, **kwargs):
    """action(*args, **kwargs); an exception is reported as the snippet's error and ends the harness."""
    try:
        return action(*args, **kwargs)
    except Exception as error:
        emit({"error": {"snippet": snippet, "phase": phase, "type": type(error).__name__, "message": str(error)}})
        sys.exit(2)


def calibrate(timer, name):
    loops = 1
    while True:
        elapsed = guarded(name, "run", timer.timeit, loops)
        if elapsed >= spec["target_s"]:
            return loops
        loops = int(loops * min(100, spec["target_s"] * 1.2 / elapsed)) + 1 if elapsed > 0 else loops * 100


def main():
    for name in ("setup", *names):
        guarded(name, "compile", compile, spec[name], "<" + name + ">", "exec")
    guarded("setup", "run", exec, compile(spec["setup"], "<setup>", "exec"), {"__name__": "__micro__"})
    timers = {name: guarded(name, "run", timeit.Timer, spec[name], spec["setup"], globals={"__name__": "__micro__"}) for name in names}
    loops = spec["loops"] or min(calibrate(timers[name], name) for name in names)
    for name in spec["warmup"]:
        guarded(name, "run", timers[name].timeit, loops)
    samples = {"a": [], "b": []}
    for done, name in enumerate(spec["order"], 1):
        elapsed = guarded(name, "run", timers[name].timeit, loops)
        samples[name].append(elapsed / loops * 1e9)
        emit({"done": done})
    emit({"result": {"loops": loops, "samples": samples}})


main()
