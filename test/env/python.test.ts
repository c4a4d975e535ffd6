import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectEnvironment } from '../../src/env/detect.js';
import { findOnPath } from '../../src/env/files.js';
import { useTempProjects } from '../fixtures/env/projects.js';
import { realPython } from '../helpers/requires.js';

const project = useTempProjects();

const realVersion = () =>
  execFileSync(realPython(), ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();

describe('Python project without a virtual environment', () => {
  it('reads pyproject.toml and times through the real interpreter behind python3', async () => {
    const { root } = project('python-pkg');
    const env = await detectEnvironment(root);
    expect(env.language).toBe('python');
    expect(env.languages).toEqual(['python']);
    const python = env.python!;
    expect(python.package_name).toBe('fixture-pkg');
    expect(python.package_manager).toBeUndefined();
    expect(python.venv).toBeUndefined();
    expect(python.runner_display).toBe('python3');
    expect(python.python).toBe(realPython());
    expect(python.version).toBe(realVersion());
    expect(python.test_config).toBe('pyproject.toml [tool.pytest.ini_options]');
    expect(python.test_command).toEqual([realPython(), '-m', 'pytest']);
    expect(python.benchmarks_root).toBe('tests/benchmarks');
    expect(python.tests_root).toBe('tests');
    expect(python.module_root).toBe('src');
    // kebab-case and snake_case keys both arrive in snake_case
    expect(python.codeflash).toEqual({
      module_root: 'src',
      tests_root: 'tests',
      benchmarks_root: 'tests/benchmarks',
      test_framework: 'pytest',
    });
    expect(Object.keys(python.tools).sort()).toEqual(['codeflash', 'memray', 'py-spy', 'pytest', 'pytest-benchmark']);
  });

  it('names a version-manager shim when python3 on PATH is one', async () => {
    const { root } = project('python-pkg');
    const env = await detectEnvironment(root);
    const onPath = (await findOnPath('python3'))!;
    const shimWarning = env.warnings.find((warning) => warning.includes('shim'));
    if (onPath.includes('/shims/')) {
      expect(shimWarning).toContain(onPath);
      expect(shimWarning).toContain(`timing uses ${realPython()}`);
    } else {
      expect(shimWarning).toBeUndefined();
    }
  });

  it('finds pytest configuration in setup.cfg, tox.ini, conftest.py or a tests directory', async () => {
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{ 'setup.cfg': '[metadata]\nname = from-cfg\n\n[tool:pytest]\naddopts = -q\n' }, 'setup.cfg [tool:pytest]'],
      [{ 'setup.py': '', 'tox.ini': '[tox]\n\n[pytest]\naddopts = -q\n' }, 'tox.ini [pytest]'],
      [{ 'setup.py': '', 'pytest.ini': '[pytest]\n' }, 'pytest.ini'],
      [{ 'requirements.txt': '', 'conftest.py': '' }, 'conftest.py'],
      [{ 'requirements.txt': '', 'test/test_x.py': '' }, 'test/ directory'],
      [{ 'requirements.txt': '' }, undefined],
    ];
    for (const [files, expected] of cases) {
      const made = project();
      made.write(files);
      const python = (await detectEnvironment(made.root)).python!;
      expect(python.test_config, JSON.stringify(files)).toBe(expected);
      expect(python.test_command !== undefined).toBe(expected !== undefined);
      if (files['setup.cfg']) expect(python.package_name).toBe('from-cfg');
    }
  });

  it('warns about an unparsable pyproject.toml and a missing benchmarks root', async () => {
    const broken = project();
    broken.write({ 'pyproject.toml': '[project\nname = ' });
    expect((await detectEnvironment(broken.root)).warnings.join('\n')).toMatch(/pyproject.toml could not be parsed/);

    const missing = project();
    missing.write({ 'pyproject.toml': '[tool.codeflash]\nbenchmarks_root = "bench"\n' });
    const env = await detectEnvironment(missing.root);
    expect(env.python!.benchmarks_root).toBe('bench');
    expect(env.warnings).toContain('[tool.codeflash] benchmarks-root "bench" does not exist');
  });
});

