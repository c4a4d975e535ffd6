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
  optionalDependencies?: Record<string, unknown>;
  main?: unknown;
  module?: unknown;
  exports?: unknown;
  bin?: unknown;
}

/** How a checkout of the project is made ready to run: its install and, when one exists, its build. */
export interface NodeInstallPlan {
  manager: NodePackageManager;
  /** The install, as the project's lockfile asks: `npm ci`, `pnpm install --frozen-lockfile`, `yarn install --immutable`. */
  install: string[];
  /** The lockfile the install follows, project-relative; absent when there is none. */
  lockfile?: string;
  /** `<manager> run build` when package.json has a build script. */
  build?: string[];
  /** Files package.json names as its entry points (main, module, exports, bin): missing ones call for the build. */
  entryPoints: string[];
}

/**
 * The install a fresh checkout needs, or undefined when package.json declares
 * no dependency (nothing to install). Frozen-lockfile installs only: a checkout
 * must run exactly what its commit pins.
 */
export async function nodeInstallPlan(root: string): Promise<NodeInstallPlan | undefined> {
  const manifest = await readPackageJson(root, []);
  const declared = [manifest.dependencies, manifest.devDependencies, manifest.optionalDependencies];
  if (!declared.some((deps) => isPlainObject(deps) && Object.keys(deps).length > 0)) return undefined;
  const { manager } = await detectPackageManager(root, manifest, []);
  const ownLockfiles = LOCKFILES.filter(([, owner]) => owner === manager).map(([file]) => file);
  const present = await Promise.all(ownLockfiles.map((file) => isFile(join(root, file))));
  const lockfile = ownLockfiles.find((_, index) => present[index]);
  const berry = manager === 'yarn' && ((await isFile(join(root, '.yarnrc.yml'))) || /^yarn@[2-9]/.test(String(manifest.packageManager)));
  const install: Record<NodePackageManager, string[]> = {
    npm: lockfile ? ['npm', 'ci', '--no-audit', '--no-fund'] : ['npm', 'install', '--no-audit', '--no-fund'],
    pnpm: ['pnpm', 'install', ...(lockfile ? ['--frozen-lockfile'] : [])],
    yarn: ['yarn', 'install', ...(lockfile ? [berry ? '--immutable' : '--frozen-lockfile'] : [])],
    bun: ['bun', 'install', ...(lockfile ? ['--frozen-lockfile'] : [])],
  };
  return {
    manager,
    install: install[manager],
    lockfile,
    build: typeof manifest.scripts?.build === 'string' ? [manager, 'run', 'build'] : undefined,
    entryPoints: entryPoints(manifest),
  };
}

/** Relative file paths among main, module, bin and the string leaves of exports. */
function entryPoints(manifest: PackageJson): string[] {
  const found: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') || !value.includes(':')) found.push(value.replace(/^\.\//, ''));
    } else if (isPlainObject(value)) Object.values(value).forEach(visit);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  [manifest.main, manifest.module, manifest.exports, manifest.bin].forEach(visit);
  return [...new Set(found.filter((path) => path && !path.includes('*')))];
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
