import { basename } from 'node:path';

export type TestFramework = 'pytest' | 'node' | 'go';

/** What a test run's output says about its tests. */
export interface TestOutcome {
  framework: TestFramework | undefined;
  /** Failing tests, by name: pytest node ids, `suite > test` for node, `package.TestName` for go; leaf tests only. */
  failed: string[];
  passed: number | null;
  /** True when every failure the runner counted has a name here and the run was not cut short. */
  complete: boolean;
}

const UNKNOWN: TestOutcome = { framework: undefined, failed: [], passed: null, complete: false };

/** Read the failing tests out of pytest, `node --test` (TAP or spec reporter) or `go test` (text or -json) output. */
export function parseTestOutput(output: string): TestOutcome {
  const lines = output.split('\n');
  if (lines.some((l) => l.startsWith('{"Time":') || l.startsWith('{"Action":'))) return parseGoJson(lines);
  if (lines.some((l) => /^(--- FAIL: |FAIL\t|ok {2}\t?\S+\t)/.test(l) || /^ok\s+\S+\s+[\d.]+s/.test(l))) return parseGoText(lines);
  if (lines.some((l) => /^TAP version \d+/.test(l) || /^# (pass|fail) \d+$/.test(l))) return parseTap(lines);
  if (lines.some((l) => /^ℹ (tests|fail) \d+$/.test(l))) return parseSpec(lines);
  if (lines.some((l) => /^(FAILED|ERROR) \S/.test(l) || PYTEST_SUMMARY.test(l) || /^collected \d+ items?/.test(l))) {
    return parsePytest(lines);
  }
  return UNKNOWN;
}

/** The machine-readable form of a test command where one exists: pytest names failures, node prints TAP, go prints JSON. */
export function machineReadableTestCommand(argv: readonly string[]): string[] {
  const names = argv.map((a) => basename(a));
  if (names.some((n) => n === 'pytest' || n === 'py.test') && !argv.some((a) => a.startsWith('-r'))) return [...argv, '-rfE'];
  if (names[0] === 'node' && argv.includes('--test') && !argv.some((a) => a.startsWith('--test-reporter'))) {
    return [argv[0]!, '--test-reporter=tap', ...argv.slice(1)];
  }
  if (names[0] === 'go' && argv[1] === 'test' && !argv.includes('-json')) return [argv[0]!, 'test', '-json', ...argv.slice(2)];
  return [...argv];
}

/** Options that stop a run at its first failure, so later failures go unseen. */
export function stopsAtFirstFailure(argv: readonly string[]): boolean {
  return argv.some((a) => ['-x', '--exitfirst', '-failfast', '--test-fail-fast'].includes(a) || a.startsWith('--maxfail'));
}

const PYTEST_SUMMARY = /^(=+ )?((\d+ (passed|failed|errors?|skipped|xfailed|xpassed|warnings?|deselected)(, )?)+) in [\d.]+s/;

function count(text: string, word: RegExp): number {
  const match = new RegExp(`(\\d+) ${word.source}`).exec(text);
  return match ? Number(match[1]) : 0;
}

function parsePytest(lines: string[]): TestOutcome {
  const failed = new Set<string>();
  for (const line of lines) {
    const match = /^(FAILED|ERROR) (\S+)/.exec(line);
    if (match) failed.add(match[2]!);
  }
  const summary = lines.map((l) => PYTEST_SUMMARY.exec(l)?.[2]).findLast(Boolean) ?? '';
  const counted = count(summary, /failed/) + count(summary, /errors?/);
  const interrupted = lines.some((l) => /!!! (Interrupted|stopping after)/.test(l));
  return {
    framework: 'pytest',
    failed: [...failed].sort(),
    passed: summary ? count(summary, /passed/) : null,
    complete: Boolean(summary) && counted === failed.size && !interrupted,
  };
}

/** Drop a failing parent when one of its subtests failed: the subtest is the failure. */
function leaves(names: Iterable<string>, separator: string): string[] {
  const all = [...new Set(names)];
  return all.filter((name) => !all.some((other) => other.startsWith(name + separator))).sort();
}

function parseGoJson(lines: string[]): TestOutcome {
  const failed: string[] = [];
  const failedPackages = new Set<string>();
  const packagesWithTestFailures = new Set<string>();
  let passed = 0;
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    let event: { Action?: string; Package?: string; Test?: string };
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.Action === 'pass' && event.Test) passed++;
    if (event.Action !== 'fail' || !event.Package) continue;
    if (event.Test) {
      failed.push(`${event.Package}.${event.Test}`);
      packagesWithTestFailures.add(event.Package);
    } else failedPackages.add(event.Package);
  }
  // A package that failed with no failing test did not build or set up: the package is the failure.
  for (const pkg of failedPackages) if (!packagesWithTestFailures.has(pkg)) failed.push(pkg);
  return { framework: 'go', failed: leaves(failed, '/'), passed, complete: true };
}

