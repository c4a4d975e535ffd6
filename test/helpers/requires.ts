import { execFileSync } from 'node:child_process';

/**
 * Whether an optional system tool is present. On a user's machine a missing tool
 * skips the suite with one line saying why; under CI=true it must be present, so
 * a missing tool fails loudly instead of hiding the tests.
 */
export function requireTool(name: string, probe: string[] = ['--version']): { ok: boolean; reason: string } {
  let ok = true;
  try {
    execFileSync(name, probe, { stdio: 'ignore', timeout: 20_000 });
  } catch (error) {
    // A tool that runs but exits non-zero for --version is still present.
    ok = (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  const reason = `${name} is not installed`;
  if (!ok && process.env.CI === 'true') {
    throw new Error(`${reason}, and CI=true requires it (.ci/run installs it)`);
  }
  if (!ok) console.warn(`skipping: ${reason}`);
  return { ok, reason };
}

/** Same as requireTool for a Python module importable by the given interpreter. */
export function requirePythonModule(python: string, module: string): { ok: boolean; reason: string } {
  let ok = true;
  try {
    execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    ok = false;
  }
  const reason = `python module ${module} is not installed (pip install ${module})`;
  if (!ok && process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires it`);
  if (!ok) console.warn(`skipping: ${reason}`);
  return { ok, reason };
}

let cachedPython: string | undefined;

/** The real Python interpreter behind `python3` (a version-manager shim adds ~50 ms per start). */
export function realPython(): string {
  cachedPython ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return cachedPython;
}
