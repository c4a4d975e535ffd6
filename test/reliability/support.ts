/**
 * Shared parts of the reliability suite, which drives the built server
 * (`npm run build` first) over stdio: snapshots of a project's files and store,
 * a raw JSON-RPC client that owns the server's stdin and reads its stdout line
 * by line, and probes of processes.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { statePaths } from '../../src/state/paths.js';
import { gitIn } from '../helpers/git-repo.js';
import { CLI } from '../helpers/mcp-client.js';

/** Every entry under `dir` (not .git) with its type, mode and content hash; the store's files are left to storeDump. */
function treeListing(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const rel = relative(root, path);
    if (rel === '.git' || /^\.codeflash\/state\.sqlite/.test(rel)) continue;
    const stat = lstatSync(path);
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) out.push(`${rel} link ${readlinkSync(path)}`);
    else if (stat.isDirectory()) {
      out.push(`${rel}/ ${mode}`);
      treeListing(root, path, out);
    } else out.push(`${rel} ${mode} ${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
  }
  return out;
}

/** Every row of every table of the project's store, in rowid order. */
function storeDump(root: string): string {
  const file = join(root, '.codeflash', 'state.sqlite');
  if (!existsSync(file)) return '(no store)';
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[];
    return tables.map(({ name }) => `${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all())}`).join('\n');
  } finally {
    db.close();
  }
}

/** What a refused call must leave as it was: the working tree, the store, git's refs and worktrees, the temp worktrees. */
export function projectSnapshot(root: string): string {
  const worktrees = statePaths(root).worktreesDir;
  return [
    ...treeListing(root),
    storeDump(root),
    gitIn(root, 'for-each-ref', '--format=%(refname) %(objectname)'),
    gitIn(root, 'symbolic-ref', 'HEAD'),
    gitIn(root, 'worktree', 'list', '--porcelain'),
    `worktrees dir: ${existsSync(worktrees) ? readdirSync(worktrees).join(',') : '(none)'}`,
  ].join('\n');
}

export interface RpcMessage {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  result?: Record<string, unknown> & { structuredContent?: Record<string, unknown>; isError?: boolean; content?: { text: string }[] };
  error?: { code: number; message: string };
}

/**
 * The built server on stdio with nothing in between: requests are written as
 * lines, every stdout line is kept as it came (so purity can be checked), and
 * the test decides when stdin closes.
 */
export class RawServer {
  readonly stdoutLines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  private nextId = 1;
  private readonly waiting = new Map<number, (message: RpcMessage) => void>();

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines) this.onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (pending) this.stdoutLines.push(pending);
        resolve({ code, signal, at: Date.now() });
      }),
    );
  }

  /** Spawn `serve` with these arguments and complete the MCP handshake. */
  static async start(args: string[], env: Record<string, string> = {}): Promise<RawServer> {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: 'pipe', env: { ...process.env, ...env } });
    const server = new RawServer(child);
    const init = await server.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'reliability', version: '0' },
    });
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
    server.notify('notifications/initialized');
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private onLine(line: string): void {
    this.stdoutLines.push(line);
    let message: RpcMessage;
    try {
      message = JSON.parse(line) as RpcMessage;
    } catch {
      return;
    }
    if (typeof message.id === 'number' && message.method === undefined) {
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    }
  }

  request(method: string, params: Record<string, unknown> = {}): Promise<RpcMessage> {
    const id = this.nextId++;
    return this.send(id, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }

  /** Send a request whose text is written as given (for numbers JSON.stringify cannot write, such as 1e999). */
  requestRaw(build: (id: number) => string): Promise<RpcMessage> {
    const id = this.nextId++;
    return this.send(id, build(id));
  }

  private send(id: number, text: string): Promise<RpcMessage> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${text}\n`);
    });
  }

  notify(method: string, params: Record<string, unknown> = {}): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }

  writeRaw(text: string): void {
    this.child.stdin.write(text);
  }

  call(name: string, args: Record<string, unknown> = {}): Promise<RpcMessage> {
    return this.request('tools/call', { name, arguments: args });
  }

  closeStdin(): number {
    this.child.stdin.end();
    return Date.now();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Peak resident memory of a live process (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** Every live process below `pid` (children, grandchildren, …), found through the parent pids in /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    try {
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), child]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const below = children.get(queue.shift()!) ?? [];
    found.push(...below);
    queue.push(...below);
  }
  return found;
}

/** A seeded generator, so the moments of the kills are the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
