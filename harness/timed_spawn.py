"""Time whole programs the way hyperfine does, one job per line on stdin.

Answers on stdout: {"ready": true} once, then per job {"pid"} once the program
runs and {"pid", "elapsed_ns", "exit" | "signal"} when it ends, or {"error"}
when it cannot start. posix_spawn is a vfork-style clone, so the clock holds the
program's own start-up and little else. Each program gets its own process group
(setpgroup=0). Run with -S -u: no site imports, unbuffered pipes.
"""

import json
import os
import sys
import time


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def run(job):
    fds = []
    try:
        fds = [os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) for name in ("stdout", "stderr")]
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fds[0], 1),
            (os.POSIX_SPAWN_DUP2, fds[1], 2),
        ]
        os.chdir(job["cwd"])
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(job["argv"][0], job["argv"], job["env"], file_actions=actions, setpgroup=0)
    except OSError as error:
        reply({"error": f"{type(error).__name__}: {error.strerror or error}"})
        return
    finally:
        for fd in fds:
            os.close(fd)
    reply({"pid": pid})
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if os.WIFSIGNALED(status):
        reply({"pid": pid, "elapsed_ns": elapsed, "signal": os.WTERMSIG(status)})
    else:
        reply({"pid": pid, "elapsed_ns": elapsed, "exit": os.WEXITSTATUS(status)})


def main():
    if not hasattr(os, "posix_spawnp"):
        sys.exit(3)
    reply({"ready": True})
    for line in sys.stdin:
        run(json.loads(line))


main()
