"""Shared by the profiling helpers: run a target as the interpreter would, and name the function at a source line."""

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
