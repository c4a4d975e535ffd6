import { basename } from 'node:path';
import { formatBytes, formatChangePct, formatDuration, formatPct } from '../format.js';
import type { ArgumentSizes, FrameRef, Profile } from '../profilers/index.js';
import type { ExperimentRow } from '../state/experiments.js';
import type { LearningRow } from '../state/notes.js';
import { functionSource } from './source.js';

/** A profile a dossier reads, as stored by profile or scan. */
export interface StoredProfile {
  id: string;
  profiler: string;
  mode: string;
  profile: Profile;
  /** Argument sizes the scan probe saw. */
  args?: ArgumentSizes[];
}

export interface DossierTarget extends FrameRef {
  at?: number;
  domain?: string;
  kind?: string;
  share?: number;
  measure?: string;
  rank?: number;
  scanId?: string;
}

export interface Dossier {
  target: DossierTarget;
  calls: number | null;
  markdown: string;
  /** The stored profiles it read. */
  sources: string[];
}

const NEIGHBOURS = 8;
const SITES = 8;

function amount(profile: Profile, value: number): string {
  if (profile.unit === 'bytes') return formatBytes(value);
  return formatDuration(profile.unit === 'us' ? value * 1e3 : value);
}

const share = (part: number, whole: number) => (whole > 0 ? `${formatPct((part / whole) * 100)} %` : '—');
const cell = (text: string) => text.replaceAll('|', '\\|');
const place = (ref: FrameRef) => (ref.file ? `${basename(ref.file)}:${ref.line}` : '—');

/** The target's frame in a profile: same file and first line (names differ between profilers), else same file and name. */
function frameIndex(profile: Profile, target: FrameRef): number {
  const bare = (name: string) => name.slice(name.lastIndexOf('.') + 1);
  const exact = profile.frames.findIndex((f) => f.file === target.file && f.line === target.line);
  if (exact >= 0 || !target.file) return exact;
  return profile.frames.findIndex((f) => f.file === target.file && bare(f.function) === bare(target.function));
}

interface Neighbour {
  frame: FrameRef;
  calls: number | null;
  cost: number;
}

/** Callers and callees: exact call edges where the profiler records them, else read off the sampled call paths. */
function neighbours(profile: Profile, id: number): { callers: Neighbour[]; callees: Neighbour[] } {
  const callers = new Map<number, Neighbour>();
  const callees = new Map<number, Neighbour>();
  const add = (into: Map<number, Neighbour>, other: number, cost: number, calls: number | null) => {
    const known = into.get(other) ?? { frame: profile.frames[other]!, calls: calls === null ? null : 0, cost: 0 };
    known.cost += cost;
    if (calls !== null && known.calls !== null) known.calls += calls;
    into.set(other, known);
  };
  if (profile.edges?.length) {
    for (const edge of profile.edges) {
      if (edge.callee === id) add(callers, edge.caller, edge.cost, edge.calls);
      if (edge.caller === id) add(callees, edge.callee, edge.cost, edge.calls);
    }
  } else {
    for (const stack of profile.stacks) {
      const at = stack.frames.indexOf(id);
      if (at < 0) continue;
      if (at > 0) add(callers, stack.frames[at - 1]!, stack.weight, null);
      if (at < stack.frames.length - 1) add(callees, stack.frames[at + 1]!, stack.weight, null);
    }
  }
  const top = (map: Map<number, Neighbour>) => [...map.values()].sort((a, b) => b.cost - a.cost).slice(0, NEIGHBOURS);
  return { callers: top(callers), callees: top(callees) };
}

function neighbourTable(title: string, rows: Neighbour[], profile: Profile, whole: number, source: string): string[] {
  if (!rows.length) return [];
  return [
    `## ${title}`,
    '',
    `From ${source}; share of the target's own total.`,
    '',
    '| function | where | calls | cost | share |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${cell(r.frame.function)} | ${place(r.frame)} | ${r.calls ?? '—'} | ${amount(profile, r.cost)} | ${share(r.cost, whole)} |`,
    ),
    '',
  ];
}

