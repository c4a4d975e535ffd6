import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/env/files.js';
import { detectEnvironment, renderSetupMarkdown } from '../../src/env/index.js';
import { useTempProjects } from '../fixtures/env/projects.js';
import { realPython, requireTool } from '../helpers/requires.js';

const project = useTempProjects();

describe('detectEnvironment', () => {
  it('ranks Python first in a project that also has package.json and go.mod', async () => {
    const made = project('python-pkg', 'node-pnpm', 'go-mod');
    made.initGit();
    const env = await detectEnvironment(made.root);
    expect(env.language).toBe('python');
    expect(env.languages).toEqual(['python', 'go', 'node']);
    expect(env.python?.package_name).toBe('fixture-pkg');
    expect(env.node?.package_manager).toBe('pnpm');
    expect(env.go?.module).toBe('example.com/fixture');
    expect(env.git.clean).toBe(true);
    expect(env.machine.cpu_cores).toBeGreaterThan(0);
    expect(env.machine.memory_gb).toBeGreaterThan(0);
    // plain JSON: what goes into a tool result comes back unchanged
    expect(JSON.parse(JSON.stringify(env))).toEqual(JSON.parse(JSON.stringify(env)));
  });

  it('says so when it recognises nothing', async () => {
    const made = project();
    const env = await detectEnvironment(made.root);
    expect(env.language).toBe('unknown');
    expect(env.languages).toEqual([]);
    expect(env.python ?? env.node ?? env.go).toBeUndefined();
    expect(env.warnings).toEqual([
      'not a git repository: base/head comparisons and reverts need git',
      'no project language recognised at the root: Python needs pyproject.toml, setup.py, setup.cfg, requirements*.txt, Pipfile, tox.ini, a *.py file, or tests/test_*.py; Node needs package.json; Go needs go.mod (tools that run code also take language)',
    ]);
  });

  it.each([
    ['requirements.txt', { 'requirements.txt': 'numpy\n' }],
    ['requirements-dev.txt', { 'requirements-dev.txt': 'pytest\n' }],
    ['setup.cfg', { 'setup.cfg': '[metadata]\nname = plain\n' }],
    ['Pipfile', { Pipfile: '[packages]\n' }],
    ['tox.ini', { 'tox.ini': '[tox]\nenvlist = py3\n' }],
    ['a *.py file at the root', { 'bench.py': 'print(1)\n' }],
    ['tests/test_*.py', { 'lib/core.txt': '', 'tests/test_core.py': 'def test_x():\n    pass\n' }],
  ])('takes a folder with %s for a Python project and finds its interpreter', async (_, files) => {
    const made = project();
    made.write(files);
    const env = await detectEnvironment(made.root);
    expect(env.language).toBe('python');
    expect(env.python?.python).toBeTruthy();
    expect(env.warnings.join('\n')).not.toMatch(/no project language/);
  });

  it('leaves a Node project with a helper script Node: loose .py files decide only when nothing else does', async () => {
    const made = project('node-pnpm');
    made.write({ 'gen.py': 'print(1)\n', 'tests/test_gen.py': '' });
    const env = await detectEnvironment(made.root);
    expect(env.languages).toEqual(['node']);
  });

  it('warns about a dirty working tree', async () => {
    const made = project('python-pkg');
    made.initGit();
    made.write({ 'pyproject.toml': '[project]\nname = "changed"\n', 'new.py': '' });
    const env = await detectEnvironment(made.root);
    expect(env.warnings).toContain('working tree is dirty (1 modified, 1 untracked): commit or stash before a baseline');
  });

  it('stops when its signal is aborted', async () => {
    const made = project('python-pkg');
    await expect(detectEnvironment(made.root, { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('resolves a symlinked root and refuses a missing one', async () => {
    const made = project('python-pkg');
    execFileSync('ln', ['-s', made.root, `${made.root}-link`]);
    try {
      expect((await detectEnvironment(`${made.root}-link`)).root).toBe(made.root);
    } finally {
      execFileSync('rm', [`${made.root}-link`]);
    }
    await expect(detectEnvironment(join(made.root, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});

describe('renderSetupMarkdown', () => {
  it('shows the runner, the reason for the real interpreter, tests, benchmarks, tools, git and warnings', async () => {
    const made = project('python-pkg');
    made.write({ '.gitignore': '.venv/\n' });
    made.initGit();
    execFileSync(realPython(), ['-m', 'venv', '--without-pip', join(made.root, '.venv')]);
    made.write({ 'scratch.txt': 'x' });
    const markdown = renderSetupMarkdown(await detectEnvironment(made.root));
    const venvPython = join(made.root, '.venv/bin/python');
    expect(markdown).toMatch(/^# Setup\n/);
    expect(markdown).toContain('- Language: Python');
    expect(markdown).toContain('- Runner (by hand): `.venv/bin/python`');
    expect(markdown).toContain(`- Timing interpreter: \`${venvPython}\``);
    expect(markdown).toMatch(/version-manager shim adds start-up time/);
    expect(markdown).toContain(`- Tests: \`${venvPython} -m pytest\` (found: pyproject.toml [tool.pytest.ini_options])`);
    expect(markdown).toContain('- Benchmarks root: `tests/benchmarks`');
    // py-spy is a native program: one on PATH serves every interpreter
    const pySpy = (await findOnPath('py-spy')) !== undefined;
    expect(markdown).toContain(`| py-spy | ${pySpy ? 'yes' : 'missing'} |`);
    expect(markdown).toContain('| memray | missing |');
    const missing = ['pytest', 'pytest-benchmark', ...(pySpy ? [] : ['py-spy']), 'memray', 'codeflash'].join(' ');
    expect(markdown).toContain(`Install the missing ones: \`${venvPython} -m pip install ${missing}\``);
    expect(markdown).toContain('- Branch: `main`');
    expect(markdown).toContain('- Working tree: dirty (0 modified, 1 untracked)');
    expect(markdown).toContain('## Warnings\n\n- pytest is not installed in the project interpreter');
    expect(markdown).not.toContain('undefined');
  });

  it('renders Node and Go sections and a project outside git', async () => {
    const made = project('node-pnpm', 'go-mod');
    const markdown = renderSetupMarkdown(await detectEnvironment(made.root));
    expect(markdown).toContain('## JavaScript/TypeScript');
    expect(markdown).toContain('- Tests: `pnpm test` → `vitest run` (vitest)');
    expect(markdown).toContain('## Go');
    expect(markdown).toContain('- Benchmarks: `go test -run \\^\\$ -bench . -benchmem ./...` (in `fib_test.go`)');
    expect(markdown).toContain('- Not a git repository');
    expect(markdown).not.toContain('undefined');
  });
});

describe.runIf(requireTool('go', ['version']).ok)('detection speed', () => {
  it('detects a medium polyglot project with a venv and a large node_modules well under 2 s', async () => {
    const made = project('python-pkg', 'node-pnpm', 'go-mod');
    const files: Record<string, string> = {};
    for (let pkg = 0; pkg < 40; pkg++) {
      for (let mod = 0; mod < 25; mod++) files[`src/fixture_pkg/p${pkg}/m${mod}.py`] = `def f${mod}():\n    return ${mod}\n`;
      for (let mod = 0; mod < 10; mod++) files[`internal/p${pkg}/m${mod}_test.go`] = `package p${pkg}\n\nfunc TestM${mod}() {}\n`;
    }
    for (let dep = 0; dep < 300; dep++) {
      for (let file = 0; file < 20; file++) files[`node_modules/dep${dep}/lib/f${file}.js`] = 'module.exports = 1;\n';
    }
    made.write(files);
    made.initGit();
    execFileSync(realPython(), ['-m', 'venv', '--without-pip', join(made.root, '.venv')]);
    made.write({ 'src/fixture_pkg/p0/m0.py': 'changed\n' });

    const started = performance.now();
    const env = await detectEnvironment(made.root);
    const elapsed = performance.now() - started;
    console.info(`detection of ${Object.keys(files).length + 20} files: ${Math.round(elapsed)} ms (detection_ms ${env.detection_ms})`);
    expect(env.languages).toEqual(['python', 'go', 'node']);
    expect(env.git.modified).toBe(1);
    expect(env.go!.has_benchmarks).toBe(true);
    expect(elapsed).toBeLessThan(2000);
  });
});
