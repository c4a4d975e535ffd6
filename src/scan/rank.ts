import { formatBytes, formatDuration, formatPct } from '../format.js';
import { type Hotspot, type ProbeResult, type Profile, type ProfileResult, rankHotspots } from '../profilers/index.js';

export const SCAN_DOMAINS = ['cpu', 'memory', 'async', 'structure'] as const;
export type ScanDomain = (typeof SCAN_DOMAINS)[number];
export type TargetKind = 'function' | 'allocation' | 'gc' | 'import' | 'blocking call';

export interface ScanTarget {
  rank: number;
  domain: ScanDomain;
  kind: TargetKind;
  function: string;
  file: string;
  /** The function's first line. */
  line: number;
  /** The line that holds the cost, when one line does (a blocking call). */
  at?: number;
  /** Its part of the measured cost: of wall time for time targets, of peak RSS for memory. */
  share: number;
  /** How much, and how it was measured, in words. */
  measure: string;
  calls: number | null;
  /** The stored profile that holds it, for target_dossier. */
  step: StepName;
}

export type StepName = 'probe' | 'cpu' | 'memory' | 'import';

export interface ScanEvidence {
  root: string;
  /** Path prefix or module the targets must lie in; default the project root. */
  focus?: string;
  probe?: ProbeResult;
  cpu?: ProfileResult;
  memory?: ProfileResult;
  imports?: ProfileResult;
}

export interface Recommendation {
  domain: ScanDomain | 'deep';
  reason: string;
}

export interface Ranking {
  targets: ScanTarget[];
  recommendation: Recommendation;
  /** Each domain's whole cost as a share of its measure: running time, blocked time and import time of wall, traced peak of RSS. */
  shares: Record<ScanDomain, number>;
}

/** Targets under this share of their cost are noise, not leads. */
const MIN_SHARE = 0.01;
const PER_DOMAIN = 5;
const MAX_TARGETS = 12;
/** A second domain this close to the first makes the case for looking at both (deep). */
const CLOSE = 0.9;
/** GC pauses matter from this share of wall time. */
const GC_SHARE = 0.01;

const pct = (share: number) => `${formatPct(share * 100)} %`;

type Draft = Omit<ScanTarget, 'rank'>;

function hotspotsOf(profile: Profile | undefined, evidence: ScanEvidence): Hotspot[] {
  if (!profile) return [];
  return rankHotspots(profile, { cwd: evidence.root, focus: evidence.focus ?? evidence.root, top: PER_DOMAIN * 2 });
}

/** Call counts from the deterministic profile, matched by file and first line (names differ between profilers). */
function callsOf(evidence: ScanEvidence, file: string, line: number): number | null {
  const frame = evidence.cpu?.profile.frames.find((f) => f.file === file && f.line === line);
  return frame?.calls ?? null;
}

function cpuTargets(evidence: ScanEvidence, wallNs: number): Draft[] {
  const { probe } = evidence;
  const sampled = probe !== undefined;
  const source = sampled ? probe.running : evidence.cpu?.profile;
  const how = sampled
    ? 'running in it, library calls charged to it (sampled, no profiler overhead)'
    : `in it itself (${evidence.cpu?.profiler ?? 'profile'})`;
  return hotspotsOf(source, evidence).map((h) => ({
    domain: 'cpu',
    kind: 'function',
    function: h.function,
    file: h.file,
    line: h.line,
    share: h.self / wallNs,
    measure: `${formatDuration(h.self)} ${how}: ${pct(h.self / wallNs)} of wall time`,
    calls: callsOf(evidence, h.file, h.line) ?? h.calls,
    step: sampled ? 'probe' : 'cpu',
  }));
}

function asyncTargets(probe: ProbeResult | undefined, wallNs: number): Draft[] {
  if (!probe?.asyncio.used) return [];
  const groups = new Map<string, { seconds: number; count: number; callback: ProbeResult['asyncio']['slowCallbacks'][number] }>();
  for (const callback of probe.asyncio.slowCallbacks) {
    const f = callback.frame;
    const key = f ? `${f.file}:${f.line}:${f.at}` : callback.handle;
    const group = groups.get(key) ?? { seconds: 0, count: 0, callback };
    group.seconds += callback.seconds;
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].map(({ seconds, count, callback }) => {
    const share = (seconds * 1e9) / wallNs;
    const f = callback.frame;
    return {
      domain: 'async',
      kind: 'blocking call',
      function: f?.function ?? callback.handle.slice(0, 120),
      file: f?.file ?? '',
      line: f?.line ?? 0,
      ...(f?.at !== undefined ? { at: f.at } : {}),
      share,
      measure: `${count} callback(s) held the event loop ${formatDuration(seconds * 1e9)} in all${f?.at ? ` at line ${f.at}` : ''}: ${pct(share)} of wall time (asyncio debug mode)`,
      calls: null,
      step: 'probe',
    };
  });
}

