import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisonFigures, figuresIn, rowResult } from '../../src/pr/evidence.js';
import { PLACEHOLDERS } from '../../src/pr/templates.js';
import { getComparison } from '../../src/state/comparisons.js';
import { commitAll, gitIn } from '../helpers/git-repo.js';
import { errorText } from '../helpers/in-memory.js';
import { type PrFixture, prFixture } from './support.js';

async function body(fixture: PrFixture, args: Record<string, unknown>) {
  const result = await fixture.mcp.call('pr_body', args);
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as { path: string; markdown: string; proven: boolean; template: string; next: string[] };
}

/** The text under a `## heading` up to the next heading of that level or above (a `#` line inside a code fence is none). */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `no section ${heading}`).toBeGreaterThanOrEqual(0);
  const level = heading.split(' ')[0]!.length;
  let fenced = false;
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('```')) fenced = !fenced;
    const depth = /^(#+) /.exec(line)?.[1]?.length;
    if (!fenced && depth !== undefined && depth <= level) break;
    out.push(line);
  }
  return out.join('\n').trim();
}

/** What every body must hold, whatever the template: no placeholder left, the numbers exactly the stored comparison's. */
function expectFaithful(fixture: PrFixture, markdown: string, comparisonId: string) {
  const stored = getComparison(fixture.project.db, comparisonId)!;
  expect(markdown).not.toMatch(/\{\{/);
  for (const line of stored.markdown.split('\n').filter(Boolean)) expect(markdown).toContain(line);
  const supported = comparisonFigures(stored);
  const figures = figuresIn(markdown);
  expect(figures.length).toBeGreaterThan(3);
  expect(figures.filter((f) => !supported.has(f))).toEqual([]);
}

describe('pr_body', () => {
  it('fills the Python template: summary, details, platform, table, flags, refs, runner, benchmark, reproducer, tests', async () => {
    const fixture = await prFixture();
    const id = await fixture.keepChange();
    const head = gitIn(fixture.root, 'rev-parse', 'HEAD').trim();
    const out = await body(fixture, { comparison_id: id });
    expect(out).toMatchObject({ template: 'built-in:python', proven: true });
    expect(out.path).toBe(join(fixture.root, '.codeflash', 'pr-body-total.md'));
    expect(readFileSync(out.path, 'utf8')).toBe(out.markdown);
    const md = out.markdown;
    expectFaithful(fixture, md, id);
    const row = getComparison(fixture.project.db, id)!.rows[0]!;
    expect(md.split('\n')[0]).toBe('# total: −60.0 % wall time (2.50× faster)');
    const summary = section(md, '## Summary');
    expect(summary).toContain('- `shop/cart.py:total`: sum() adds in C instead of a Python loop');
    expect(summary).toContain(`- \`bench.py\` ${rowResult(row)}; wall mode, 12 pairs, ±1.0 %`);
    expect(section(md, '## Technical details')).toContain(`Commit: \`${head.slice(0, 12)}\` (experiment #2 of the ledger).`);
    const platform = section(md, '## Benchmark');
    expect(platform).toContain(`**Platform:** ${os.cpus()[0]!.model.trim()}, ${os.availableParallelism()} core`);
    expect(platform).toMatch(/Python 3\.\d+\.\d+; machine: local \(/);
    expect(platform).toContain(`Compared \`main\` (${fixture.base.slice(0, 12)}) (base)`);
    expect(platform).toContain(`\`HEAD\` (${head.slice(0, 12)})`);
    expect(platform).toContain('flags of the comparison: `{"base":"main","head":"HEAD","mode":"wall","command":"bench.py"}`');
    const reproduce = section(md, '### Reproduce');
    expect(reproduce).toContain('`$RUNNER` is `python3` unless you set it), on the benchmark `bench.py`');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    expect(reproduce).toContain('export RUNNER="${RUNNER:-python3}"');
    expect(reproduce).toContain(`git worktree add --quiet --detach "$WORK/base" ${fixture.base}`);
    expect(reproduce).toContain(`git worktree add --quiet --detach "$WORK/head" ${head}`);
    expect(reproduce).toContain(`--command-name base 'cd "$WORK/base" && PYTHONPATH=. $RUNNER bench.py'`);
    const tests = section(md, '## Test plan');
    expect(tests).toMatch(
      /^- \[x\] Existing tests pass: `\S*python\S* -m pytest -q` \(exit 0 in [\d.]+ s, \d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.$/m,
    );
    expect(tests).toContain(`- [x] Benchmark \`bench.py\`: ${rowResult(row)}`);
    expect(md).not.toContain('## Changelog');
    expect(out.next[0]).toMatch(/No review yet/);
  });

  it('every built-in template and a project template come out with every field filled', async () => {
    const fixture = await prFixture({ 'CHANGELOG.md': '# Changes\n' });
    const id = await fixture.keepChange();
    mkdirSync(join(fixture.root, '.codeflash', 'templates'), { recursive: true });
    writeFileSync(
      join(fixture.root, '.codeflash', 'templates', 'team.md'),
      `${PLACEHOLDERS.map((name) => `<!-- ${name} -->\n{{${name}}}`).join('\n\n')}\n`,
    );
    for (const template of ['generic', 'python', 'memory', 'team']) {
      const out = await body(fixture, { comparison_id: id, template, function: `total-${template}` });
      expect(out.template).toBe(template === 'team' ? 'project:team' : `built-in:${template}`);
      expectFaithful(fixture, out.markdown, id);
      expect(out.markdown).toContain('## Changelog\n\nSuggested entry for `CHANGELOG.md`:\n\n- Performance: `total-');
    }
    const team = readFileSync(join(fixture.root, '.codeflash', 'pr-body-total-team.md'), 'utf8');
    for (const [i, name] of PLACEHOLDERS.entries()) {
      const start = team.indexOf(`<!-- ${name} -->\n`) + `<!-- ${name} -->\n`.length;
      const end = i + 1 < PLACEHOLDERS.length ? team.indexOf(`<!-- ${PLACEHOLDERS[i + 1]} -->`) : team.length;
      expect(team.slice(start, end).trim().length, `${name} is empty`).toBeGreaterThan(0);
    }
    // A project's default template is used without being named; a placeholder that is no field is refused.
    writeFileSync(join(fixture.root, '.codeflash', 'templates', 'pr-body.md'), '# {{TITLE}}\n\n{{COMPARISON_TABLE}}\n');
    expect((await body(fixture, { comparison_id: id })).template).toBe('project:pr-body');
    writeFileSync(join(fixture.root, '.codeflash', 'templates', 'pr-body.md'), '# {{TITLE}} {{BENCHMARK_NUMBERS}}\n');
    const bad = await fixture.mcp.call('pr_body', { comparison_id: id });
    expect(errorText(bad)).toMatch(/uses \{\{BENCHMARK_NUMBERS\}\}, which is no field; the fields are TITLE, SUMMARY_BULLETS/);
  });

  it('writes no body for an unproven keep unless allow_unproven, and then says so first', async () => {
    const fixture = await prFixture();
    const id = await fixture.keepChange('unchanged', { override_reason: 'the maintainer prefers sum()' });
    const refused = await fixture.mcp.call('pr_body', { comparison_id: id });
    expect(refused.isError).toBe(true);
    expect(errorText(refused)).toMatch(/no PR body for a change that is not proven: comparison cmp-\w+ says bench\.py unchanged/);
    expect(errorText(refused)).toMatch(/experiment #2 was kept on override: the maintainer prefers sum\(\)/);
    const out = await body(fixture, { comparison_id: id, allow_unproven: true });
    expect(out.proven).toBe(false);
    expect(out.markdown).toMatch(
      /^> \*\*Not proven\.\*\* This body was written with allow_unproven: comparison cmp-\w+ says bench\.py unchanged/,
    );
    expect(section(out.markdown, '## Test plan')).toContain('- [ ] Benchmark `bench.py`: unchanged');
    // An inconclusive comparison that no experiment uses proves nothing either.
    const inconclusive = fixture.compare([{ base: 120, head: 100, verdict: 'inconclusive', halfWidth: 30 }]);
    expect(errorText(await fixture.mcp.call('pr_body', { comparison_id: inconclusive }))).toMatch(/bench\.py inconclusive/);
  });

  it('refuses numbers in the author’s text that no comparison shows, and a comparison that is no keep’s', async () => {
    const fixture = await prFixture();
    const id = await fixture.keepChange();
    const made_up = await fixture.mcp.call('pr_body', { comparison_id: id, summary: ['total() is now 3.5× faster'] });
    expect(errorText(made_up)).toMatch(/quote 3\.5×, which no stored comparison shows/);
    const quoted = await body(fixture, {
      comparison_id: id,
      summary: ['total() takes −60.0 % wall time: 2.50× faster'],
      details: 'A loop in C.',
    });
    expect(section(quoted.markdown, '## Summary')).toBe('- total() takes −60.0 % wall time: 2.50× faster');
    const discarded = fixture.compare([{ base: 10, head: 5, verdict: 'faster' }]);
    await fixture.mcp.call('record_result', { target: 't', hypothesis: 'h', status: 'discard', comparison_id: discarded });
    expect(errorText(await fixture.mcp.call('pr_body', { comparison_id: discarded }))).toMatch(
      /was recorded as discard: a PR body is for a kept change/,
    );
  });

  it('names the machine the comparison ran on: a remote host’s own record, with its runtimes', async () => {
    const fixture = await prFixture();
    writeFileSync(join(fixture.root, 'shop/cart.py'), 'def total(prices):\n    return sum(prices)\n');
    const head = commitAll(fixture.root, 'sum');
    const id = fixture.compare([{ base: 100, head: 50, verdict: 'faster' }], {
      head: { ref: 'HEAD', sha: head },
      host: 'bench-eu-1',
      machine: {
        host_name: 'vm-7',
        cpu_model: 'AMD EPYC 9V74',
        cpu_cores: 4,
        memory_bytes: 16 * 2 ** 30,
        os: 'Ubuntu 24.04',
        kernel: 'Linux 6.8.0',
        arch: 'x86_64',
        runtimes: { python: '3.12.3' },
      },
    });
    const out = await body(fixture, { comparison_id: id, template: 'generic' });
    expect(out.markdown).toContain(
      'Platform: AMD EPYC 9V74, 4 cores, 16 GiB RAM; Ubuntu 24.04, Linux 6.8.0 (x86_64); Python 3.12.3; machine: remote host bench-eu-1',
    );
  });

  it('uses the project’s runner for the reproducer (uv run python), the memory template and GNU time for a memory comparison', async () => {
    const fixture = await prFixture({ 'uv.lock': 'version = 1\n' });
    writeFileSync(join(fixture.root, 'shop/cart.py'), 'def total(prices):\n    return sum(prices)\n');
    const head = commitAll(fixture.root, 'sum');
    const id = fixture.compare([{ base: 48_000_000, head: 31_000_000, unit: 'bytes', verdict: 'faster' }], {
      head: { ref: 'HEAD', sha: head },
      mode: 'memory',
      request: { mode: 'memory', command: 'bench.py' },
    });
    const out = await body(fixture, { comparison_id: id, function: 'total_memory' });
    expect(out.template).toBe('built-in:memory');
    expect(out.markdown).toContain('# total_memory: −35.4 % peak memory (1.55× faster)');
    expect(out.markdown).toContain("with the project's runner `uv run python`");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    expect(out.markdown).toContain('export RUNNER="${RUNNER:-uv run python}"');
    expect(out.markdown).toContain('PYTHONPATH=. /usr/bin/time -v $RUNNER bench.py');
    expectFaithful(fixture, out.markdown, id);
  });

  it('stacked: every kept experiment with its own numbers, plus the branch point against the branch head', async () => {
    const fixture = await prFixture();
    const first = await fixture.keepChange();
    writeFileSync(join(fixture.root, 'bench.py'), `${readFileSync(join(fixture.root, 'bench.py'), 'utf8')}# fewer prints\n`);
    const second = commitAll(fixture.root, 'bench: quiet');
    const own = fixture.compare([{ base: 48.1, head: 40.2, verdict: 'faster' }], {
      base: { ref: 'HEAD~1', sha: gitIn(fixture.root, 'rev-parse', 'HEAD~1').trim() },
      head: { ref: 'HEAD', sha: second },
    });
    await fixture.mcp.call('record_result', {
      target: 'bench.py:main',
      hypothesis: 'less output',
      status: 'keep',
      comparison_id: own,
      commit: second,
    });
    const wrong = await fixture.mcp.call('pr_body', { comparison_id: own, mode: 'stacked' });
    expect(errorText(wrong)).toMatch(
      new RegExp(
        `not the branch point ${fixture.base.slice(0, 12)} \\(of main\\) → the branch head ${second.slice(0, 12)}: run benchmark_compare \\{"base":"${fixture.base}","head":"${second}","command":"bench.py","mode":"wall"\\}`,
      ),
    );
    const cumulative = fixture.compare([{ base: 120.4, head: 40.2, verdict: 'faster' }], { head: { ref: 'HEAD', sha: second } });
    const out = await body(fixture, { comparison_id: cumulative, mode: 'stacked' });
    expect(out.path).toMatch(/pr-body-stacked\.md$/);
    expect(out.markdown.split('\n')[0]).toBe('# perf/ds-totals: 2 optimizations, −66.6 % wall time (3.00× faster)');
    const summary = section(out.markdown, '## Summary');
    expect(summary).toContain(
      `- #2 \`shop/cart.py:total\`: sum() adds in C instead of a Python loop — −60.0 % wall time (2.50× faster) (${first})`,
    );
    expect(summary).toContain(`- #3 \`bench.py:main\`: less output — −16.4 % wall time (1.20× faster) (${own})`);
    const details = section(out.markdown, '## Technical details');
    expect(details).toContain('### #2 shop/cart.py:total');
    expect(details).toContain('### #3 bench.py:main');
    for (const id of [first, own, cumulative]) {
      for (const line of getComparison(fixture.project.db, id)!
        .markdown.split('\n')
        .filter((l) => l.startsWith('| `')))
        expect(out.markdown).toContain(line);
    }
    const supported = new Set([first, own, cumulative].flatMap((id) => [...comparisonFigures(getComparison(fixture.project.db, id)!)]));
    expect(figuresIn(out.markdown).filter((f) => !supported.has(f))).toEqual([]);
  });
});
