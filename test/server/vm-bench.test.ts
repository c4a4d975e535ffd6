import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { commandLine, sshdAvailable, startSshd, stopAllSshd } from '../fixtures/sshd.mjs';
import { commitAll, gitIn, makeRepo } from '../helpers/git-repo.js';
import { connectInMemory, errorText, type InMemory } from '../helpers/in-memory.js';

type TestSshd = Awaited<ReturnType<typeof startSshd>>;

const sshd = sshdAvailable();

let open: InMemory | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await open?.close();
  open = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});
afterAll(stopAllSshd);

type Result = { isError?: boolean; content: unknown; structuredContent?: Record<string, any> };

/** ~20 ms a run on main (Python's start and a sleep); the `slow` branch, a planted slowdown, sleeps 0.3 s more, several times as long on any machine. */
const bench = (seconds: number) => `import time\ntime.sleep(${seconds})\n`;

/**
 * A Python project whose origin is a local bare repository holding main and
 * `slow`; `unpushed` exists only locally.
 */
async function project(): Promise<{ root: string; mcp: InMemory }> {
  const root = makeRepo({ 'pyproject.toml': '[project]\nname = "remote-demo"\nversion = "0.1.0"\n', 'bench.py': bench(0.01) }, 'cf-vm-');
  const bare = mkdtempSync(join(tmpdir(), 'cf-vm-origin-'));
  execFileSync('git', ['init', '-q', '--bare', bare]);
  gitIn(root, 'remote', 'add', 'origin', bare);
  gitIn(root, 'checkout', '-q', '-b', 'slow');
  writeFileSync(join(root, 'bench.py'), bench(0.3));
  commitAll(root, 'sleep longer');
  gitIn(root, 'push', '-q', 'origin', 'main', 'slow');
  gitIn(root, 'checkout', '-q', '-b', 'unpushed');
  writeFileSync(join(root, 'bench.py'), bench(0.02));
  commitAll(root, 'not pushed');
  gitIn(root, 'checkout', '-q', 'main');
  open = await connectInMemory({ root, jobStartWaitMs: 120_000 });
  // With the tools listed, the SDK client checks every structured result against its tool's output schema.
  await open.client.listTools();
  await open.call('session_start', {});
  return { root, mcp: open };
}

const hostArgs = (name: string, server: TestSshd) => ({
  name,
  host: '127.0.0.1',
  port: server.port,
  user: server.user,
  auth: 'key',
  key_path: server.clientKey,
});

/** Register a host the way a user does: the first call shows the key and stores nothing, the repeat with it pins it. */
async function register(
  mcp: InMemory,
  name: string,
  server: TestSshd,
  args: Record<string, unknown> = hostArgs(name, server),
): Promise<void> {
  const seen = await mcp.call('vm_host_add', args);
  expect(seen.isError, errorText(seen)).toBeFalsy();
  expect(seen.structuredContent).toMatchObject({ stored: false, fingerprint: server.fingerprint, key_type: 'ssh-ed25519' });
  expect((await mcp.call('vm_hosts')).structuredContent!.hosts.map((h: { name: string }) => h.name)).not.toContain(name);
  const stored = await mcp.call('vm_host_add', { ...args, fingerprint: server.fingerprint });
  expect(stored.isError, errorText(stored)).toBeFalsy();
  expect(stored.structuredContent).toMatchObject({ stored: true, fingerprint: server.fingerprint });
}

/** This host's job directories: none once a job has ended. */
function jobDirs(server: TestSshd): string[] {
  const projects = join(server.cacheDir, 'codeflash-mcp', 'projects');
  if (!existsSync(projects)) return [];
  return readdirSync(projects).flatMap((p) => {
    const jobs = join(projects, p, 'jobs');
    return existsSync(jobs) ? readdirSync(jobs).map((j) => join(jobs, j)) : [];
  });
}

/** The host's measuring helpers and the runs they started. */
const remoteWork = (server: TestSshd) => server.descendants().filter((pid) => /measure --json|bench\.py/.test(commandLine(pid)));

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Ten pairs, as every test asserting a timing verdict takes: one pair caught by a burst of load cannot sway it.
const BENCH = { base: 'main', head: 'slow', command: 'bench.py', runs: 10, max_time_s: 60 };

function expectSlower(host: Record<string, any>, name: string): void {
  expect(host, JSON.stringify(host).slice(0, 2000)).toMatchObject({
    host: name,
    rows: [{ verdict: 'slower' }],
    comparison_id: expect.any(String),
  });
  expect(host.rows[0].change_pct).toBeGreaterThan(50);
}

