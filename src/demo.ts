import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPct } from './format.js';
import { PACKAGE_ROOT } from './package.js';
import { connectStdioClient, type StdioClient } from './server/client.js';
import { git } from './workspace/git.js';

const EXAMPLES = join(PACKAGE_ROOT, 'examples');
// The demo is started by the CLI itself, so the server it spawns is this same program.
const CLI = process.argv[1]!;

type Structured = Record<string, unknown>;

const say = (text: string) => process.stdout.write(`${text}\n`);

/** Call a tool; when it answers with a running job, follow it with job_status until it ends. */
async function call(client: StdioClient, name: string, args: Record<string, unknown> = {}): Promise<Structured> {
  let answer = await client.callTool(name, args, 300_000);
  let structured = answer.structured as Structured | undefined;
  while (!answer.isError && structured?.state === 'running') {
    say(`   … ${name} still running (${structured.job_id}); waiting`);
    answer = await client.callTool('job_status', { job_id: structured.job_id, wait_s: 45 }, 120_000);
    structured = answer.structured as Structured;
    if (structured?.state === 'succeeded') structured = { ...(structured.result as Structured), state: 'succeeded' };
  }
  if (answer.isError || !structured || (structured.state && structured.state !== 'succeeded')) {
    throw new Error(`${name} failed: ${structured?.error ?? answer.text}`);
  }
  return structured;
}

export type DemoLanguage = 'python' | 'node' | 'go';
export const DEMO_LANGUAGES: readonly DemoLanguage[] = ['python', 'node', 'go'];

/** One bundled example: a project with a slow function, its fix, and how the loop measures it. */
interface DemoProject {
  goal: string;
  /** The file the fix replaces, and the example file holding the fix. */
  edit: [string, string];
  describeEdit: string;
  target: string;
  hypothesis: string;
  profile: Structured;
  compare: Structured;
  /** The guard: the project's own test command, as session_start found it. */
  guard(start: Structured): string;
}

const PROJECTS: Record<DemoLanguage, DemoProject> = {
  python: {
    goal: 'make unique_skus fast on a day of orders',
    edit: ['inventory/dedupe.py', 'python-demo.optimized.py'],
    describeEdit: 'unique_skus keeps a dict instead of scanning a list for every SKU',
    target: 'inventory/dedupe.py:unique_skus',
    hypothesis: 'membership test on a list is O(n); a dict keeps order with O(1) lookups',
    profile: { command: 'bench.py', mode: 'cpu' },
    compare: { command: 'bench.py' },
    guard: (start) => `${start.python} -m pytest -q`,
  },
  node: {
    goal: 'make uniqueSkus fast on a day of orders',
    edit: ['src/dedupe.js', 'node-demo.optimized.js'],
    describeEdit: 'uniqueSkus keeps a Set instead of calling includes on an array for every SKU',
    target: 'src/dedupe.js:uniqueSkus',
    hypothesis: 'Array.includes is O(n) per SKU; a Set keeps order with O(1) lookups',
    profile: { command: 'bench.js', mode: 'cpu' },
    compare: { command: 'bench.js' },
    guard: (start) => String(start.test_command),
  },
  go: {
    goal: 'make UniqueSKUs fast on a day of orders',
    edit: ['dedupe.go', 'go-demo.optimized.go'],
    describeEdit: 'UniqueSKUs keeps a map instead of scanning a slice for every SKU',
    target: 'dedupe.go:UniqueSKUs',
    hypothesis: 'the inner loop over seen is O(n) per SKU; a map answers membership in O(1)',
    profile: { command: '.', mode: 'cpu' },
    compare: { benchmark: '.' },
    guard: (start) => String(start.test_command),
  },
};

/**
 * The whole loop on a bundled example, through a real MCP client talking to
 * this server over stdio: start, guard, profile, optimize, compare the edited
 * tree, keep it (the server commits it), hand off with the progress chart, and
 * write the pull request body. Returns the process exit code.
 */
