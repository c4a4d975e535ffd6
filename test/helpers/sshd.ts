import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { realPython } from './requires.js';

export const SSHD = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((path) => existsSync(path)) ?? 'sshd';

/** Whether a test sshd can start here: the binary, and (as root) the privilege separation directory it insists on. */
export function sshdAvailable(): { ok: boolean; reason: string } {
  const ok = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');
  const reason = 'sshd (openssh-server) is not installed';
  if (!ok && process.env.CI === 'true') throw new Error(`${reason}, and CI=true requires it (.ci/run installs it)`);
  if (!ok) console.warn(`skipping: ${reason}`);
  return { ok, reason };
}

export interface TestSshd {
  port: number;
  user: string;
  /** `SHA256:…` of its host key, as ssh-keygen prints it. */
  fingerprint: string;
  /** The private key its authorized_keys accepts. */
  clientKey: string;
  /** XDG_CACHE_HOME of its sessions: the host's codeflash-mcp cache lives in it. */
  cacheDir: string;
  log(): string;
  /** Pids of every process below this sshd (its sessions and what they run). */
  descendants(): number[];
  /** SIGKILL the sshd and everything it started, as a host that goes down. */
  kill(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function keygen(path: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'codeflash-test', '-f', path]);
  return execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
}

function childrenOf(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  return children;
}

function descendantsOf(pid: number): number[] {
  const children = childrenOf();
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

/** The command line of a process, or '' once it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

const running = new Set<ChildProcess>();
// A test file that times out still takes its servers with it.
process.on('exit', () => stopAllSshd());

/**
 * A real sshd on 127.0.0.1 with a temporary host key, authorized key and
 * config; its sessions find this Node and the real Python first on PATH.
 */
export async function startSshd(options: { port?: number } = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'cf-sshd-'));
  const fingerprint = keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  const home = join(dir, 'home');
  const cacheDir = join(home, '.cache');
  mkdirSync(cacheDir, { recursive: true });
  // As root, sshd requires its privilege separation directory.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = options.port ?? (await freePort());
  const path = [dirname(process.execPath), dirname(realPython()), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  const logPath = join(dir, 'sshd.log');
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowAgentForwarding yes',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      // A HOME of its own: the login shell reads no rc file of the user's (a version manager's hooks there slow or block every command).
      `SetEnv PATH=${path} HOME=${home} XDG_CACHE_HOME=${cacheDir}`,
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', logPath], { stdio: 'ignore' });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const deadline = Date.now() + 15_000;
  while (!/Server listening/.test(log())) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    port,
    user: userInfo().username,
    fingerprint,
    clientKey: join(dir, 'client'),
    cacheDir,
    log,
    descendants: () => descendantsOf(pid),
    kill() {
      for (const p of [pid, ...descendantsOf(pid)]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Stop every sshd this file started (for afterAll). */
export function stopAllSshd(): void {
  for (const child of running) {
    for (const p of [child.pid!, ...descendantsOf(child.pid!)]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
