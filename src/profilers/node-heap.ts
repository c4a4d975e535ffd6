import type { ProfilerAdapter } from './adapter.js';
import { type FrameRef, ProfileBuilder } from './model.js';
import { type CallFrame, nodeFrame, readJson, runWithNodeProfiler } from './node.js';

const SAMPLE_INTERVAL_BYTES = 32 * 1024;

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

interface HeapProfile {
  head: HeapNode;
}

/** V8's sampling heap profiler (`--heap-prof`): sampled allocations still alive when each Node process exits. */
export const nodeHeapAdapter: ProfilerAdapter = {
  name: 'node-heap',
  language: 'node',
  modes: ['memory'],
  overheadNote: `V8 samples about one allocation per ${SAMPLE_INTERVAL_BYTES / 1024} KiB (a few percent slower) and keeps only samples still alive at exit, so it shows what the program holds, not short-lived garbage; sizes are estimates scaled from the samples.`,
  async run(job) {
    const flags = [`--heap-prof-interval=${SAMPLE_INTERVAL_BYTES}`];
    const { run, files, dir } = await runWithNodeProfiler(job, 'heap', flags, '.heapprofile');
    if (files.length === 0) return { run };
    const builder = new ProfileBuilder('bytes');
    for (const file of files) addHeapProfile(builder, await readJson<HeapProfile>(file));
    return { run, raw: files.length === 1 ? files[0] : dir, profile: builder.build() };
  },
};

export function addHeapProfile(builder: ProfileBuilder, profile: HeapProfile): void {
  const visit = (node: HeapNode, path: FrameRef[]) => {
    const here: FrameRef[] = node.callFrame.functionName === '(root)' ? path : [...path, nodeFrame(node.callFrame)];
    builder.addSample(here, node.selfSize);
    for (const child of node.children) visit(child, here);
  };
  visit(profile.head, []);
}
