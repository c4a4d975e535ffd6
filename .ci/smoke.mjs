// Drives an installed `codeflash-mcp serve` through the MCP SDK's client, as a host would, on a
// fresh plain-files Python project (no pyproject.toml: two commits of bench.py, the second slower).
//
//   node .ci/smoke.mjs <command> [args...]                          session_start, profile and benchmark_compare work
//   node .ci/smoke.mjs --expect-binding-error <fix> <command> ...   initialize fails, and its error names <fix>
//
// Prints one line per step; exits 1 on the first failure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const args = process.argv.slice(2);
const expectedFix = args[0] === '--expect-binding-error' ? args[1] : undefined;
const [command, ...commandArgs] = expectedFix ? args.slice(2) : args;

function fail(message) {
  console.log(`smoke: FAILED: ${message}`);
  process.exit(1);
}

function plainPythonProject() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'cf-smoke-')));
  const git = (...a) => execFileSync('git', a, { cwd: root, stdio: 'pipe' });
  const bench = (n) => `def work(n):\n    return sum(i * i for i in range(n))\n\n\nprint(work(${n}))\n`;
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'smoke@example.com');
  git('config', 'user.name', 'smoke');
  writeFileSync(join(root, 'bench.py'), bench(200_000));
  git('add', '.');
  git('commit', '-qm', 'base');
  writeFileSync(join(root, 'bench.py'), bench(800_000));
  git('commit', '-qam', 'four times the work');
  return root;
}

const root = plainPythonProject();
// The whole environment, unlike the SDK's default: npx must see this run's npm cache and nodedir.
const transport = new StdioClientTransport({ command, args: [...commandArgs, 'serve', '--root', root], env: process.env, stderr: 'pipe' });
let stderr = '';
transport.stderr?.on('data', (chunk) => (stderr += chunk));
const client = new Client({ name: 'codeflash-ci-smoke', version: '0' });
const call = async (name, toolArgs) => {
  const result = await client.callTool({ name, arguments: toolArgs }, undefined, { timeout: 120_000 });
  if (result.isError) fail(`${name}: ${result.content.map((c) => c.text).join(' ')}`);
  return result.structuredContent;
};

try {
  // A first npx start installs the package before it answers.
  const connected = await client.connect(transport, { timeout: 180_000 }).then(
    () => undefined,
    (error) => error,
  );
  if (expectedFix) {
    if (!connected) fail('initialize succeeded, but the binding was expected not to load');
    if (!connected.message.includes(expectedFix)) fail(`the initialize error does not name "${expectedFix}": ${connected.message}`);
    if (!stderr.startsWith('codeflash-mcp cannot start')) fail(`stderr does not start with the problem: ${stderr.slice(0, 300)}`);
    console.log(`smoke: initialize refused with the fix: ${connected.message.split('\n').find((l) => l.includes(expectedFix))}`);
  } else {
    if (connected) fail(`initialize: ${connected.message}\n${stderr}`);
    const start = await call('session_start', {});
    if (start.language !== 'python') fail(`session_start says language ${start.language} for a folder of .py files`);
    console.log(`smoke: session_start: ${start.language}, ${start.python}`);
    const profile = await call('profile', { command: 'bench.py', wait_s: 50 });
    if (profile.state !== 'succeeded' || !profile.hotspots?.length) fail(`profile: ${JSON.stringify(profile).slice(0, 300)}`);
    console.log(`smoke: profile: ${profile.summary}`);
    const compare = await call('benchmark_compare', { base: 'HEAD~1', head: 'HEAD', command: 'bench.py', max_time_s: 15, wait_s: 50 });
    if (compare.state !== 'succeeded' || compare.rows?.[0]?.verdict !== 'slower')
      fail(`benchmark_compare: ${JSON.stringify(compare).slice(0, 400)}`);
    console.log(`smoke: benchmark_compare: ${compare.summary}`);
  }
} finally {
  await client.close().catch(() => {});
  rmSync(root, { recursive: true, force: true });
}
