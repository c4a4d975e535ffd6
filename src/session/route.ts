import type { Domain } from '../state/sessions.js';

type FocusedDomain = Exclude<Domain, 'deep'>;

/** A word or phrase of a request that points to one domain; `label` is how the reason names it. */
interface Signal {
  label: string;
  pattern: RegExp;
}

const signal = (label: string, pattern: RegExp): Signal => ({ label, pattern });

/**
 * The router's signal table: the words people use when they mean one kind of
 * cost. Phrases are matched on word boundaries, case-insensitively; words that
 * say only "slow" or "faster" point nowhere.
 */
export const SIGNALS: Readonly<Record<FocusedDomain, readonly Signal[]>> = {
  memory: [
    signal('OOM', /\bOOM\b/i),
    signal('out of memory', /\bout[- ]of[- ]memory\b/i),
    signal('RSS', /\bRSS\b/i),
    signal('peak memory', /\bpeak (memory|mem|heap)\b/i),
    signal('memory', /(?<!in-)\bmemory\b/i),
    signal('allocation', /\balloc(ation|ations|ates?|ating|s)?\b/i),
    signal('leak', /\bleak(s|ing|y)?\b/i),
    signal('memray', /\bmemray\b/i),
    signal('tracemalloc', /\btracemalloc\b/i),
    signal('garbage collection', /\bgarbage collect(ion|or)?\b/i),
    signal('size in GB/MB', /\b\d+(\.\d+)?\s?(GB|MB|GiB|MiB)\b/i),
  ],
  cpu: [
    signal('slow function', /\bslow (function|method|loop|code)s?\b/i),
    signal('O(n²)', /\bO\(\s*n\s*(\^|\*\*)?\s*2\s*\)|\bO\(n²\)|\bquadratic\b/i),
    signal('data structure', /\bdata[- ]structures?\b/i),
    signal('algorithm', /\balgorithm(s|ic|ically)?\b/i),
    signal('CPU', /\bCPU\b/i),
    signal('runtime', /\bruntime\b/i),
    signal('hot loop', /\b(hot|tight|inner|nested) loops?\b|\bhot ?(path|spot)s?\b/i),
    signal('lookup', /\blookups?\b/i),
  ],
  async: [
    signal('async', /\basync(io)?\b/i),
    signal('concurrency', /\bconcurren(cy|t|tly)\b/i),
    signal('await', /\bawait(s|ed|ing)?\b/i),
    signal('event loop', /\bevent[- ]loop\b/i),
    signal('throughput', /\bthroughput\b/i),
    signal('latency', /\blatenc(y|ies)\b|\bp(50|90|95|99)\b/i),
    signal('blocking', /\bblock(s|ing|ed)? the (event )?loop\b|\bblocking\b/i),
    signal('endpoint', /\bend[- ]?points?\b/i),
    signal('requests per second', /\brequests? (per|\/) ?(second|sec|s)\b|\b[RQ]PS\b/i),
  ],
  structure: [
    signal(
      'import time',
      /\bimport[- ]time\b|\b(slow|slower|faster|lazy|heavy) imports?\b|\bimports? (is |are )?(too )?slow\b|\bimport cost\b/i,
    ),
    signal('circular dependencies', /\bcircular (imports?|dependenc(y|ies)|deps)\b/i),
    signal('startup', /\bstart[- ]?up\b|\bcold[- ]start\b/i),
    signal('module layout', /\bmodule (layout|structure|reorgani[sz]ation|reorg)\b|\bgod module\b/i),
  ],
};

export interface GoalRouting {
  /** The one domain the goal points to, or deep when it names none or several. */
  domain: Domain;
  /** The words that matched, per domain. */
  signals: Partial<Record<FocusedDomain, string[]>>;
  /** Which words decided it, in a sentence. */
  reason: string;
}

const quoteAll = (words: string[]) => words.map((w) => `"${w}"`).join(', ');

/** Read a request with the signal table: one domain when only its words appear, deep otherwise, with the words that decided. */
export function routeGoal(goal: string | undefined): GoalRouting {
  const signals: GoalRouting['signals'] = {};
  for (const [domain, table] of Object.entries(SIGNALS) as [FocusedDomain, readonly Signal[]][]) {
    const matched = table.filter((s) => goal && s.pattern.test(goal)).map((s) => s.label);
    if (matched.length) signals[domain] = matched;
  }
  const found = Object.entries(signals) as [FocusedDomain, string[]][];
  if (found.length === 1) {
    const [domain, words] = found[0]!;
    return { domain, signals, reason: `the goal says ${quoteAll(words)}, which points to ${domain}` };
  }
  if (found.length > 1) {
    const list = found.map(([domain, words]) => `${domain}: ${quoteAll(words)}`).join('; ');
    return { domain: 'deep', signals, reason: `the goal points to several domains (${list}), so deep profiles them all` };
  }
  return {
    domain: 'deep',
    signals,
    reason: goal?.trim() ? 'the goal names no domain, so deep profiles everything' : 'no goal given, so deep profiles everything',
  };
}

export type DomainSource = 'asked' | 'branch' | 'goal' | 'default';

export interface DomainChoice {
  domain: Domain;
  source: DomainSource;
  reason: string;
  /** True when the goal matched several domains: a person may want to pick one. */
  ambiguous: boolean;
}

/**
 * The session's domain, in order: the one asked for; the marker of a full
 * branch name asked for; the goal's words; the marker of the branch checked
 * out; else deep.
 */
export function chooseDomain(input: {
  asked?: Domain;
  goal?: string;
  namedBranch?: { name: string; domain: Domain | undefined };
  currentBranch?: { name: string; domain: Domain | undefined };
}): DomainChoice {
  if (input.asked) return { domain: input.asked, source: 'asked', reason: `domain ${input.asked} was asked for`, ambiguous: false };
  const branchChoice = (branch: { name: string; domain: Domain | undefined } | undefined): DomainChoice | undefined =>
    branch?.domain
      ? { domain: branch.domain, source: 'branch', reason: `branch ${branch.name} carries the ${branch.domain} marker`, ambiguous: false }
      : undefined;
  const named = branchChoice(input.namedBranch);
  if (named) return named;
  const routed = routeGoal(input.goal);
  const ambiguous = Object.keys(routed.signals).length > 1;
  if (routed.domain !== 'deep') return { domain: routed.domain, source: 'goal', reason: routed.reason, ambiguous };
  const current = branchChoice(input.currentBranch);
  if (current) return { ...current, ambiguous };
  return { domain: 'deep', source: ambiguous ? 'goal' : 'default', reason: routed.reason, ambiguous };
}