export async function runDemo(options: { keep: boolean; language?: DemoLanguage }): Promise<number> {
  const language = options.language ?? 'python';
  const project = PROJECTS[language];
  const root = mkdtempSync(join(tmpdir(), 'codeflash-demo-'));
  cpSync(join(EXAMPLES, `${language}-demo`), root, { recursive: true });
  await git(root, ['init', '-q', '-b', 'main']);
  // The example commits as itself (the server's keep commits too), whatever identity the user's configuration holds.
  await git(root, ['config', 'user.name', 'codeflash demo']);
  await git(root, ['config', 'user.email', 'demo@localhost']);
  await git(root, ['add', '-A']);
  await git(root, ['commit', '-q', '-m', 'inventory: first version']);
  say(`codeflash-mcp demo (${language}) — example project copied to ${root}\n`);

  const client = await connectStdioClient(process.execPath, [CLI, 'serve', '--root', root], 'codeflash-demo');
  try {
    const start = await call(client, 'session_start', { goal: project.goal, domain: 'cpu', branch: 'unique-skus' });
    say(`1. session_start → ${start.summary}`);
    const guardRule = await call(client, 'set_convention', { topic: 'guard', rule: project.guard(start) });
    say(`   set_convention → ${guardRule.summary}\n`);

    const guard = await call(client, 'run_guard');
    say(`2. run_guard → ${guard.summary}\n`);

    const profile = await call(client, 'profile', { ...project.profile, top: 5 });
    say(`3. profile ${JSON.stringify(project.profile.command)} (${profile.profiler}) → top hotspots, the project's own code first:`);
    for (const h of profile.hotspots as Structured[]) {
      say(`   ${formatPct(h.self_pct as number, 1).padStart(5)} % self  ${h.function}  ${h.file}:${h.line}`);
    }

    const [file, fix] = project.edit;
    writeFileSync(join(root, file), readFileSync(join(EXAMPLES, fix), 'utf8'));
    say(`\n4. edit → ${project.describeEdit}`);
    const guardAfter = await call(client, 'run_guard', { revert_on_failure: true });
    say(`   run_guard → ${guardAfter.summary}`);

    const compare = await call(client, 'benchmark_compare', {
      base: 'main',
      head: 'WORKTREE',
      ...project.compare,
      mode: 'wall',
      max_time_s: 45,
    });
    say(`\n5. benchmark_compare main → the edited tree ${JSON.stringify(project.compare)} → ${compare.summary}\n`);
    say(String(compare.markdown));

    const row = (compare.rows as Structured[])[0]!;
    const measured = { comparison_id: compare.comparison_id, row: row.name };
    await call(client, 'record_result', {
      target: project.target,
      hypothesis: 'baseline before any change',
      status: 'baseline',
      ...measured,
    });
    const faster = row.verdict === 'faster';
    const recorded = await call(client, 'record_result', {
      target: project.target,
      hypothesis: project.hypothesis,
      status: faster ? 'keep' : 'discard',
      files: [file],
      ...measured,
    });
    say(`6. record_result ${faster ? 'keep' : 'discard'} files ${JSON.stringify([file])} → ${recorded.summary}`);

    const handoff = await call(client, 'write_handoff', {
      summary: `${project.target} no longer scans for every SKU.`,
      next_steps: ['Profile makeOrders / make_orders: string formatting is the next hotspot.'],
    });
    const changelog = await call(client, 'write_changelog');
    say(`7. write_handoff → ${handoff.path}\n   chart → ${handoff.chart}\n   write_changelog → ${changelog.path}\n`);
    say(`The ledger: ${join(root, '.codeflash', 'results.tsv')}`);
    say(readFileSync(join(root, '.codeflash', 'results.tsv'), 'utf8'));
    if (!faster) return 1;
    const body = await call(client, 'pr_body', { comparison_id: compare.comparison_id });
    say(`8. pr_body → ${body.summary}\n`);
    say(String(body.markdown));
    say(`The progress chart: ${handoff.chart} (also codeflash://charts/progress.svg)`);
    return 0;
  } finally {
    await client.close();
    if (!options.keep) rmSync(root, { recursive: true, force: true });
    else say(`(kept ${root})`);
  }
}
