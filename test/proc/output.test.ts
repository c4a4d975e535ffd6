import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAIL_BYTES } from '../../src/proc/capture.js';
import { runProcess } from '../../src/proc/run.js';
import { TimedSpawner } from '../../src/proc/spawner.js';
import { timingHelper } from '../../src/proc/timer.js';
import { realPython } from '../helpers/requires.js';

/** A Python program that writes `mb` MiB of numbered lines to stdout (1 KiB each), then "done" on stderr. */
function loud(mb: number): string[] {
  return [
    realPython(),
    '-c',
    `import sys
out = sys.stdout.buffer
for i in range(${mb}):
    out.write(b"".join(b"%04d-%06d " % (i, j) + b"x" * 1011 + b"\\n" for j in range(1024)))
out.write(b"last line\\n")
out.flush()
sys.stderr.write("done\\n")`,
  ];
}

describe('a program that prints a lot', () => {
  it('runs to its end under runProcess, which keeps only the tail of each stream', async () => {
    const result = await runProcess(loud(100), { cwd: tmpdir() });
    expect(result.stderr).toBe('done\n');
    expect(result).toMatchObject({ exitCode: 0, signal: null, stdoutCut: true });
    expect(result.stdout.length).toBeLessThanOrEqual(TAIL_BYTES);
    expect(result.stdout.endsWith('last line\n')).toBe(true);
  });

  it('keeps the whole stdout up to stdoutMaxBytes when asked, and says when it went past', async () => {
    const small = await runProcess(loud(1), { cwd: tmpdir(), stdoutMaxBytes: 2 * 1024 * 1024 });
    expect(small).toMatchObject({ exitCode: 0, stdoutCut: false });
    expect(small.stdout.length).toBe(1024 * 1024 + 'last line\n'.length);
    const large = await runProcess(loud(3), { cwd: tmpdir(), stdoutMaxBytes: 2 * 1024 * 1024 });
    expect(large).toMatchObject({ exitCode: 0, stdoutCut: true });
    expect(large.stdout.length).toBeLessThanOrEqual(TAIL_BYTES);
  });

  it('hands every line to onLine, a line without end cut into bounded pieces', async () => {
    let lines = 0;
    let longest = 0;
    const result = await runProcess([realPython(), '-c', 'import sys; sys.stdout.write("y" * (8 << 20)); sys.stdout.write("\\nz\\n")'], {
      cwd: tmpdir(),
      onLine: (line) => {
        lines++;
        longest = Math.max(longest, line.length);
      },
    });
    expect(result.exitCode).toBe(0);
    expect(longest).toBeLessThanOrEqual(TAIL_BYTES);
    expect(lines).toBeGreaterThan(2);
  });

  describe.each(['c', 'python'] as const)('under the %s timing helper', (kind) => {
    let spawner: TimedSpawner;
    beforeAll(async () => {
      spawner = await TimedSpawner.start((await timingHelper({ python: realPython(), prefer: kind }))!);
    });
    afterAll(async () => {
      await spawner.close();
    });

    it('keeps only the tail of what the run wrote', async () => {
      const result = await spawner.run(loud(100), { cwd: tmpdir() });
      expect(result).toMatchObject({ exitCode: 0, stderr: 'done\n', stdoutCut: true });
      expect(result.stdout.length).toBeLessThanOrEqual(TAIL_BYTES);
      expect(result.stdout.endsWith('last line\n')).toBe(true);
    });
  });
});
