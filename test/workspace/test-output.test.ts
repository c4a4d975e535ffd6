import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineReadableTestCommand, parseTestOutput, splitFailures, stopsAtFirstFailure } from '../../src/workspace/test-output.js';
import { writeFiles } from '../helpers/git-repo.js';
import { realPython, requireTool } from '../helpers/requires.js';

/** Run a real test runner in a fresh directory holding `files`; return its whole output. */
function run(files: Record<string, string>, argv: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cf-tests-'));
  writeFiles(dir, files);
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return `${result.stdout}\n${result.stderr}`;
}

const PYTEST_FILES = {
  'tests/test_a.py': `import pytest


def test_ok():
    pass


def test_bad():
    assert 1 == 2


@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    assert x == 1


class TestKind:
    def test_method(self):
        raise ValueError("v")


@pytest.fixture
def broken():
    raise RuntimeError("fixture")


def test_fixture(broken):
    pass
`,
};

const NODE_FILES = {
  'a.test.mjs': `import { describe, test } from 'node:test';
import assert from 'node:assert';
test('adds', () => assert.equal(1 + 1, 2));
test('breaks', () => assert.equal(1 + 1, 3));
describe('suite', () => {
  test('inner ok', () => {});
  test('inner bad', () => { throw new Error('x'); });
});
`,
};

const GO_FILES = {
  'go.mod': 'module example.com/m\n\ngo 1.21\n',
  'a_test.go': `package m

import "testing"

func TestOk(t *testing.T) {}
func TestBad(t *testing.T) { t.Fatal("boom") }
func TestSub(t *testing.T) {
	t.Run("one", func(t *testing.T) {})
	t.Run("two", func(t *testing.T) { t.Error("x") })
}
`,
};

const go = requireTool('go', ['version']);

describe('failing tests named from real runner output', () => {
  const python = realPython();
  const pytestFailures = [
    'tests/test_a.py::TestKind::test_method',
    'tests/test_a.py::test_bad',
    'tests/test_a.py::test_fixture',
    'tests/test_a.py::test_param[2]',
  ];

  it('pytest, plain and with -rfE', () => {
    for (const argv of [[python, '-m', 'pytest', '-q'], machineReadableTestCommand([python, '-m', 'pytest'])]) {
      const outcome = parseTestOutput(run(PYTEST_FILES, argv));
      expect(outcome).toEqual({ framework: 'pytest', failed: pytestFailures, passed: 2, complete: true });
    }
  });

  it('pytest stopped at its first failure or by a collection error is incomplete', () => {
    expect(parseTestOutput(run(PYTEST_FILES, [python, '-m', 'pytest', '-x'])).complete).toBe(false);
    const collection = parseTestOutput(
      run({ ...PYTEST_FILES, 'tests/test_b.py': 'import missing_module_xyz\n' }, [python, '-m', 'pytest']),
    );
    expect(collection).toMatchObject({ failed: ['tests/test_b.py'], complete: false });
  });

  it('node --test with the TAP and the spec reporter', () => {
    for (const reporter of ['tap', 'spec']) {
      const outcome = parseTestOutput(run(NODE_FILES, [process.execPath, '--test', `--test-reporter=${reporter}`]));
      expect(outcome, reporter).toEqual({ framework: 'node', failed: ['breaks', 'suite > inner bad'], passed: 2, complete: true });
    }
    expect(machineReadableTestCommand(['node', '--test'])).toEqual(['node', '--test-reporter=tap', '--test']);
  });

  it.skipIf(!go.ok)('go test, text and -json', () => {
    const expected = ['example.com/m.TestBad', 'example.com/m.TestSub/two'];
    expect(parseTestOutput(run(GO_FILES, ['go', 'test', './...']))).toEqual({
      framework: 'go',
      failed: expected,
      passed: null,
      complete: true,
    });
    const json = parseTestOutput(run(GO_FILES, machineReadableTestCommand(['go', 'test', './...'])));
    expect(json).toEqual({ framework: 'go', failed: expected, passed: 2, complete: true });
    const broken = parseTestOutput(run({ ...GO_FILES, 'b.go': 'package m\nfunc x( {' }, ['go', 'test', './...']));
    expect(broken.failed).toEqual(['example.com/m']);
  });

  it('unknown output names nothing and is incomplete; new failures are told from old ones', () => {
    expect(parseTestOutput('Error: something broke\n')).toEqual({ framework: undefined, failed: [], passed: null, complete: false });
    expect(splitFailures(['a', 'b', 'c'], ['b', 'z'])).toEqual({ new: ['a', 'c'], preExisting: ['b'] });
    expect(stopsAtFirstFailure(['pytest', '-x'])).toBe(true);
    expect(stopsAtFirstFailure(['go', 'test', '-failfast'])).toBe(true);
    expect(stopsAtFirstFailure(['pytest', '-q'])).toBe(false);
  });
});