function lineCosts(stored: StoredProfile | undefined, id: number): Map<number, number> {
  const costs = new Map<number, number>();
  for (const entry of stored?.profile.lines ?? []) if (entry.frame === id) costs.set(entry.line, entry.cost);
  return costs;
}

/** Allocation under the target, by the function that made it (the leaf of each call path through it). */
function allocationSites(profile: Profile, id: number): { frame: FrameRef; bytes: number }[] {
  const byLeaf = new Map<number, { frame: FrameRef; bytes: number }>();
  for (const stack of profile.stacks) {
    if (!stack.frames.includes(id)) continue;
    const leaf = stack.frames[stack.frames.length - 1]!;
    const site = byLeaf.get(leaf) ?? { frame: profile.frames[leaf]!, bytes: 0 };
    site.bytes += stack.weight;
    byLeaf.set(leaf, site);
  }
  return [...byLeaf.values()].sort((a, b) => b.bytes - a.bytes).slice(0, SITES);
}

function sourceBlock(root: string, target: DossierTarget, time?: StoredProfile, memory?: StoredProfile): string[] {
  const source = functionSource(root, target.file, target.line);
  if (!source)
    return ['## Source', '', target.file ? `${target.file} cannot be read inside the project.` : 'No source: not a function.', ''];
  const timeId = time ? frameIndex(time.profile, target) : -1;
  const memoryId = memory ? frameIndex(memory.profile, target) : -1;
  const times = lineCosts(time, timeId);
  const bytes = lineCosts(memory, memoryId);
  const whole = timeId >= 0 ? time!.profile.frames[timeId]!.total : 0;
  const width = String(source.first + source.lines.length).length;
  const body = source.lines.map((text, i) => {
    const line = source.first + i;
    const t = times.get(line);
    const b = bytes.get(line);
    const mark = line === target.at ? '▶' : ' ';
    return `${mark}${String(line).padStart(width)} | ${(t ? share(t, whole) : '').padStart(7)} | ${(b ? formatBytes(b) : '').padStart(10)} | ${text}`;
  });
  const legend = [
    time && timeId >= 0
      ? `time: share of the function's ${amount(time.profile, whole)} (${time.profiler}, callees counted at the calling line)`
      : '',
    memory && memoryId >= 0 ? `memory: bytes alive at the peak allocated under the line (${memory.profiler})` : '',
  ].filter(Boolean);
  const language = target.file.endsWith('.py') ? 'python' : '';
  return [
    '## Source',
    '',
    legend.length ? `Columns: ${legend.join('; ')}.` : 'No per-line cost was recorded for it.',
    '',
    `\`\`\`${language}`,
    ...body,
    ...(source.cut ? ['… (cut)'] : []),
    '```',
    '',
  ];
}

function argumentLines(target: DossierTarget, probe?: StoredProfile): string[] {
  const seen = (probe?.args ?? []).filter((a) => a.frame.file === target.file && a.frame.line === target.line);
  return seen.map((a) => {
    const range = a.low === a.high ? `${a.low}` : `${a.low}…${a.high}`;
    return `${a.name}: ${a.kind === 'len' ? 'length' : a.kind} ${range} (seen ${a.seen}×)`;
  });
}

/** Experiments and learnings whose text names the function (its last name part) or its file. */
function touching(target: DossierTarget, experiments: ExperimentRow[], learnings: LearningRow[]) {
  const name = target.function.slice(target.function.lastIndexOf('.') + 1);
  const file = target.file ? basename(target.file) : undefined;
  const mentions = (text: string) =>
    (name.length > 2 && !name.startsWith('<') && new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text)) ||
    (file !== undefined && text.includes(file));
  return {
    experiments: experiments.filter((e) => mentions(`${e.target} ${e.hypothesis} ${e.notes ?? ''}`)),
    learnings: learnings.filter((l) => mentions(`${l.title} ${l.body} ${l.evidence}`)),
  };
}

