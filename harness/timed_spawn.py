"""Time whole programs the way hyperfine does; the Python twin of timed_spawn.c.

Jobs arrive on stdin as NUL-terminated fields: cwd, stdout path, stderr path,
argc, argv..., envc, env ("K=V").... Answers on stdout: {"ready": true} once,
then per job {"pid"} once the program runs and {"pid", "elapsed_ns", "cpu_ns",
"exit" | "signal"} when it ends, or {"error"} when it cannot start. posix_spawn
is a vfork-style clone, so the clock holds the program's own start-up and little
else. Each program gets its own process group (setpgroup=0) and default SIGPIPE
and SIGXFSZ handling (Python itself ignores them). With --cpu N the helper, and
so every program it starts, is pinned to CPU N. Run with -S -u: no site
imports, unbuffered pipes.
"""

import json
import os
import signal
import sys
import time


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def fields(stream):
    pending = b""
    while True:
        chunk = stream.read1(65536)
        if not chunk:
            return
        *done, pending = (pending + chunk).split(b"\0")
        yield from done


def jobs(stream):
    source = fields(stream)
    for cwd in source:
        out, err, argc = next(source), next(source), int(next(source))
        argv = [next(source) for _ in range(argc)]
        env = dict(next(source).split(b"=", 1) for _ in range(int(next(source))))
        yield cwd, out, err, argv, env


def run(cwd, out, err, argv, env):
    fds = []
    try:
        fds = [os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) for path in (out, err)]
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fds[0], 1),
            (os.POSIX_SPAWN_DUP2, fds[1], 2),
        ]
        os.chdir(cwd)
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(
            argv[0],
            argv,
            env,
            file_actions=actions,
            setpgroup=0,
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
        )
    except OSError as error:
        reply({"error": f"{error.strerror or error} (errno {error.errno})"})
        return
    finally:
        for fd in fds:
            os.close(fd)
    reply({"pid": pid})
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    cpu = round((usage.ru_utime + usage.ru_stime) * 1e9)
    ended = {"pid": pid, "elapsed_ns": elapsed, "cpu_ns": cpu}
    if os.WIFSIGNALED(status):
        reply({**ended, "signal": os.WTERMSIG(status)})
    else:
        reply({**ended, "exit": os.WEXITSTATUS(status)})


def main():
    if not hasattr(os, "posix_spawnp"):
        sys.exit(3)
    if len(sys.argv) == 3 and sys.argv[1] == "--cpu":
        os.sched_setaffinity(0, {int(sys.argv[2])})
    reply({"ready": True})
    for job in jobs(sys.stdin.buffer):
        run(*job)


main()
