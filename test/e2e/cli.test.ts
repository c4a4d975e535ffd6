import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { bindingAdvice } from '../../src/state/binding.js';
import { makeRepo, PYTHON_PROJECT } from '../helpers/git-repo.js';
import { CLI, type Connected, connectStdio, textOf } from '../helpers/mcp-client.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

const connections: Connected[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close().catch(() => {});
});

/**
 * A copy of the package whose better-sqlite3 has its JavaScript but no
 * compiled binding, as npm 12 leaves it when it skips the install script.
 * Every other dependency is a link to this repository's node_modules.
 */
function copyWithoutBinding(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cf-nobinding-')));
  cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  cpSync(join(REPO, 'dist', 'bin'), join(dir, 'dist', 'bin'), { recursive: true });
  symlinkSync(join(REPO, 'harness'), join(dir, 'harness'));
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name !== 'better-sqlite3') symlinkSync(join(REPO, 'node_modules', name), join(dir, 'node_modules', name));
  }
  const sqlite = join(dir, 'node_modules', 'better-sqlite3');
  cpSync(join(REPO, 'node_modules', 'better-sqlite3', 'package.json'), join(sqlite, 'package.json'));
  cpSync(join(REPO, 'node_modules', 'better-sqlite3', 'lib'), join(sqlite, 'lib'), { recursive: true });
  return dir;
}

describe('the codeflash-mcp command', () => {
  it('prints its version on stdout', () => {
    const run = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${VERSION}\n`);
  });

  it('with a SQLite binding that does not load, says so at once with the fix: first on stderr, then as the initialize error', async () => {
    const copy = copyWithoutBinding();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(copy, 'dist', 'bin', 'cli.js'), 'serve', '--root', makeRepo(PYTHON_PROJECT)],
      // As npx and npm run report themselves to what they start.
      env: { ...(process.env as Record<string, string>), npm_config_user_agent: 'npm/12.1.0 node/v22.22.2 linux x64' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'codeflash-test', version: '0.0.0' });
    const refused = await client.connect(transport).then(
      () => undefined,
      (error: Error) => error.message,
    );
    await client.close().catch(() => {});
    const fix = `cd ${copy} && npm rebuild better-sqlite3`;
    expect(refused).toContain('codeflash-mcp cannot start: its SQLite module (better-sqlite3) does not load');
    expect(refused).toContain('npm 12 skipped its install script');
    expect(refused).toContain(fix);
    expect(stderr.split('\n')[0]).toMatch(/^codeflash-mcp cannot start/);
    expect(stderr).toContain(fix);
  });

  it('--tools offers only the toolsets named (core always), and refuses an unknown one', async () => {
    const root = makeRepo(PYTHON_PROJECT);
    const core = await connectStdio(['--root', root, '--tools', 'core']);
    connections.push(core);
    const coreNames = (await core.client.listTools()).tools.map((t) => t.name);
    expect(coreNames).toContain('session_start');
    expect(coreNames).toContain('job_status');
    expect(coreNames).not.toContain('benchmark_compare');
    const measure = await connectStdio(['--root', root], { CODEFLASH_TOOLS: 'measure' });
    connections.push(measure);
    const measureNames = (await measure.client.listTools()).tools.map((t) => t.name);
    expect(measureNames).toEqual(expect.arrayContaining(['session_start', 'profile', 'benchmark_compare', 'micro_benchmark']));
    expect(measureNames).not.toContain('write_handoff');

    const unknown = spawnSync(process.execPath, [CLI, 'serve', '--tools', 'core,vm2'], { encoding: 'utf8', input: '' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown toolset vm2: choose from core, measure, report or all/);
  });

  it('with no --root and no client roots, keeps out of a working directory that is no project', async () => {
    const nowhere = realpathSync(mkdtempSync(join(tmpdir(), 'cf-nowhere-')));
    const mcp = await connectStdio([], { CLAUDE_PROJECT_DIR: '' }, { cwd: nowhere });
    connections.push(mcp);
    const start = await mcp.call('session_start', {});
    expect(start.isError).toBe(true);
    expect(textOf(start)).toMatch(/no project root: .* start the server with --root DIR \(or CODEFLASH_ROOT\)/);
    expect(readdirSync(nowhere)).toEqual([]);

    // Inside a git repository the working directory is the project, as before.
    const repo = makeRepo(PYTHON_PROJECT);
    const inRepo = await connectStdio([], { CLAUDE_PROJECT_DIR: '' }, { cwd: repo });
    connections.push(inRepo);
    expect((await inRepo.call('session_start', {})).structuredContent).toMatchObject({ root: realpathSync(repo) });
  });
});

describe('bindingAdvice', () => {
  const missing = 'Could not locate the bindings file. Tried:\n → /x/build/better_sqlite3.node';
  const base = { error: missing, nodeVersion: 'v22.22.2' };

  it('names npm 12 and its --allow-scripts flag for a global install and for npx', () => {
    const global = bindingAdvice({ ...base, owner: '/usr/lib/node_modules/codeflash-mcp', kind: 'global', npmMajor: 12 });
    expect(global).toContain('npm 12 skipped its install script');
    expect(global).toContain('cd /usr/lib/node_modules/codeflash-mcp && npm rebuild better-sqlite3');
    expect(global).toContain('npm install -g codeflash-mcp --allow-scripts=better-sqlite3');
    const npx = bindingAdvice({ ...base, owner: '/home/u/.npm/_npx/abc', kind: 'npx', npmMajor: 12 });
    expect(npx).toContain('npx -y --allow-scripts=better-sqlite3 codeflash-mcp serve');
  });

  it('asks for a rebuild with the running Node when the binding was built for another one', () => {
    const advice = bindingAdvice({
      ...base,
      error:
        "The module '/p/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling",
      owner: '/p',
      kind: 'project',
      npmMajor: 11,
    });
    expect(advice).toContain('built for another Node version (module ABI 115; this Node needs 127)');
    expect(advice).toContain('with this Node first on PATH: cd /p && npm rebuild better-sqlite3');
    expect(advice).not.toContain('allow-scripts');
  });

  it('says when better-sqlite3 is not installed at all', () => {
    expect(bindingAdvice({ ...base, error: "Cannot find package 'better-sqlite3'", kind: 'project' })).toContain(
      'It is not installed. Fix: npm install',
    );
  });
});
