import { harnessPath } from '../package.js';
import { runProcess, tail } from '../proc/run.js';
import { abbaOrder } from './adaptive.js';
import { buildGoMicro, type MicroProgram } from './micro-go.js';
import { compareProcessGroups, type SampleSummary } from './stats.js';
import { unchangedBoundPct, type Verdict } from './verdict.js';

export type MicroLanguage = 'python' | 'node' | 'go';
type Snippet = 'setup' | 'a' | 'b';

export interface MicroRequest {
  language: MicroLanguage;
  /** Runs once before each timed sample, untimed; what it defines is visible to a and b. */
  setup?: string;
  a: string;
  b: string;
  /** Timed samples per snippet (default 20, at least 5), spread over the processes. */
  runs?: number;
  /** Child processes the samples are spread over (default 4, 2 to MAX_PROCESSES); see compareProcessGroups. */
  processes?: number;
  /** The real Python interpreter (not a version-manager shim); default `python3`. */
  python?: string;
  /** Go: the package directory (relative to cwd) the benchmark joins; default the module root. */
  dir?: string;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
}

export interface MicroResult {
  language: MicroLanguage;
  /** Every time below is per loop (one execution of the snippet), in nanoseconds. */
  unit: 'ns';
  a: SampleSummary;
  b: SampleSummary;
  /** median(b) / median(a): above 1 means b takes longer. */
  ratio: number;
  /** b relative to a, in percent, with its interval (Student t over the processes) at `confidence`. */
  changePct: number;
  ciLowPct: number;
  ciHighPct: number;
  confidence: number;
  /** Student's t over the processes. */
  pValue: number;
  noiseFloorPct: number;
  /** The smallest difference this run would have called (80 % of the time) at the spread between its processes. */
  mdePct: number;
  /** How b compares with a: `slower` means b takes longer; `unchanged` within ±1 %, `inconclusive` when neither is shown. */
  verdict: Verdict;
  /** Loops per timed sample, the same for a and b: calibrated in the first process so the cheaper snippet's sample takes ≥ 20 ms. */
  loops: number;
  /** Timed samples per snippet, over all processes. */
  runs: number;
  processes: number;
  /** Per process, in the order taken: a[i] and b[i] are one interleaved pair. */
  samples: Array<{ a: number[]; b: number[] }>;
  summary: string;
}

const DEFAULT_RUNS = 20;
const MIN_RUNS = 5;
const DEFAULT_PROCESSES = 4;
/** Each process costs an interpreter start and a calibration; beyond this many, more runs per process serve better. */
export const MAX_PROCESSES = 32;
/** Each process takes at least one ABBA block, so its own drift falls on both snippets. */
const MIN_PAIRS_PER_PROCESS = 2;
const SAMPLE_TARGET_S = 0.02;
/** Dropped samples after calibration: V8 may still move a hot function to a faster tier during the first ones. */
const WARMUP_PAIRS = 2;
/** Prefixes the harness's own output lines, so a snippet that prints cannot be mistaken for them. */
const MARKER = '@@codeflash-micro@@';

/** The harness programs; their job and protocol are described at the top of micro_harness.py. Go's is compiled per request. */
const HARNESS = { python: harnessPath('micro_harness.py'), node: harnessPath('micro_harness.cjs') };

interface HarnessMessage {
  done?: number;
  result?: { loops: number; samples: { a: number[]; b: number[] } };
  error?: { snippet: Snippet; phase: 'compile' | 'run'; type: string; message: string };
}

/**
 * A/B of two snippets in child processes (never in this one): timeit-style
 * calibration, then a and b sampled in interleaved ABBA order so drift falls on
 * both, in several processes that alternate which snippet is compiled first, so
 * a bias one process gives one snippet (JIT tiering, code layout) shows up as
 * disagreement between processes instead of a confident wrong call. A quick
 * pre-screen: it says which variant is faster in isolation, not what a change
 * does to a real workload.
 */
export async function runMicroBenchmark(request: MicroRequest): Promise<MicroResult> {
  const runs = request.runs ?? DEFAULT_RUNS;
  const processes = request.processes ?? DEFAULT_PROCESSES;
  if (!Number.isInteger(runs) || runs < MIN_RUNS) throw new Error(`runs must be an integer of at least ${MIN_RUNS}`);
  if (!Number.isInteger(processes) || processes < 2 || processes > MAX_PROCESSES) {
    throw new Error(`processes must be an integer from 2 to ${MAX_PROCESSES}`);
  }
  const pairsPerProcess = Math.max(MIN_PAIRS_PER_PROCESS, Math.ceil(runs / processes));
  const total = 2 * pairsPerProcess * processes;
  const deadline = Date.now() + request.timeoutMs;
  const samples: MicroResult['samples'] = [];
  let loops: number | undefined;
  const program = await microProgram(request);
  try {
    for (let index = 0; index < processes; index++) {
      const first = index % 2 === 0 ? 'a' : 'b';
      const order = interleaved(pairsPerProcess).map((name) => (first === 'a' ? name : other(name)));
      const done = 2 * pairsPerProcess * index;
      const result = await runHarness(request, program, { first, loops: loops ?? null, order }, deadline, (step) =>
        request.onProgress?.(done + step, total, `sample ${done + step}/${total} (process ${index + 1}/${processes})`),
      );
      loops ??= result.loops;
      samples.push(result.samples);
    }
  } finally {
    await program.close();
  }
  return toResult(request.language, loops!, samples);
}