function parseGoText(lines: string[]): TestOutcome {
  const failed: string[] = [];
  let pending: string[] = [];
  let sawPackage = false;
  for (const line of lines) {
    const test = /^\s*--- FAIL: (\S+)/.exec(line)?.[1];
    if (test) pending.push(test);
    const pkg = /^(FAIL|ok)\s+(\S+)(\s+\[(build|setup) failed\])?/.exec(line);
    if (!pkg) continue;
    sawPackage = true;
    if (pkg[1] === 'FAIL' && pending.length === 0) failed.push(pkg[2]!);
    failed.push(...pending.map((t) => `${pkg[2]}.${t}`));
    pending = [];
  }
  failed.push(...pending);
  return { framework: 'go', failed: leaves(failed, '/'), passed: null, complete: sawPackage && pending.length === 0 };
}

function parseTap(lines: string[]): TestOutcome {
  const path: string[] = [];
  const failed: string[] = [];
  lines.forEach((line, index) => {
    const subtest = /^( *)# Subtest: (.+)$/.exec(line);
    if (subtest) {
      path.length = subtest[1]!.length / 4;
      path.push(subtest[2]!);
      return;
    }
    const result = /^( *)not ok \d+ - (.+?)(?: # .*)?$/.exec(line);
    if (!result) return;
    const depth = result[1]!.length / 4;
    if (!isTapParent(lines, index)) failed.push([...path.slice(0, depth), result[2]!].join(' > '));
  });
  const fail = lines.map((l) => /^# fail (\d+)$/.exec(l)?.[1]).findLast(Boolean);
  const pass = lines.map((l) => /^# pass (\d+)$/.exec(l)?.[1]).findLast(Boolean);
  return {
    framework: 'node',
    failed: [...new Set(failed)].sort(),
    passed: pass ? Number(pass) : null,
    complete: fail !== undefined && Number(fail) === failed.length,
  };
}

/** A TAP result whose YAML block says its subtests failed (a suite, or a test with failing children). */
function isTapParent(lines: string[], index: number): boolean {
  for (let i = index + 1; i < lines.length && i < index + 40; i++) {
    const line = lines[i]!.trim();
    if (line === '...') return false;
    if (line.startsWith('failureType:')) return line.includes('subtestsFailed');
  }
  return false;
}

function parseSpec(lines: string[]): TestOutcome {
  const open: string[] = [];
  const failed: string[] = [];
  for (const line of lines) {
    if (/^ℹ tests \d+$/.test(line)) break;
    const suite = /^( *)▶ (.+)$/.exec(line);
    if (suite) {
      open.length = suite[1]!.length / 2;
      open.push(suite[2]!);
      continue;
    }
    const result = /^( *)✖ (.+?) \([\d.]+m?s\)$/.exec(line);
    if (!result) continue;
    const depth = result[1]!.length / 2;
    if (open[depth] === result[2]) {
      open.length = depth;
      continue;
    }
    failed.push([...open.slice(0, depth), result[2]!].join(' > '));
  }
  const fail = lines.map((l) => /^ℹ fail (\d+)$/.exec(l)?.[1]).findLast(Boolean);
  const pass = lines.map((l) => /^ℹ pass (\d+)$/.exec(l)?.[1]).findLast(Boolean);
  return {
    framework: 'node',
    failed: [...new Set(failed)].sort(),
    passed: pass ? Number(pass) : null,
    complete: fail !== undefined && Number(fail) === failed.length,
  };
}

/** Split the failures of a run into those already failing before the session and the new ones. */
export function splitFailures(current: readonly string[], before: readonly string[]): { new: string[]; preExisting: string[] } {
  const known = new Set(before);
  return { new: current.filter((n) => !known.has(n)), preExisting: current.filter((n) => known.has(n)) };
}
