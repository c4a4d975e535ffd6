import { resolveCommand } from '../../env/command.js';
import { findOnPath } from '../../env/files.js';
import { goExecutable } from '../../env/go.js';
import { resolveRealPython } from '../../env/interpreter.js';
import { UserError } from '../../errors.js';
import { timingHelper } from '../../proc/timer.js';
import type { CompareRequest } from '../compare.js';
import { callgrindRunner } from './callgrind.js';
import { commandRowName, projectPathArguments, timedRunner } from './command.js';
import { goBenchRunner } from './go-bench.js';
import { jsSuiteRunner } from './js-bench.js';
import { peakRssRunner } from './memory.js';
import { pytestBenchmarkRunner } from './pytest-benchmark.js';
import type { CommandSpec, Runner } from './runner.js';

/** The runner a compare request asks for: its command in the chosen mode, else the language's benchmark suite. */
export async function buildRunner(request: CompareRequest, signal?: AbortSignal): Promise<Runner> {
  if (request.command !== undefined) {
    const command = await commandSpec(request, signal);
    const name = commandRowName(command);
    const paths = command.shell ? [] : projectPathArguments(command.argv, request.root);
    if (request.mode === 'instructions') {
      if (!(await findOnPath('valgrind'))) {
        throw new UserError('instructions mode counts under valgrind, which is not on PATH: install it (apt-get install valgrind)');
      }
      return callgrindRunner(command, name, paths);
    }
    if (request.mode === 'memory') return peakRssRunner(command, name, paths);
    if (request.mode === 'cpu' && request.timer === 'node')
      throw new UserError("cpu mode reads CPU time from a timing helper: Node's clock cannot see it");
    return timedRunner(command, name, paths, timerHelper(request, signal), request.mode === 'cpu' ? 'cpu' : 'wall');
  }
  if (request.language === 'python') {
    const python = await resolveRealPython(request.root, request.python, signal);
    return pytestBenchmarkRunner({ python, benchmark: request.benchmark!, benchTimeS: request.benchTimeS });
  }
  if (request.language === 'node') return jsSuiteRunner(request.root, request.benchmark!, signal);
  return goBenchRunner({ go: goExecutable(), benchmark: request.benchmark, benchTimeS: request.benchTimeS });
}

/** The user's command with its runtime put first, as every tool resolves it. */
async function commandSpec(request: CompareRequest, signal?: AbortSignal): Promise<CommandSpec> {
  const resolved = await resolveCommand(request.command!, {
    language: request.language,
    root: request.root,
    python: request.python,
    signal,
  });
  return { argv: resolved.argv, shell: resolved.needsShell, env: {} };
}

/** The timing helper for wall runs; a Python (the project's own, or any python3) only for when the C one cannot be built. */
async function timerHelper(request: CompareRequest, signal?: AbortSignal) {
  const python =
    request.language === 'python'
      ? await resolveRealPython(request.root, request.python, signal)
      : await resolveRealPython(request.root, undefined, signal).catch(() => undefined);
  return timingHelper({ python, prefer: request.timer });
}