function memoryTargets(evidence: ScanEvidence, wallNs: number): Draft[] {
  const profile = evidence.memory?.profile;
  const rss = Math.max(evidence.probe?.maxRssBytes ?? 0, profile?.peakBytes ?? 0) || (profile?.total ?? 0);
  // Python's tracers keep what was alive at the peak; Node's and Go's profiles count what was allocated.
  const atPeak = profile?.peakBytes !== undefined;
  const of = evidence.probe ? `of peak RSS ${formatBytes(rss)}` : `of ${formatBytes(rss)} ${atPeak ? 'at the peak' : 'allocated'}`;
  const sites: Draft[] = hotspotsOf(profile, evidence)
    .filter((h) => h.self > 0)
    .map((h) => ({
      domain: 'memory',
      kind: 'allocation',
      function: h.function,
      file: h.file,
      line: h.line,
      share: h.self / rss,
      measure: `${atPeak ? 'holds' : 'allocates'} ${formatBytes(h.self)}${atPeak ? ' at the traced peak' : ''}${h.calls ? ` in ${h.calls} block(s)` : ''}: ${pct(h.self / rss)} ${of} (${evidence.memory?.profiler})`,
      calls: callsOf(evidence, h.file, h.line),
      step: 'memory',
    }));
  const gc = evidence.probe?.gc;
  if (gc && gc.pauseNs / wallNs >= GC_SHARE) {
    const [young, middle, full] = gc.collections;
    sites.push({
      domain: 'memory',
      kind: 'gc',
      function: '(garbage collector)',
      file: '',
      line: 0,
      share: gc.pauseNs / wallNs,
      measure: `${young + middle + full} collections (${full} full) paused ${formatDuration(gc.pauseNs)}: ${pct(gc.pauseNs / wallNs)} of wall time`,
      calls: null,
      step: 'probe',
    });
  }
  return sites;
}

function importTargets(evidence: ScanEvidence, wallNs: number): Draft[] {
  return hotspotsOf(evidence.imports?.profile, evidence).map((h) => {
    const ns = h.self * 1e3;
    return {
      domain: 'structure',
      kind: 'import',
      function: h.function,
      file: h.file,
      line: h.line,
      share: ns / wallNs,
      measure: `importing it takes ${formatDuration(ns)}, with what it imports from outside the project: ${pct(ns / wallNs)} of wall time (-X importtime, one cold run)`,
      calls: null,
      step: 'import',
    };
  });
}

function domainShares(evidence: ScanEvidence, wallNs: number, targets: Draft[]): Record<ScanDomain, number> {
  const sum = (domain: ScanDomain) => targets.filter((t) => t.domain === domain).reduce((total, t) => total + t.share, 0);
  const { probe } = evidence;
  const traced = evidence.memory?.profile.peakBytes;
  const rss = Math.max(probe?.maxRssBytes ?? 0, traced ?? 0);
  return {
    cpu: probe ? probe.running.total / wallNs : Math.min(1, sum('cpu')),
    memory: traced && rss ? traced / rss : Math.min(1, sum('memory')),
    async: Math.min(1, sum('async')),
    structure: probe && !evidence.imports ? probe.importingNs / wallNs : Math.min(1, sum('structure')),
  };
}

function describe(target: Draft): string {
  const where = target.file ? ` (${target.file.replace(/^.*\//, '')}:${target.at ?? target.line})` : '';
  return `${target.function}${where}`;
}

function recommend(targets: Draft[]): Recommendation {
  const [top] = targets;
  if (!top) return { domain: 'deep', reason: "nothing in the project's own code stood out; profile a larger workload" };
  const runnerUp = targets.find((t) => t.domain !== top.domain);
  const first = `${describe(top)} ${top.measure}`;
  if (runnerUp && runnerUp.share >= CLOSE * top.share) {
    return {
      domain: 'deep',
      reason: `${top.domain} and ${runnerUp.domain} weigh about the same: ${first}; ${describe(runnerUp)} ${runnerUp.measure}`,
    };
  }
  const next = runnerUp ? `; the next domain, ${runnerUp.domain}, leads with ${describe(runnerUp)} at ${pct(runnerUp.share)}` : '';
  return { domain: top.domain, reason: `${first}${next}` };
}

/**
 * Rank what a scan measured across domains by each target's share of its
 * cost: time targets (functions running, callbacks blocking the loop,
 * imports, GC pauses) by their share of the program's wall time, memory sites
 * by their share of peak RSS. The recommendation is the top target's domain,
 * or deep when another domain's best comes within a tenth of it.
 */
export function rankTargets(evidence: ScanEvidence): Ranking {
  const wallNs = evidence.probe?.wallNs || evidence.cpu?.profile.total || 1;
  const drafts = [
    ...cpuTargets(evidence, wallNs),
    ...memoryTargets(evidence, wallNs),
    ...asyncTargets(evidence.probe, wallNs),
    ...importTargets(evidence, wallNs),
  ].filter((t) => t.share >= MIN_SHARE);
  const perDomain = new Map<ScanDomain, number>();
  const kept = drafts
    .sort((a, b) => b.share - a.share)
    .filter((t) => {
      const n = (perDomain.get(t.domain) ?? 0) + 1;
      perDomain.set(t.domain, n);
      return n <= PER_DOMAIN;
    })
    .slice(0, MAX_TARGETS);
  return {
    targets: kept.map((t, i) => ({ ...t, rank: i + 1 })),
    recommendation: recommend(kept),
    shares: domainShares(evidence, wallNs, drafts),
  };
}