describe.skipIf(!sshd.ok)('vm_bench over SSH', () => {
  it('pins the key by repeating vm_host_add, then measures the planted slowdown on the host with benchmark_compare rows and table', async () => {
    const server = await startSshd();
    const { mcp } = await project();
    await register(mcp, 'quiet-1', server);
    expect((await mcp.call('vm_hosts')).structuredContent!.hosts).toEqual([
      {
        name: 'quiet-1',
        host: '127.0.0.1',
        port: server.port,
        user: server.user,
        auth: 'key',
        key_path: server.clientKey,
        fingerprint: server.fingerprint,
      },
    ]);
    const progress: string[] = [];
    const result = (await mcp.client.callTool({ name: 'vm_bench', arguments: { host: 'quiet-1', ...BENCH } }, undefined, {
      onprogress: (p) => void progress.push(p.message ?? ''),
      timeout: 170_000,
    })) as Result;
    expect(result.isError, errorText(result)).toBeFalsy();
    const [host] = result.structuredContent!.hosts;
    expectSlower(host, 'quiet-1');
    expect(host.machine).toMatchObject({
      cpu_cores: expect.any(Number),
      kernel: expect.stringMatching(/Linux/),
      runtimes: { python: expect.any(String) },
    });
    expect(host.machine.load_average_start).toHaveLength(3);
    expect(host.machine.load_average_end).toHaveLength(3);
    // benchmark_compare's table, with the refs as the user named them and the machine under it.
    expect(host.markdown).toMatch(/\| `python3? bench\.py` \| .* \| \*\*slower\*\* \|/);
    expect(host.markdown, host.markdown).toMatch(/main.*slow/s);
    expect(host.markdown).toContain(host.machine.cpu_model);
    expect(progress.some((m) => m.startsWith('quiet-1: '))).toBe(true);
    // The stored comparison names its host and can be cited in the ledger.
    const stored = JSON.parse(
      (await mcp.call('read_artifact', { uri: `codeflash://comparisons/${host.comparison_id}` })).structuredContent!.text,
    );
    expect(stored.data).toMatchObject({ host: 'quiet-1', rows: host.rows, machine: host.machine });
    // The ledger takes the host's numbers from the comparison, under a metric naming the host, never a local one.
    const row = host.rows[0];
    const experiment = {
      target: 'bench.py',
      hypothesis: 'sleep less',
      status: 'keep',
      comparison_id: host.comparison_id,
      override_reason: 'the slow branch is kept as the reference the next change is measured against',
    };
    const unlabelled = await mcp.call('record_result', { ...experiment, metric: `wall_${row.unit}` });
    expect(unlabelled.isError).toBe(true);
    expect(errorText(unlabelled)).toContain(`metric "wall_${row.unit}" ≠ "wall_${row.unit}@quiet-1"`);
    const recorded = await mcp.call('record_result', experiment);
    expect(recorded.isError, errorText(recorded)).toBeFalsy();
    expect(recorded.structuredContent).toMatchObject({ proof: 'overridden' });
    const status = (await mcp.call('session_status')).structuredContent!;
    expect(status.best_measured).toMatch(
      new RegExp(`^vm_bench on host quiet-1 wall mode, 10 pairs main → slow, .* slower \\(${host.comparison_id}\\)$`),
    );
    const handoff = await mcp.call('write_handoff', { next_steps: ['measure the next change on quiet-1'] });
    expect(handoff.isError, errorText(handoff)).toBeFalsy();
    expect(readFileSync(handoff.structuredContent!.path, 'utf8')).toMatch(
      /\| measured on \|[^\n]*\n[^\n]*\n\| 1 \|[^\n]*\| host quiet-1 \| sleep less \|/,
    );
    expect(jobDirs(server)).toEqual([]);
    expect(remoteWork(server)).toEqual([]);
    // A ref the remote does not have is named with the remote, and nothing is left behind.
    const missing = (await mcp.call('vm_bench', { host: 'quiet-1', ...BENCH, head: 'unpushed' })) as Result;
    expect(missing.isError).toBe(true);
    expect(errorText(missing)).toMatch(
      /head ref "unpushed" \([0-9a-f]+\) is not on remote "origin" \(.*cf-vm-origin-.*\).*git push origin unpushed/,
    );
    expect(jobDirs(server)).toEqual([]);
  }, 180_000);

  it('refuses a host whose key changed before logging in, naming both fingerprints, and runs nothing there', async () => {
    const first = await startSshd();
    const { mcp } = await project();
    await register(mcp, 'rebuilt', first);
    // The host is rebuilt: the same address answers with a new key.
    first.kill();
    const second = await startSshd({ port: first.port });
    const refused = (await mcp.call('vm_bench', { host: 'rebuilt', ...BENCH })) as Result;
    expect(refused.isError).toBe(true);
    expect(errorText(refused)).toContain(
      `its host key is ${second.fingerprint} (ssh-ed25519), but ${first.fingerprint} is pinned; nothing was sent or run`,
    );
    expect(second.log()).not.toMatch(/Accepted|session opened/i);
    expect(existsSync(join(second.cacheDir, 'codeflash-mcp'))).toBe(false);
    // Registering it again with a wrong fingerprint is refused too, and keeps the old pin.
    const wrong = await mcp.call('vm_host_add', { ...hostArgs('rebuilt', second), fingerprint: first.fingerprint });
    expect(wrong.isError).toBe(true);
    expect(errorText(wrong)).toContain(`but ${first.fingerprint} is pinned`);
    expect((await mcp.call('vm_hosts')).structuredContent!.hosts[0].fingerprint).toBe(first.fingerprint);
  }, 60_000);

  it('logs in through an ssh-agent, forwarding it', async () => {
    const server = await startSshd();
    const { mcp } = await project();
    const socket = join(mkdtempSync(join(tmpdir(), 'cf-agent-')), 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    cleanups.push(() => {
      agent.kill('SIGKILL');
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    });
    await until(() => existsSync(socket), 'the agent socket', 10_000);
    execFileSync('ssh-add', ['-q', server.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    process.env.SSH_AUTH_SOCK = socket;
    const { key_path: _, ...agentArgs } = { ...hostArgs('agent-host', server), auth: 'agent' };
    await register(mcp, 'agent-host', server, agentArgs);
    const result = (await mcp.call('vm_bench', { host: 'agent-host', ...BENCH })) as Result;
    expect(result.isError, errorText(result)).toBeFalsy();
    expectSlower(result.structuredContent!.hosts[0], 'agent-host');
    expect(server.log()).toMatch(/Accepted publickey/);
    // Every session asked for the agent, as ssh -A does, so the host's git can fetch with the user's keys.
    expect(server.log()).toMatch(/session_input_channel_req: session \d+ req auth-agent-req@openssh\.com/);
  }, 120_000);

  it('measures on two hosts at once; a host that goes down mid-run fails alone while the other finishes', async () => {
    const [a, b] = [await startSshd(), await startSshd()];
    const { mcp } = await project();
    await register(mcp, 'host-a', a);
    await register(mcp, 'host-b', b);
    const call = mcp.client.callTool({ name: 'vm_bench', arguments: { hosts: ['host-a', 'host-b'], ...BENCH, runs: 14 } }, undefined, {
      timeout: 170_000,
    }) as Promise<Result>;
    // Both measure in parallel before either finishes.
    await until(() => remoteWork(a).length > 0 && remoteWork(b).length > 0, 'both hosts measuring', 120_000);
    b.kill();
    const result = await call;
    expect(result.isError, errorText(result)).toBeFalsy();
    const [hostA, hostB] = result.structuredContent!.hosts;
    expectSlower(hostA, 'host-a');
    expect(hostB).toMatchObject({ host: 'host-b', error: expect.stringMatching(/host-b \(.*:\d+\): the SSH connection was lost/) });
    expect(hostB.comparison_id).toBeUndefined();
    expect(result.structuredContent!.summary).toMatch(/host-b: failed/);
  }, 180_000);

  it('job_cancel, or the client cancelling its call, mid-run stops the remote runs and removes the remote worktrees', async () => {
    const server = await startSshd();
    const { mcp } = await project();
    await register(mcp, 'quiet-2', server);
    const started = (await mcp.call('vm_bench', { host: 'quiet-2', ...BENCH, runs: 200, max_time_s: 120, wait_s: 0 })) as Result;
    expect(started.structuredContent).toMatchObject({ state: 'running' });
    await until(() => server.descendants().some((pid) => /bench\.py/.test(commandLine(pid))), 'the first remote run', 120_000);
    const cancelled = await mcp.call('job_cancel', { job_id: started.structuredContent!.job_id });
    expect(cancelled.isError, errorText(cancelled)).toBeFalsy();
    await until(() => remoteWork(server).length === 0 && jobDirs(server).length === 0, 'the host to be clean', 30_000);
    const projects = join(server.cacheDir, 'codeflash-mcp', 'projects');
    const clone = join(projects, readdirSync(projects)[0]!, 'repo');
    await until(() => gitIn(clone, 'worktree', 'list').trim().split('\n').length === 1, 'the clone to forget the worktrees', 10_000);
    // The client's own cancel (notifications/cancelled on the waiting call) does the same.
    const controller = new AbortController();
    const waiting = mcp.client.callTool(
      { name: 'vm_bench', arguments: { host: 'quiet-2', ...BENCH, runs: 200, max_time_s: 120 } },
      undefined,
      {
        signal: controller.signal,
        timeout: 170_000,
      },
    );
    await until(() => server.descendants().some((pid) => /bench\.py/.test(commandLine(pid))), 'the first remote run again', 120_000);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await until(() => remoteWork(server).length === 0 && jobDirs(server).length === 0, 'the host to be clean again', 30_000);
    await until(() => gitIn(clone, 'worktree', 'list').trim().split('\n').length === 1, 'the clone to forget them again', 10_000);
  }, 180_000);
});