/** The program each process runs: the Python or Node harness as it is, or the Go benchmark built for these snippets. */
async function microProgram(request: MicroRequest): Promise<MicroProgram> {
  if (request.language === 'go') return buildGoMicro(request, request.timeoutMs);
  const interpreter = request.language === 'python' ? (request.python ?? 'python3') : process.execPath;
  return { argv: [interpreter, HARNESS[request.language]], cwd: request.cwd, close: async () => {} };
}

async function runHarness(
  request: MicroRequest,
  program: MicroProgram,
  part: { first: 'a' | 'b'; loops: number | null; order: Array<'a' | 'b'> },
  deadline: number,
  onSample: (done: number) => void,
): Promise<NonNullable<HarnessMessage['result']>> {
  const timeoutMs = deadline - Date.now();
  const timedOut = `micro benchmark timed out after ${request.timeoutMs} ms; its process group was killed (lower runs or shorten the snippets)`;
  if (timeoutMs <= 0) throw new Error(timedOut);
  const job = {
    setup: request.setup ?? '',
    a: request.a,
    b: request.b,
    ...part,
    warmup: interleaved(WARMUP_PAIRS),
    target_s: SAMPLE_TARGET_S,
    marker: MARKER,
  };
  const { argv, cwd } = program;
  let final: HarnessMessage | undefined;
  const run = await runProcess(argv, {
    cwd,
    input: JSON.stringify(job),
    timeoutMs,
    signal: request.signal,
    onLine: (line, stream) => {
      const message = stream === 'stdout' ? parseMessage(line) : undefined;
      if (message?.done !== undefined) onSample(message.done);
      else if (message) final = message;
    },
  });
  if (run.cancelled) throw new Error('micro benchmark cancelled; its process group was killed');
  if (run.timedOut) throw new Error(timedOut);
  if (run.spawnError) throw new Error(`could not start ${argv[0]}: ${run.spawnError}`);
  if (final?.error) throw new Error(describeSnippetError(final.error));
  if (!final?.result || run.exitCode !== 0) {
    const how = run.exitCode === null ? `signal ${run.signal}` : `exit code ${run.exitCode}`;
    // A Go test binary reports a failure on stdout.
    const output = tail(run.stderr.trim() || run.stdout.trim(), 1500);
    throw new Error(`the ${request.language} micro benchmark failed with ${how}: ${output || 'no output'}`);
  }
  return final.result;
}

function other(name: 'a' | 'b'): 'a' | 'b' {
  return name === 'a' ? 'b' : 'a';
}

function interleaved(pairs: number): Array<'a' | 'b'> {
  return Array.from({ length: pairs }, (_, i) => abbaOrder(i).map((side) => (side === 'base' ? 'a' : 'b'))).flat();
}

function parseMessage(line: string): HarnessMessage | undefined {
  const at = line.indexOf(MARKER);
  if (at < 0) return undefined;
  try {
    return JSON.parse(line.slice(at + MARKER.length)) as HarnessMessage;
  } catch {
    return undefined;
  }
}

function describeSnippetError(error: NonNullable<HarnessMessage['error']>): string {
  const which = error.snippet === 'setup' ? 'the setup snippet' : `snippet ${error.snippet}`;
  if (error.phase === 'compile')
    return `${which} has a syntax error: ${error.type === 'SyntaxError' ? '' : `${error.type}: `}${error.message}`;
  return `${which} raised ${error.type}: ${error.message}`;
}

function toResult(language: MicroLanguage, loops: number, samples: MicroResult['samples']): MicroResult {
  const comparison = compareProcessGroups(samples.map(({ a, b }) => ({ base: a, head: b })));
  return {
    language,
    unit: 'ns',
    a: comparison.base,
    b: comparison.head,
    ratio: comparison.ratio,
    changePct: comparison.changePct,
    ciLowPct: comparison.ciLowPct,
    ciHighPct: comparison.ciHighPct,
    confidence: comparison.confidence,
    pValue: comparison.pValue,
    noiseFloorPct: comparison.noiseFloorPct,
    mdePct: comparison.mdePct,
    verdict: comparison.verdict,
    loops,
    runs: comparison.base.n,
    processes: samples.length,
    samples,
    summary: summaryLine(comparison.verdict, comparison.ratio, comparison.ciLowPct, comparison.ciHighPct),
  };
}

function summaryLine(verdict: Verdict, ratio: number, lowPct: number, highPct: number): string {
  const interval = `95 % CI ${(1 + lowPct / 100).toFixed(3)}–${(1 + highPct / 100).toFixed(3)}×`;
  if (verdict === 'unchanged') {
    const bound = unchangedBoundPct({ ciLowPct: lowPct, ciHighPct: highPct });
    return `a and b are within ±${bound.toFixed(1)} % of each other (b/a = ${ratio.toFixed(3)}×, ${interval})`;
  }
  if (verdict === 'inconclusive') return `no difference shown, nor ruled out beyond ±1 % (b/a = ${ratio.toFixed(3)}×, ${interval})`;
  return `b is ${verdict} than a: b/a = ${ratio.toFixed(3)}× (${interval})`;
}
