import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { formatCommand } from '../proc/command.js';
import { runProcess } from '../proc/run.js';

/** How this copy of the package was installed, as far as the fix depends on it. */
type InstallKind = 'npx' | 'global' | 'project';

export interface BindingFacts {
  /** The loader's own message. */
  error: string;
  /** The folder whose node_modules hold better-sqlite3 (where `npm rebuild` must run), when it is installed at all. */
  owner?: string;
  kind: InstallKind;
  /** npm's major version, when npm could be asked. */
  npmMajor?: number;
  nodeVersion: string;
}

/**
 * Whether the native SQLite module loads. npm 12 skips dependency install
 * scripts unless allowed, and a Node upgrade leaves a binding built for the old
 * ABI: either way every store operation would fail later, one tool call at a
 * time. Answers undefined when it loads, else the message that names the fix.
 */
export async function sqliteBindingProblem(): Promise<string | undefined> {
  try {
    const { default: Database } = await import('better-sqlite3');
    new Database(':memory:').close();
    return undefined;
  } catch (error) {
    const owner = ownerDir();
    return bindingAdvice({
      error: error instanceof Error ? error.message : String(error),
      owner,
      kind: installKind(owner),
      npmMajor: await npmMajor(),
      nodeVersion: process.version,
    });
  }
}

function ownerDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
    return dirname(dirname(dirname(manifest)));
  } catch {
    return undefined;
  }
}

function installKind(owner: string | undefined): InstallKind {
  if (owner?.includes(`${sep}_npx${sep}`)) return 'npx';
  if (owner && /[\\/]node_modules[\\/]codeflash-mcp$/.test(owner)) return 'global';
  return 'project';
}

async function npmMajor(): Promise<number | undefined> {
  // npx and npm run say which npm started them; otherwise ask the npm on PATH.
  const agent = /\bnpm\/(\d+)\./.exec(process.env.npm_config_user_agent ?? '')?.[1];
  if (agent) return Number(agent);
  const result = await runProcess(['npm', '--version'], { cwd: process.cwd(), timeoutMs: 5000 });
  const major = /^(\d+)\./.exec(result.stdout.trim())?.[1];
  return result.exitCode === 0 && major ? Number(major) : undefined;
}

/** The message for a binding that does not load: what happened and the one command that fixes it. */
export function bindingAdvice(facts: BindingFacts): string {
  const loader = facts.error
    .split('\n')[0]!
    .trim()
    .replace(/\.?\s*Tried:$/, '');
  const head = `codeflash-mcp cannot start: its SQLite module (better-sqlite3) does not load on Node ${facts.nodeVersion}.`;
  if (!facts.owner) {
    return `${head}\nIt is not installed. Fix: ${facts.kind === 'project' ? 'npm install' : 'install codeflash-mcp again'}.\n(${loader})`;
  }
  const rebuild = `cd ${formatCommand([facts.owner])} && npm rebuild better-sqlite3`;
  if (/NODE_MODULE_VERSION|different Node\.js version/.test(facts.error)) {
    const [, built, needed] = /NODE_MODULE_VERSION (\d+)\D+NODE_MODULE_VERSION (\d+)/.exec(facts.error) ?? [];
    const abi = built && needed ? ` (module ABI ${built}; this Node needs ${needed})` : '';
    return `${head}\nIt was built for another Node version${abi}. Fix, with this Node first on PATH: ${rebuild}`;
  }
  if (/Could not locate the bindings file/.test(facts.error)) {
    const blocked =
      (facts.npmMajor ?? 0) >= 12
        ? 'npm 12 skipped its install script, which builds the binding (npm runs dependency scripts only when allowed).'
        : 'Its install script, which builds the binding, did not run (installed with --ignore-scripts?).';
    const reinstall =
      facts.kind === 'global'
        ? '\nOr reinstall: npm install -g codeflash-mcp --allow-scripts=better-sqlite3'
        : facts.kind === 'npx'
          ? '\nOr let npx run it, in the host config: npx -y --allow-scripts=better-sqlite3 codeflash-mcp serve'
          : '';
    return `${head}\n${blocked}\nFix: ${rebuild}${(facts.npmMajor ?? 0) >= 12 ? reinstall : ''}\n(${loader})`;
  }
  return `${head}\nFix: ${rebuild}\n(${loader})`;
}
