"""Run a Python target under cProfile; write the pstats file and per-function totals, also when ended by SIGTERM."""

import cProfile
import pstats
import sys

from codeflash_profile_common import exit_on_sigterm, ignore_sigterm, run_target, write_json

# Python 3.12 inlines these into the function that holds them; fold them the same way on older versions.
INLINED = {"<listcomp>", "<dictcomp>", "<setcomp>"}


def _frame(key):
    filename, line, name = key
    return [name, "" if filename == "~" else filename, line]


def per_function(stats):
    """Per-function rows and caller-to-callee edges, comprehensions folded into the function that holds them."""
    own = {key: value[2] for key, value in stats.items()}
    folded = {}
    for key, (_cc, _nc, tt, _ct, callers) in stats.items():
        if key[2] in INLINED and len(callers) == 1:
            caller = next(iter(callers))
            if caller[0] == key[0] and caller in own:
                own[caller] += tt
                del own[key]
                folded[key] = caller
    rows = []
    edges = []
    for key, (_cc, nc, _tt, ct, callers) in stats.items():
        if key in own:
            rows.append([*_frame(key), round(own[key] * 1e9), round(ct * 1e9), nc])
        callee = folded.get(key, key)
        for caller, (_ccc, calls, _ctt, cct) in callers.items():
            caller = folded.get(caller, caller)
            if caller != callee:
                edges.append([*_frame(caller), *_frame(callee), calls, round(cct * 1e9)])
    return rows, edges


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
    rows, edges = per_function(pstats.Stats(profiler).stats)
    write_json(json_path, {"flat": rows, "edges": edges})
    sys.exit(status)


main()
