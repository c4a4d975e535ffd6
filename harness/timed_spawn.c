/*
 * Time whole programs the way hyperfine does: the C twin of timed_spawn.py,
 * built once per machine with its C compiler, for machines without Python and
 * because nothing starts a program with less of its own time on the clock.
 *
 * Protocol (the same for both helpers). Jobs arrive on stdin as NUL-terminated
 * fields: cwd, stdout path, stderr path, argc, argv..., envc, env ("K=V")....
 * Answers on stdout, one JSON object a line: {"ready": true} once, then per job
 * {"pid"} once the program runs and {"pid", "elapsed_ns", "cpu_ns", "exit" |
 * "signal"} when it ends, or {"error"} when it cannot start. Each program gets
 * its own process group and default SIGPIPE/SIGXFSZ handling. With --cpu N
 * the helper, and so every program it starts, is pinned to CPU N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *field(void) {
  char *line = NULL;
  size_t capacity = 0;
  if (getdelim(&line, &capacity, '\0', stdin) < 0) {
    free(line);
    return NULL;
  }
  return line;
}

static char **fields(size_t count) {
  char **out = calloc(count + 1, sizeof(char *));
  for (size_t i = 0; i < count; i++) {
    out[i] = field();
    if (out[i] == NULL) exit(0);
  }
  return out;
}

static void release(char **list) {
  for (char **item = list; *item != NULL; item++) free(*item);
  free(list);
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns(const struct rusage *usage) {
  return ((long long)usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) * 1000000000LL +
         ((long long)usage->ru_utime.tv_usec + usage->ru_stime.tv_usec) * 1000LL;
}

static void error_reply(int code) {
  printf("{\"error\": \"%s (errno %d)\"}\n", strerror(code), code);
  fflush(stdout);
}

static void run(char *cwd, char *out_path, char *err_path, char **argv, char **envp) {
  int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0 || err < 0) {
    error_reply(errno);
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    return;
  }
  if (chdir(cwd) != 0) {
    error_reply(errno);
    close(out);
    close(err);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  long long start = now_ns();
  int failed = posix_spawnp(&pid, argv[0], &actions, &attributes, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out);
  close(err);
  if (failed) {
    error_reply(failed);
    return;
  }
  printf("{\"pid\": %d}\n", pid);
  fflush(stdout);
  int status;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  long long elapsed = now_ns() - start;
  if (WIFSIGNALED(status)) {
    printf("{\"pid\": %d, \"elapsed_ns\": %lld, \"cpu_ns\": %lld, \"signal\": %d}\n", pid, elapsed, cpu_ns(&usage), WTERMSIG(status));
  } else {
    printf("{\"pid\": %d, \"elapsed_ns\": %lld, \"cpu_ns\": %lld, \"exit\": %d}\n", pid, elapsed, cpu_ns(&usage), WEXITSTATUS(status));
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--cpu") == 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(atoi(argv[2]), &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) return 4;
  }
  printf("{\"ready\": true}\n");
  fflush(stdout);
  for (;;) {
    char *cwd = field();
    if (cwd == NULL) return 0;
    char **paths = fields(3);
    char **args = fields((size_t)atol(paths[2]));
    char *env_count = field();
    if (env_count == NULL) return 0;
    char **envp = fields((size_t)atol(env_count));
    run(cwd, paths[0], paths[1], args, envp);
    free(cwd);
    free(env_count);
    release(paths);
    release(args);
    release(envp);
  }
}
