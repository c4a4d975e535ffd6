import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { formatBytes } from '../format.js';
import { nodeExecutable } from './command.js';
import { goExecutable } from './go.js';
import { resolveRealPython } from './interpreter.js';
import { probe } from './probe.js';
import type { Language, MachineInfo } from './types.js';

export async function detectMachine(): Promise<MachineInfo> {
  const cpus = os.cpus();
  const distribution = await linuxDistribution();
  return {
    os: distribution ? `${distribution}, Linux ${os.release()}` : `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cpu_cores: os.availableParallelism(),
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    load_average_1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

async function linuxDistribution(): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] || undefined;
}

/** 1, 5 and 15 minute load averages. */
export type LoadAverage = [number, number, number];

/**
 * The machine a comparison ran on, stored with it: what a reader needs to judge
 * the numbers and what decides whether two comparisons may be set side by side.
 */
export interface MachineRecord {
  host_name: string;
  /** The distribution (`Debian GNU/Linux 12 (bookworm)`), else the OS name. */
  os: string;
  /** `Linux 6.1.0-18-amd64`. */
  kernel: string;
  arch: string;
  cpu_model: string;
  cpu_cores: number;
  memory_bytes: number;
  /** The measured language's runtime, e.g. `{ python: '3.11.2' }`; empty when it did not answer. */
  runtimes: Record<string, string>;
  load_average_start: LoadAverage;
  load_average_end: LoadAverage;
}

export function loadAverage(): LoadAverage {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg().map((value) => Math.round(value * 100) / 100);
  return [one, five, fifteen];
}

/** This machine now; `load_average_end` equals the start until the caller sets it when the measuring ends. */
export async function machineRecord(runtimes: Record<string, string>): Promise<MachineRecord> {
  const load = loadAverage();
  return {
    host_name: os.hostname(),
    os: (await linuxDistribution()) ?? os.type(),
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu_model: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpu_cores: os.availableParallelism(),
    memory_bytes: os.totalmem(),
    runtimes,
    load_average_start: load,
    load_average_end: load,
  };
}

/** The version of the runtime a project's runs start, as its runs would find it; none when it does not answer. */
export async function runtimeVersions(
  language: Language,
  options: { root: string; python?: string; signal?: AbortSignal },
): Promise<Record<string, string>> {
  const query = { cwd: options.root, signal: options.signal };
  if (language === 'python') {
    const python = await resolveRealPython(options.root, options.python, options.signal).catch(() => undefined);
    const version = python && (await probe([python, '-c', 'import platform; print(platform.python_version())'], query));
    return version ? { python: version } : {};
  }
  if (language === 'go') {
    const version = /go(\d+(?:\.\d+)*)/.exec(
      (await probe([goExecutable(), 'version'], { ...query, env: { GOTOOLCHAIN: 'local' } })) ?? '',
    )?.[1];
    return version ? { go: version } : {};
  }
  const version = await probe([await nodeExecutable(), '--version'], query);
  return version ? { node: version.replace(/^v/, '') } : {};
}

/**
 * Whether two records describe one environment: the same machine (name, CPU,
 * cores, memory), system and runtimes. Load differs from run to run and does not count.
 */
export function sameMachine(a: MachineRecord, b: MachineRecord): boolean {
  const key = (m: MachineRecord) =>
    JSON.stringify([m.host_name, m.cpu_model, m.cpu_cores, m.memory_bytes, m.arch, m.os, m.kernel, Object.entries(m.runtimes).sort()]);
  return key(a) === key(b);
}

/** One line for a report: `bench-1: AMD EPYC 7B13, 4 cores, 16 GiB, Debian 12, Linux 6.1.0, python 3.11.2; load 0.1 → 0.3`. */
export function describeMachine(machine: MachineRecord): string {
  const runtimes = Object.entries(machine.runtimes).map(([name, version]) => `${name} ${version}`);
  const cores = `${machine.cpu_cores} core${machine.cpu_cores === 1 ? '' : 's'}`;
  const parts = [machine.cpu_model, cores, formatBytes(machine.memory_bytes), machine.os, machine.kernel, machine.arch, ...runtimes];
  return `${machine.host_name}: ${parts.join(', ')}; load ${machine.load_average_start[0]} → ${machine.load_average_end[0]}`;
}
