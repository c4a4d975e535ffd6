import { PassThrough } from 'node:stream';
import type { Config, NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { UserError } from '../errors.js';
import { tail } from '../proc/run.js';
import type { HostAuth } from '../state/vm-hosts.js';
import { fingerprintOf, keyTypeOf } from './fingerprint.js';

/** Where a host is and how to log in; the key file (key auth) is read only while connecting. */
export interface HostTarget {
  name: string;
  host: string;
  port: number;
  user: string;
  auth: HostAuth;
  keyPath?: string | null;
}

export const CONNECT_TIMEOUT_MS = 20_000;
/** A host that stops answering is given up after about KEEPALIVE_MS × KEEPALIVE_COUNT. */
const KEEPALIVE_MS = 5_000;
const KEEPALIVE_COUNT = 3;
const KILL_GRACE_MS = 2_000;
const STDERR_TAIL_CHARS = 2_000;

interface SeenKey {
  fingerprint: string;
  keyType: string;
}

export function describeTarget(target: HostTarget): string {
  return `${target.name} (${target.user}@${target.host}:${target.port})`;
}

/** A string as one word of a POSIX shell command line (single quotes; shell-quote falls back to double quotes, which `!` breaks). */
export function shellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The host key a host shows, read during the key exchange and refused there, so
 * nothing logs in and nothing runs: the first contact of trust on first use.
 */
export async function readHostKey(target: HostTarget, options: { signal?: AbortSignal } = {}): Promise<SeenKey> {
  const seen: { key?: SeenKey } = {};
  const ssh = await openSsh(target, { fingerprint: undefined, seen, signal: options.signal }).catch((error: Error) => {
    if (seen.key) return undefined;
    throw error;
  });
  ssh?.dispose();
  if (!seen.key) throw new UserError(`${describeTarget(target)} showed no host key`);
  return seen.key;
}

/** Log in to a host whose key must have `fingerprint`; any other key is refused before authentication. */
export async function connectHost(
  target: HostTarget,
  fingerprint: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<HostConnection> {
  const seen: { key?: SeenKey } = {};
  const ssh = await openSsh(target, { fingerprint, seen, ...options });
  return new HostConnection(target, ssh);
}

async function openSsh(
  target: HostTarget,
  options: { fingerprint: string | undefined; seen: { key?: SeenKey }; signal?: AbortSignal; timeoutMs?: number },
): Promise<NodeSSH> {
  const { NodeSSH } = await import('node-ssh');
  const ssh = new NodeSSH();
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const config: Config = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: timeoutMs,
    keepaliveInterval: KEEPALIVE_MS,
    keepaliveCountMax: KEEPALIVE_COUNT,
    hostVerifier: (key: Buffer) => {
      options.seen.key = { fingerprint: fingerprintOf(key), keyType: keyTypeOf(key) };
      return options.fingerprint !== undefined && options.seen.key.fingerprint === options.fingerprint;
    },
    ...authConfig(target),
  };
  const onAbort = () => ssh.connection?.end();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new Error('cancelled');
    await ssh.connect(config);
    return ssh;
  } catch (error) {
    ssh.dispose();
    if (options.signal?.aborted) throw new Error('cancelled');
    throw connectFailure(target, error as Error & { code?: string }, options.seen.key, options.fingerprint, timeoutMs);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Agent auth forwards the agent to the host (as `ssh -A` does) so its git can fetch private repositories. */
function authConfig(target: HostTarget): Partial<Config> {
  if (target.auth === 'key') return { privateKeyPath: target.keyPath ?? '' };
  const agent = process.env.SSH_AUTH_SOCK;
  if (!agent) {
    throw new UserError(
      `${describeTarget(target)} logs in with the SSH agent, but SSH_AUTH_SOCK is not set where this server runs: start it from a shell with an agent (ssh-add -l lists its keys), or register the host with auth "key"`,
    );
  }
  return { agent, agentForward: true };
}

function connectFailure(
  target: HostTarget,
  error: Error & { code?: string },
  seen: SeenKey | undefined,
  expected: string | undefined,
  timeoutMs: number,
): UserError {
  const where = describeTarget(target);
  const message = error.message ?? String(error);
  if (seen && expected && seen.fingerprint !== expected) {
    return new UserError(
      `${where} refused: its host key is ${seen.fingerprint} (${seen.keyType}), but ${expected} is pinned; nothing was sent or run. If the host was rebuilt, read its key on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and register it again with vm_host_add; otherwise something else answers at that address.`,
    );
  }
  if (error.code === 'ECONNREFUSED')
    return new UserError(`could not connect to ${where}: connection refused (is sshd running on that port?)`);
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return new UserError(`could not connect to ${where}: unknown host name`);
  if (error.code === 'ETIMEDOUT' || /timed out/i.test(message)) {
    return new UserError(`could not connect to ${where}: no SSH answer within ${Math.round(timeoutMs / 1000)} s`);
  }
  if (/authentication methods failed/i.test(message)) {
    const how =
      target.auth === 'agent'
        ? 'none of the keys in the SSH agent (SSH_AUTH_SOCK) was accepted'
        : `the key in ${target.keyPath} was not accepted`;
    return new UserError(`could not log in to ${where}: ${how}; check the user and the host's authorized_keys`);
  }
  if (/privateKeyPath does not exist/.test(message)) return new UserError(`the key file ${target.keyPath} of ${where} does not exist`);
  if (/privateKey/i.test(message)) {
    return new UserError(
      `the key file ${target.keyPath} of ${where} cannot be used (${message}); a passphrase-protected key goes into ssh-agent (ssh-add) and the host is registered with auth "agent"`,
    );
  }
  return new UserError(`could not connect to ${where}: ${message}`);
}

export interface RemoteRunOptions {
  /** What the command does, for messages: `git fetch`, `the measuring helper`. */
  what: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Written to the command's stdin, which is then closed; without it stdin stays open until the command ends (see endInput). */
  input?: string;
  onLine?: (line: string) => void;
  /** Between SIGTERM to the command's process group and SIGKILL, when it is stopped (default 2 s). */
  killGraceMs?: number;
}

export interface RemoteResult {
  code: number | null;
  stdout: string;
  /** The last 2000 characters. */
  stderr: string;
}

/**
 * One SSH connection to a host, reused for every command of a job. Each
 * command runs in its own process group on the host (the session's shell leads
 * it), whose id is its first line of output, so a timeout or a cancel can end
 * the whole group over this same connection. A lost connection fails the
 * command that was running, and every later one, with the reason.
 */
export class HostConnection {
  private lostReason: string | undefined;
  private readonly inputs = new Set<PassThrough>();

  constructor(
    readonly target: HostTarget,
    private readonly ssh: NodeSSH,
  ) {
    // Without a listener, a reset connection's 'error' event would end the server.
    ssh.connection?.on('error', (error: Error) => {
      this.lostReason ??= error.message;
    });
    ssh.connection?.on('close', () => {
      this.lostReason ??= 'the host closed it';
    });
  }

  get label(): string {
    return describeTarget(this.target);
  }

  /** Run a /bin/sh script on the host; fails (UserError) on a non-zero exit, a timeout or a lost connection. */
  async run(script: string, options: RemoteRunOptions): Promise<RemoteResult> {
    const result = await this.runAllowingFailure(script, options);
    if (result.code !== 0) {
      const words = result.stderr.trim() || result.stdout.trim();
      throw new UserError(`${this.label}: ${options.what} failed (exit code ${result.code})${words ? `: ${words}` : ''}`);
    }
    return result;
  }

  /** As run, but a non-zero exit is returned, not thrown. */
  async runAllowingFailure(script: string, options: RemoteRunOptions): Promise<RemoteResult> {
    this.assertConnected(options.what);
    let pid: number | undefined;
    let stopped: 'timeout' | 'cancelled' | undefined;
    let channel: ClientChannel | undefined;
    let pending = '';
    const stdout: string[] = [];
    let stderr = '';
    const input = options.input === undefined ? new PassThrough() : undefined;
    if (input) this.inputs.add(input);
    const grace = options.killGraceMs ?? KILL_GRACE_MS;
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const stop = (why: 'timeout' | 'cancelled') => {
      if (stopped) return;
      stopped = why;
      input?.end();
      void this.endGroup(pid, grace, finished, () => channel?.close());
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const onLine = (line: string) => {
      if (pid === undefined && /^\d+$/.test(line)) {
        pid = Number(line);
        if (stopped) void this.endGroup(pid, grace, finished, () => channel?.close());
        return;
      }
      stdout.push(line);
      options.onLine?.(line);
    };
    try {
      if (options.signal?.aborted) stop('cancelled');
      const response = await this.ssh
        .execCommand(`exec /bin/sh -c ${shellWord(`echo "$$"; ${script}`)}`, {
          stdin: options.input ?? input,
          onChannel: (opened) => {
            channel = opened;
          },
          onStdout: (chunk) => {
            const lines = (pending + chunk.toString('utf8')).split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) onLine(line);
          },
          onStderr: (chunk) => {
            stderr = tail(stderr + chunk.toString('utf8'), STDERR_TAIL_CHARS);
          },
        })
        .catch((error: Error) => {
          this.lostReason ??= error.message;
          return undefined;
        });
      if (pending) onLine(pending);
      if (stopped === 'cancelled') throw new Error('cancelled');
      if (stopped === 'timeout') {
        throw new UserError(
          `${this.label}: ${options.what} did not finish within ${Math.round(options.timeoutMs / 1000)} s; its processes were stopped`,
        );
      }
      // A channel that closed without an exit status went down with the connection.
      if (!response || (response.code === null && response.signal === null)) this.assertConnected(options.what, true);
      return { code: response?.code ?? null, stdout: stdout.join('\n'), stderr };
    } finally {
      finish();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      input?.end();
      if (input) this.inputs.delete(input);
    }
  }

  /** Close the stdin of every command still running: a helper that watches its stdin ends itself cleanly. */
  endInput(): void {
    for (const input of this.inputs) input.end();
  }

  /** Copy local files to absolute paths on the host (SFTP); missing directories are made. A timeout or cancel drops the connection. */
  async upload(
    files: { local: string; remote: string }[],
    options: { what: string; timeoutMs: number; signal?: AbortSignal },
  ): Promise<void> {
    // Made first, in one command: node-ssh makes a missing directory per file, and parallel transfers race on it.
    const dirs = [...new Set(files.map((file) => file.remote.slice(0, file.remote.lastIndexOf('/'))))].filter(Boolean);
    await this.run(`mkdir -p ${dirs.map(shellWord).join(' ')}`, {
      what: options.what,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    let stopped: string | undefined;
    const drop = (why: string) => {
      stopped ??= why;
      this.ssh.connection?.end();
    };
    const timer = setTimeout(() => drop(`did not finish within ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);
    const onAbort = () => drop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.ssh.putFiles(files, { concurrency: 8 }).catch((error: Error) => {
        if (stopped === 'cancelled') throw new Error('cancelled');
        if (stopped) throw new UserError(`${this.label}: ${options.what} ${stopped}`);
        if (this.lostReason !== undefined || !this.ssh.isConnected()) this.assertConnected(options.what, true);
        throw new UserError(`${this.label}: ${options.what} over SFTP failed (${error.message}); the host's sshd needs an SFTP subsystem`);
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.endInput();
    this.ssh.dispose();
  }

  private assertConnected(what: string, during = false): void {
    if (this.lostReason === undefined && this.ssh.isConnected()) {
      if (during) throw new UserError(`${this.label}: ${what} ended without an exit status`);
      return;
    }
    throw new UserError(`${this.label}: the SSH connection was lost${during ? ` during ${what}` : ''} (${this.lostReason ?? 'closed'})`);
  }

  /** SIGTERM the remote group; unless the command has finished within the grace, SIGKILL it and close its channel. */
  private async endGroup(pid: number | undefined, graceMs: number, finished: Promise<void>, close: () => void): Promise<void> {
    const kill = async (signal: string) => {
      if (pid === undefined || this.lostReason !== undefined || !this.ssh.isConnected()) return;
      await this.ssh.execCommand(`kill -s ${signal} -- -${pid} 2>/dev/null; true`).catch(() => undefined);
    };
    await kill('TERM');
    const ended = await Promise.race([finished.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
    if (ended) return;
    await kill('KILL');
    close();
  }
}
