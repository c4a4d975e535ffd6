import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { detectEnvironment } from '../../src/env/detect.js';
import { findOnPath } from '../../src/env/files.js';
import { useTempProjects } from '../fixtures/env/projects.js';
import { requireTool } from '../helpers/requires.js';

const project = useTempProjects();

describe('Node project', () => {
  it('takes pnpm from pnpm-lock.yaml and the test script from package.json', async () => {
    const { root } = project('node-pnpm');
    const env = await detectEnvironment(root);
    expect(env.language).toBe('node');
    const node = env.node!;
    expect(node.package_name).toBe('fixture-node');
    expect(node.package_manager).toBe('pnpm');
    expect(node.package_manager_source).toBe('pnpm-lock.yaml');
    expect(node.test_script).toBe('vitest run');
    expect(node.test_command).toEqual(['pnpm', 'test']);
    expect(node.test_framework).toBe('vitest');
    expect(node.typescript).toBe(true);
    expect(node.node_version).toBe(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim().slice(1));
    const pnpmWarning = 'the project uses pnpm, but pnpm is not on PATH (`corepack enable` provides it)';
    expect(env.warnings.includes(pnpmWarning)).toBe(!(await findOnPath('pnpm')));
  });

  it('lets the packageManager field win and flags competing lockfiles', async () => {
    const made = project('node-pnpm');
    made.write({
      'package.json': JSON.stringify({ name: 'x', packageManager: 'yarn@4.5.0', scripts: { test: 'jest' } }),
      'package-lock.json': '{}',
    });
    const env = await detectEnvironment(made.root);
    expect(env.node!.package_manager).toBe('yarn');
    expect(env.node!.package_manager_source).toBe('packageManager field');
    expect(env.node!.test_command).toEqual(['yarn', 'test']);
    expect(env.warnings).toContain('lockfiles of several package managers: pnpm-lock.yaml, package-lock.json');
  });

  it('runs the bun test script by name, and treats the npm init placeholder as no test', async () => {
    const bun = project();
    bun.write({ 'package.json': JSON.stringify({ scripts: { test: 'bun test' } }), 'bun.lock': '{}' });
    expect((await detectEnvironment(bun.root)).node!.test_command).toEqual(['bun', 'run', 'test']);

    const placeholder = project();
    placeholder.write({ 'package.json': JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) });
    const env = await detectEnvironment(placeholder.root);
    expect(env.node!.package_manager).toBe('npm');
    expect(env.node!.package_manager_source).toBe('default');
    expect(env.node!.test_command).toBeUndefined();
    expect(env.node!.typescript).toBe(false);
    expect(env.warnings).toContain('package.json has no test script');
  });
});

describe.runIf(requireTool('go', ['version']).ok)('Go module', () => {
  it('reads go.mod and finds benchmarks where go test looks, never in vendor/, testdata/, _ or hidden folders', async () => {
    const made = project('go-mod');
    const benchmark = 'package x\n\nimport "testing"\n\nfunc BenchmarkX(b *testing.B) {}\n';
    made.write({
      'vendor/dep/dep_test.go': benchmark,
      '.cache/x_test.go': benchmark,
      'node_modules/y/y_test.go': benchmark,
      '_old/z_test.go': benchmark,
      'pkg/testdata/t_test.go': benchmark,
      'internal/env/env_test.go': benchmark,
    });
    const env = await detectEnvironment(made.root);
    expect(env.language).toBe('go');
    const go = env.go!;
    expect(go.module).toBe('example.com/fixture');
    expect(go.go_directive).toBe('1.21');
    expect(go.go_version).toMatch(/^1\.\d+/);
    expect(go.test_command).toEqual(['go', 'test', './...']);
    expect(go.has_benchmarks).toBe(true);
    expect(go.benchmark_files).toEqual(['fib_test.go', 'internal/env/env_test.go']);
    expect(go.benchmark_command).toEqual(['go', 'test', '-run', '^$', '-bench', '.', '-benchmem', './...']);
    expect(go.benchmark_search_truncated).toBe(false);
  });

  it('reports a module without benchmarks, and a go.mod newer than the toolchain', async () => {
    const made = project();
    made.write({ 'go.mod': 'module example.com/none\n\ngo 9.99\n', 'pkg/a_test.go': 'package pkg\n\nfunc TestA() {}\n' });
    const env = await detectEnvironment(made.root);
    expect(env.go!.has_benchmarks).toBe(false);
    expect(env.go!.benchmark_command).toBeUndefined();
    expect(env.warnings.join('\n')).toMatch(/go.mod asks for go 9.99, but the installed toolchain is go 1\./);
  });
});