describe('Python package manager', () => {
  it('takes a lockfile over a [tool.*] table, and ignores build-only tables', async () => {
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{ 'pyproject.toml': '[tool.poetry]\nname = "p"\n' }, 'poetry'],
      [{ 'pyproject.toml': '[tool.poetry]\nname = "p"\n', 'uv.lock': '' }, 'uv'],
      [{ 'pyproject.toml': '[tool.uv]\ndev-dependencies = []\n' }, 'uv'],
      [{ 'pyproject.toml': '[tool.hatch.build]\npackages = ["src/p"]\n' }, undefined],
      [{ 'pyproject.toml': '[tool.hatch.envs.default]\n' }, 'hatch'],
      [{ 'pyproject.toml': '[tool.pdm.build]\n', 'pdm.lock': '' }, 'pdm'],
      [{ Pipfile: '' }, 'pipenv'],
    ];
    for (const [files, expected] of cases) {
      const made = project();
      made.write(files);
      expect((await detectEnvironment(made.root)).python!.package_manager, JSON.stringify(files)).toBe(expected);
    }
  });

  it('falls back to python3 when the manager is not installed or has no environment', async () => {
    const made = project('python-pkg');
    made.write({ 'poetry.lock': '' });
    const env = await detectEnvironment(made.root);
    expect(env.python!.python).toBe(realPython());
    if (!(await findOnPath('poetry'))) {
      expect(env.python!.runner_display).toBe('python3');
      expect(env.warnings).toContain('the project uses poetry, but poetry is not on PATH');
    }
  });
});

describe('Python project with a virtual environment', () => {
  it('uses .venv/bin/python as is, and sees only what is installed in it', async () => {
    const made = project('python-pkg');
    execFileSync(realPython(), ['-m', 'venv', '--without-pip', join(made.root, '.venv')]);
    const env = await detectEnvironment(made.root);
    const python = env.python!;
    expect(python.venv).toBe('.venv');
    expect(python.runner_display).toBe('.venv/bin/python');
    // the venv's own path, not the base interpreter its symlink points to
    expect(python.python).toBe(join(made.root, '.venv/bin/python'));
    expect(python.version).toBe(realVersion());
    expect(python.test_command).toEqual([join(made.root, '.venv/bin/python'), '-m', 'pytest']);
    expect(python.tools.pytest).toBe(false);
    expect(python.tools.memray).toBe(false);
    expect(env.warnings).toContain('pytest is not installed in the project interpreter');
    expect(python.install_missing).toMatch(/\/\.venv\/bin\/python -m pip install .*pytest .*memray/);
    expect(env.warnings.some((warning) => warning.includes('shim'))).toBe(false);
  });

  it('prefers a venv over the manager and says when the manager itself is missing', async () => {
    const made = project('python-pkg');
    made.write({ 'uv.lock': 'version = 1\n' });
    execFileSync(realPython(), ['-m', 'venv', '--without-pip', join(made.root, 'venv')]);
    const env = await detectEnvironment(made.root);
    const python = env.python!;
    expect(python.package_manager).toBe('uv');
    expect(python.python).toBe(join(made.root, 'venv/bin/python'));
    if (await findOnPath('uv')) {
      expect(python.runner_display).toBe('uv run python');
      expect(python.install_missing).toMatch(/^uv add --dev /);
    } else {
      expect(python.runner_display).toBe('venv/bin/python');
      expect(env.warnings).toContain('the project uses uv, but uv is not on PATH');
    }
  });

  it('ignores an env/ folder that is not a virtual environment', async () => {
    const made = project('python-pkg');
    made.write({ 'env/bin/python': '' });
    const python = (await detectEnvironment(made.root)).python!;
    expect(python.venv).toBeUndefined();
    expect(python.python).toBe(realPython());
  });

  it('falls back to python3 with a warning when the venv interpreter is broken', async () => {
    const made = project('python-pkg');
    made.write({ '.venv/pyvenv.cfg': 'home = /nonexistent\n', '.venv/bin/python': '' });
    const env = await detectEnvironment(made.root);
    expect(env.python!.python).toBe(realPython());
    expect(env.warnings.join('\n')).toMatch(/\.venv\/ interpreter .* did not start/);
  });
});
