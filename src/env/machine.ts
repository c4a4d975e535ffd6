import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { MachineInfo } from './types.js';

export async function detectMachine(): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    os: (await linuxDistribution()) ?? `${os.type()} ${os.release()}`,
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
  const name = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1];
  return name ? `${name}, Linux ${os.release()}` : undefined;
}