/**
 * What a researcher needs about one target, from profiles already stored:
 * source lines with cost per line, callers and callees with their shares,
 * allocation sites, call counts and argument sizes, and the experiments and
 * learnings that touched it before.
 */
export function buildDossier(input: {
  root: string;
  target: DossierTarget;
  profiles: StoredProfile[];
  experiments: ExperimentRow[];
  learnings: LearningRow[];
}): Dossier {
  const { target, profiles } = input;
  const find = (test: (p: StoredProfile) => boolean) => profiles.find((p) => test(p) && frameIndex(p.profile, target) >= 0);
  const probe = find((p) => p.profiler === 'scan-probe');
  // A module's callers are its importers: the import profile knows them, not the call counts.
  const imported = target.kind === 'import' ? find((p) => p.mode === 'import') : undefined;
  const exact = imported ? undefined : find((p) => Boolean(p.profile.edges?.length));
  const time =
    probe ?? find((p) => p.profile.unit !== 'bytes' && Boolean(p.profile.lines?.length)) ?? find((p) => p.profile.unit !== 'bytes');
  const memory = find((p) => p.profile.unit === 'bytes');
  const calls = exact ? (exact.profile.frames[frameIndex(exact.profile, target)]!.calls ?? null) : null;
  const where = target.file ? `${target.file}:${target.at ?? target.line}` : '';
  const lines = [`# Dossier: ${target.function}${where ? ` (${where})` : ''}`, ''];
  if (target.rank) lines.push(`${target.domain} target #${target.rank} of scan ${target.scanId}: ${target.measure}.`, '');
  const facts = [
    calls !== null ? `Called ${calls} time(s) (${exact!.profiler}).` : '',
    ...argumentLines(target, probe).map((a) => `Argument ${a}.`),
  ].filter(Boolean);
  if (facts.length) lines.push(...facts, '');
  lines.push(...sourceBlock(input.root, target, time, memory));

  const graph = imported ?? exact ?? time;
  if (graph) {
    const id = frameIndex(graph.profile, target);
    const whole = graph.profile.frames[id]!.total;
    const { callers, callees } = neighbours(graph.profile, id);
    const how = `${graph.profiler}${graph.profile.edges?.length ? ' call counts' : ' sampled call paths'}`;
    lines.push(
      ...neighbourTable('Callers', callers, graph.profile, whole, how),
      ...neighbourTable('Callees', callees, graph.profile, whole, how),
    );
  }
  if (memory) {
    const id = frameIndex(memory.profile, target);
    const sites = allocationSites(memory.profile, id);
    const whole = memory.profile.frames[id]!.total;
    if (sites.length) {
      lines.push(
        '## Allocation sites',
        '',
        `Alive at the peak under ${target.function}, by the function that allocated (${memory.profiler}).`,
        '',
        '| function | where | bytes | share |',
        '|---|---|---|---|',
        ...sites.map((s) => `| ${cell(s.frame.function)} | ${place(s.frame)} | ${formatBytes(s.bytes)} | ${share(s.bytes, whole)} |`),
        '',
      );
    }
  }
  const earlier = touching(target, input.experiments, input.learnings);
  lines.push('## Earlier experiments', '');
  lines.push(
    ...(earlier.experiments.length
      ? [
          '| # | status | target | hypothesis | improvement |',
          '|---|---|---|---|---|',
          ...earlier.experiments.map(
            (e) => `| ${e.n} | ${e.status} | ${cell(e.target)} | ${cell(e.hypothesis)} | ${formatChangePct(e.improvement_pct)} |`,
          ),
        ]
      : ['None recorded on it.']),
    '',
    '## Learnings',
    '',
    ...(earlier.learnings.length ? earlier.learnings.map((l) => `- **${l.title}**: ${l.body.slice(0, 300)}`) : ['None mention it.']),
    '',
  );
  const sources = [...new Set([probe, imported, exact, time, memory].filter((p) => p !== undefined).map((p) => p.id))];
  return { target, calls, markdown: lines.join('\n'), sources };
}
