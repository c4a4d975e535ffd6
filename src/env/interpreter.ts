import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { runProcess } from '../proc/run.js';

/**
 * The interpreter that actually runs Python code: `sys.executable` of the given
 * one, else of the project's `.venv`, else of `python3`. A version-manager shim
 * (pyenv) starts a shell on every call, which would be timed with the program.
 */
export async function resolveRealPython(root: string, given?: string, signal?: AbortSignal): Promise<string> {
  const venv = join(root, '.venv', 'bin', 'python');
  const candidate = given ?? (existsSync(venv) ? venv : 'python3');
  const result = await runProcess([candidate, '-c', 'import sys; print(sys.executable)'], { cwd: root, timeoutMs: 30_000, signal });
  const executable = result.stdout.trim();
  if (result.spawnError !== undefined) {
    throw new UserError(`could not start ${candidate}: ${result.spawnError}; pass the project's interpreter (e.g. .venv/bin/python)`);
  }
  if (result.exitCode !== 0 || !executable) {
    throw new UserError(`could not run the Python interpreter ${candidate}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
  }
  return executable;
}

/** Whether argv[0] asks for Python by a bare name (`python`, `python3`, `python3.11`). */
export function isBarePythonName(program: string): boolean {
  return /^python(\d+(\.\d+)?)?$/.test(program);
}
