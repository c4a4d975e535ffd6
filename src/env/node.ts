import { join } from 'node:path';
import { findOnPath, isFile, isPlainObject, readText } from './files.js';
import { probe } from './probe.js';
import type { NodeEnvironment, NodePackageManager } from './types.js';

const LOCKFILES: Array<[string, NodePackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

const TEST_FRAMEWORKS = ['vitest', 'jest', 'mocha', 'ava', 'tap', 'uvu', 'jasmine'];

/** What `npm init` writes; it fails on purpose, so it is no test command. */
const PLACEHOLDER_TEST = /no test specified/;

interface PackageJson {
  name?: unknown;
  packageManager?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

export async function isNodeProject(root: string): Promise<boolean> {
  return isFile(join(root, 'package.json'));
}

export async function detectNode(root: string, warnings: string[], signal?: AbortSignal): Promise<NodeEnvironment> {
  const manifest = await readPackageJson(root, warnings);
  const { manager, source } = await detectPackageManager(root, manifest, warnings);
  const [managerPath, nodeVersion, hasTsconfig] = await Promise.all([
    findOnPath(manager),
    probe(['node', '--version'], { cwd: root, signal }),
    isFile(join(root, 'tsconfig.json')),
  ]);
  if (!managerPath) {
    const hint = manager === 'npm' || manager === 'bun' ? '' : ' (`corepack enable` provides it)';
    warnings.push(`the project uses ${manager}, but ${manager} is not on PATH${hint}`);
  }
  const testScript = typeof manifest.scripts?.test === 'string' ? manifest.scripts.test : undefined;
  const usableTest = testScript && !PLACEHOLDER_TEST.test(testScript) ? testScript : undefined;
  if (!usableTest) warnings.push('package.json has no test script');
  const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
  return {
    package_name: typeof manifest.name === 'string' ? manifest.name : undefined,
    package_manager: manager,
    package_manager_source: source,
    test_script: testScript,
    // `bun test` is bun's own runner, not the script, so bun runs the script by name.
    test_command: usableTest ? (manager === 'bun' ? ['bun', 'run', 'test'] : [manager, 'test']) : undefined,
    test_framework: TEST_FRAMEWORKS.find((name) => name in dependencies),
    typescript: hasTsconfig || 'typescript' in dependencies,
    node_version: nodeVersion?.replace(/^v/, ''),
  };
}

async function readPackageJson(root: string, warnings: string[]): Promise<PackageJson> {
  const text = await readText(join(root, 'package.json'));
  try {
    const parsed: unknown = JSON.parse(text ?? '{}');
    if (isPlainObject(parsed)) return parsed as PackageJson;
  } catch (error) {
    warnings.push(`package.json could not be parsed: ${(error as Error).message}`);
  }
  return {};
}

async function detectPackageManager(
  root: string,
  manifest: PackageJson,
  warnings: string[],
): Promise<{ manager: NodePackageManager; source: string }> {
  const declared = typeof manifest.packageManager === 'string' ? manifest.packageManager.split('@')[0] : undefined;
  const present = await Promise.all(LOCKFILES.map(async ([file]) => isFile(join(root, file))));
  const lockfiles = LOCKFILES.filter((_, index) => present[index]);
  const managers = new Set(lockfiles.map(([, manager]) => manager));
  if (managers.size > 1) {
    warnings.push(`lockfiles of several package managers: ${lockfiles.map(([file]) => file).join(', ')}`);
  }
  if (declared && LOCKFILES.some(([, manager]) => manager === declared)) {
    return { manager: declared as NodePackageManager, source: 'packageManager field' };
  }
  const [first] = lockfiles;
  return first ? { manager: first[1], source: first[0] } : { manager: 'npm', source: 'default' };
}
