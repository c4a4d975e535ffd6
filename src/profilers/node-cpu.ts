import type { ProfilerAdapter } from './adapter.js';
import { type FrameRef, ProfileBuilder } from './model.js';
import { type CallFrame, nodeFrame, readJson, runWithNodeProfiler } from './node.js';

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** V8's sampling CPU profiler (`--cpu-prof`), one profile per Node process. */
export const nodeCpuAdapter: ProfilerAdapter = {
  name: 'node-cpu',
  language: 'node',
  modes: ['cpu', 'wall'],
  overheadNote:
    'V8 samples the stack every millisecond (typically under 5% slower); inlined functions are charged to the function they were inlined into, and in cpu mode idle time is left out.',
  async run(job) {
    const { run, files, dir } = await runWithNodeProfiler(job, 'cpu', [], '.cpuprofile');
    if (files.length === 0) return { run };
    const builder = new ProfileBuilder('ns');
    for (const file of files) addCpuProfile(builder, await readJson<CpuProfile>(file), job.mode === 'cpu');
    return { run, raw: files.length === 1 ? files[0] : dir, profile: builder.build() };
  },
};

/** Each sample lasts until the next one; charge that time to the sampled node's call path. */
export function addCpuProfile(builder: ProfileBuilder, profile: CpuProfile, skipIdle: boolean): void {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  const stamps = samples.map((_, i) => (at += deltas[i] ?? 0));
  samples.forEach((id, i) => {
    const duration = Math.max(0, (stamps[i + 1] ?? profile.endTime) - stamps[i]!);
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration);
  });
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  for (const [id, us] of selfUs) {
    const path: FrameRef[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const callFrame = nodes.get(at)?.callFrame;
      if (callFrame && callFrame.functionName !== '(root)') path.unshift(nodeFrame(callFrame));
    }
    if (skipIdle && path.length === 1 && path[0]!.function === '(idle)') continue;
    builder.addSample(path, us * 1000);
  }
}
