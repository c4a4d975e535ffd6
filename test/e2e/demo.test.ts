import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp-client.js';
import { requireTool } from '../helpers/requires.js';

function demo(...args: string[]) {
  return spawnSync(process.execPath, [CLI, 'demo', ...args], { encoding: 'utf8', timeout: 240_000 });
}

describe('codeflash-mcp demo', () => {
  it('refuses a language it has no example for', () => {
    const result = demo('--language', 'ruby');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--language takes python, node, go, not ruby');
  });

  it.skipIf(!requireTool('go', ['version']).ok)(
    'runs the loop on the Go example: the project function first in the profile, the fix faster, kept, and a PR body',
    () => {
      const result = demo('--language', 'go');
      expect(result.status, result.stdout + result.stderr).toBe(0);
      const profileLines = result.stdout.split('\n').filter((line) => / % self /.test(line));
      expect(profileLines[0]).toContain('example.com/inventory.UniqueSKUs');
      expect(result.stdout).toMatch(/benchmark_compare main → the edited tree \{"benchmark":"\."\} → BenchmarkUniqueSKUs: faster/);
      expect(result.stdout).toMatch(
        /record_result keep files \["dedupe\.go"\] → Experiment #2 \(keep, proven\).*Committed 1 file\(s\) as [0-9a-f]{12}\./,
      );
      expect(result.stdout).toMatch(/pr_body → PR body written to \S+pr-body-UniqueSKUs\.md \(generic template\)/);
      expect(result.stdout).toContain("go test -run '^$' -bench '.' -benchtime 100ms -count 10 .");
      expect(result.stdout).toMatch(/The progress chart: \S+progress\.svg/);
    },
    240_000,
  );
});
