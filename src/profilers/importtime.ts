import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertStarted, clearOutputs, type ProfilerAdapter, runProfiled } from './adapter.js';
import { type FrameRef, type Profile, ProfileBuilder } from './model.js';
import { pythonTarget } from './python.js';

const IMPORT_LINE = /^import time:\s+(\d+) \|\s+(\d+) \|( +)(\S.*)$/;

/** The interpreter's own import timer: self and cumulative microseconds per module, nested as imported. */
export const importtimeAdapter: ProfilerAdapter = {
  name: 'importtime',
  language: 'python',
  modes: ['import'],
  overheadNote:
    '-X importtime only reads the clock around each import (negligible cost); the figures come from one cold run, and a fresh __pycache__ or disk cache changes them, so repeat before judging small differences.',
  async run(job) {
    const target = await pythonTarget(job);
    const raw = join(job.outDir, 'importtime.txt');
    await clearOutputs(raw);
    const run = await runProfiled(job, [target.interpreter, '-X', 'importtime', ...target.args], {
      onLine: (line) => {
        if (!line.startsWith('import time:')) job.log(line);
      },
    });
    assertStarted(run, 'pass the real Python interpreter');
    await writeFile(raw, run.stderr);
    return { run, raw, profile: parseImportTime(run.stderr, job.cwd) };
  },
};

interface ImportNode {
  module: string;
  self: number;
  level: number;
  children: ImportNode[];
}

/**
 * `-X importtime` prints a module after everything it imported, indented two
 * spaces per nesting level; rebuild the tree and charge each module's own
 * microseconds to its import path.
 */
export function parseImportTime(stderr: string, cwd: string): Profile | undefined {
  const pending: ImportNode[] = [];
  for (const line of stderr.split('\n')) {
    const match = IMPORT_LINE.exec(line);
    if (!match) continue;
    const node: ImportNode = { module: match[4]!.trim(), self: Number(match[1]), level: (match[3]!.length - 1) / 2, children: [] };
    while (pending.length > 0 && pending[pending.length - 1]!.level > node.level) node.children.unshift(pending.pop()!);
    pending.push(node);
  }
  if (pending.length === 0) return undefined;
  const builder = new ProfileBuilder('us');
  const visit = (node: ImportNode, path: FrameRef[]) => {
    const here = [...path, moduleFrame(node.module, cwd)];
    builder.addSample(here, node.self, 1);
    for (const child of node.children) visit(child, here);
  };
  for (const root of pending) visit(root, []);
  return builder.build();
}

/** The module's source file when it belongs to the project (flat or src layout); empty otherwise. */
function moduleFrame(module: string, cwd: string): FrameRef {
  const parts = module.split('.');
  for (const base of [cwd, join(cwd, 'src')]) {
    for (const file of [`${join(base, ...parts)}.py`, join(base, ...parts, '__init__.py')]) {
      if (existsSync(file)) return { function: module, file, line: 1 };
    }
  }
  return { function: module, file: '', line: 0 };
}
