import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { PACKAGE_ROOT, VERSION } from '../package.js';
import { type HostConnection, shellWord } from './connection.js';

/** What the host must have to run the measuring helper. */
const MIN_NODE_MAJOR = 20;
const PROBE_TIMEOUT_MS = 30_000;
const UPLOAD_TIMEOUT_MS = 5 * 60_000;

export interface HostFacts {
  /** `$XDG_CACHE_HOME/codeflash-mcp` (default `~/.cache/codeflash-mcp`) on the host: the helper, clones and jobs live there. */
  baseDir: string;
  node: string;
  git: string;
}

/** The host's cache directory and the versions of node and git it runs; a missing one is a clear error. */
export async function probeHost(connection: HostConnection, signal?: AbortSignal): Promise<HostFacts> {
  const script = [
    `printf 'base=%s\\n' "\${XDG_CACHE_HOME:-$HOME/.cache}/codeflash-mcp"`,
    `printf 'node=%s\\n' "$(node --version 2>/dev/null)"`,
    `printf 'git=%s\\n' "$(git --version 2>/dev/null)"`,
  ].join('; ');
  const { stdout } = await connection.run(script, { what: 'the host check', timeoutMs: PROBE_TIMEOUT_MS, signal });
  const facts = Object.fromEntries(stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const node = facts.node ?? '';
  const major = Number(/^v(\d+)\./.exec(node)?.[1] ?? 0);
  if (major < MIN_NODE_MAJOR) {
    throw new UserError(
      `${connection.label}: the measuring helper needs Node ≥ ${MIN_NODE_MAJOR} on the host's PATH for non-interactive logins, found ${node || 'none'}`,
    );
  }
  if (!facts.git) throw new UserError(`${connection.label}: git is not on the host's PATH`);
  if (!facts.base?.startsWith('/'))
    throw new UserError(`${connection.label}: the host's cache directory "${facts.base}" is not absolute (HOME unset?)`);
  return { baseDir: facts.base, node, git: facts.git };
}

interface RuntimeFile {
  local: string;
  /** Path under the runtime directory. */
  relative: string;
}

let bundle: Promise<{ key: string; files: RuntimeFile[] }> | undefined;

/**
 * The files the helper needs on a host: the bundled CLI (no node_modules: the
 * measuring path loads no native module), the harness programs and
 * package.json. Keyed by version and content, so a changed build is uploaded anew.
 */
function runtimeBundle(): Promise<{ key: string; files: RuntimeFile[] }> {
  bundle ??= (async () => {
    const binDir = join(PACKAGE_ROOT, 'dist', 'bin');
    if (!existsSync(join(binDir, 'cli.js'))) {
      throw new UserError(`the bundled CLI ${join(binDir, 'cli.js')} is missing, and hosts run it: build the package (npm run build)`);
    }
    const list = async (dir: string, filter: (name: string) => boolean) =>
      (await readdir(join(PACKAGE_ROOT, dir), { withFileTypes: true }))
        .filter((entry) => entry.isFile() && filter(entry.name))
        .map((entry) => ({ local: join(PACKAGE_ROOT, dir, entry.name), relative: `${dir}/${entry.name}` }));
    const files = [
      { local: join(PACKAGE_ROOT, 'package.json'), relative: 'package.json' },
      ...(await list('dist/bin', (name) => name.endsWith('.js'))),
      ...(await list('harness', (name) => !name.startsWith('.'))),
    ].sort((a, b) => a.relative.localeCompare(b.relative));
    const hash = createHash('sha256');
    for (const file of files)
      hash
        .update(file.relative)
        .update('\0')
        .update(await readFile(file.local))
        .update('\0');
    return { key: `${VERSION}-${hash.digest('hex').slice(0, 12)}`, files };
  })().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

/** The helper's CLI on the host, uploaded once per host and build (SFTP into a partial directory, then renamed). */
export async function ensureRuntime(connection: HostConnection, facts: HostFacts, signal?: AbortSignal): Promise<string> {
  const { key, files } = await runtimeBundle();
  const dir = `${facts.baseDir}/runtime/${key}`;
  const cli = `${dir}/dist/bin/cli.js`;
  const present = await connection.runAllowingFailure(`test -f ${shellWord(`${dir}/.complete`)}`, {
    what: 'looking for the measuring helper',
    timeoutMs: PROBE_TIMEOUT_MS,
    signal,
  });
  if (present.code === 0) return cli;
  const partial = `${dir}.partial-${randomBytes(4).toString('hex')}`;
  await connection.upload(
    files.map((file) => ({ local: file.local, remote: `${partial}/${file.relative}` })),
    { what: 'uploading the measuring helper', timeoutMs: UPLOAD_TIMEOUT_MS, signal },
  );
  const [p, d] = [shellWord(partial), shellWord(dir)];
  await connection.run(`touch ${p}/.complete && if [ -d ${d} ]; then rm -rf ${p}; else mv ${p} ${d}; fi`, {
    what: 'installing the measuring helper',
    timeoutMs: UPLOAD_TIMEOUT_MS,
    signal,
  });
  return cli;
}
