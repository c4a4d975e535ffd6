import { hostname } from 'node:os';
import { detectMachine } from '../env/machine.js';
import type { ProjectEnvironment } from '../env/types.js';
import type { StoredComparison } from '../state/comparisons.js';

/** The machine a comparison ran on, as a pull request names it. */
export interface Platform {
  cpuModel: string;
  cores: number | null;
  memoryGb: number | null;
  /** Distribution and kernel, e.g. `Debian GNU/Linux 12 (bookworm), Linux 6.1.0`. */
  os: string;
  arch: string | null;
  /** Runtime name → version, e.g. `{ Python: "3.12.4" }`. */
  runtimes: Record<string, string>;
  remote: boolean;
  host: string;
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);

/**
 * Where a comparison's numbers come from: the machine record it carries
 * (env/machine.ts; every comparison stores one, a vm_bench host's its own),
 * else this machine with the session's runtimes (a comparison stored before
 * records were kept). Every caller asks here, so a new source of comparisons
 * only has to store its record.
 */
export async function comparisonPlatform(comparison: StoredComparison, env: ProjectEnvironment | undefined): Promise<Platform> {
  const record = comparison.machine;
  if (record && text(record.cpu_model)) {
    const os = [text(record.os), text(record.kernel)].filter(Boolean).join(', ');
    const memoryBytes = count(record.memory_bytes);
    return {
      cpuModel: text(record.cpu_model)!,
      cores: count(record.cpu_cores) ?? null,
      memoryGb: memoryBytes ? Math.round((memoryBytes / 2 ** 30) * 10) / 10 : null,
      os: os || 'unknown OS',
      arch: text(record.arch) ?? null,
      runtimes: runtimeRecord(record.runtimes),
      remote: comparison.host !== undefined,
      host: comparison.host ?? text(record.host_name) ?? hostname(),
    };
  }
  const local = await detectMachine();
  return {
    cpuModel: local.cpu_model,
    cores: local.cpu_cores,
    memoryGb: local.memory_gb,
    os: local.os,
    arch: local.arch,
    runtimes: env ? localRuntimes(env) : {},
    remote: false,
    host: hostname(),
  };
}

/** A machine record names runtimes by language (`python`); a pull request by product (`Python`). */
const RUNTIME_NAMES: Record<string, string> = { python: 'Python', node: 'Node', go: 'Go' };

function runtimeRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([name, version]) => [RUNTIME_NAMES[name] ?? name, version]),
  );
}

function localRuntimes(env: ProjectEnvironment): Record<string, string> {
  const runtimes: Record<string, string> = {};
  if (env.python?.version) runtimes.Python = env.python.version;
  if (env.node?.node_version) runtimes.Node = env.node.node_version;
  if (env.go?.go_version) runtimes.Go = env.go.go_version;
  return runtimes;
}

/** `AMD EPYC 7B13, 2 cores, 7.8 GiB RAM; Debian GNU/Linux 12, Linux 6.1.0 (x86_64); Python 3.12.4; machine: local (ci-7)`. */
export function describePlatform(platform: Platform): string {
  const hardware = [
    platform.cpuModel,
    platform.cores ? `${platform.cores} core${platform.cores === 1 ? '' : 's'}` : '',
    platform.memoryGb ? `${platform.memoryGb} GiB RAM` : '',
  ].filter(Boolean);
  const system = `${platform.os}${platform.arch ? ` (${platform.arch})` : ''}`;
  const runtimes = Object.entries(platform.runtimes).map(([name, version]) => `${name} ${version}`);
  const where = platform.remote ? `machine: remote host ${platform.host}` : `machine: local (${platform.host})`;
  return [hardware.join(', '), system, ...(runtimes.length ? [runtimes.join(', ')] : []), where].join('; ');
}
