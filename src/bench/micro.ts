import { runProcess, tail } from '../proc/run.js';
import { abbaOrder } from './adaptive.js';
import { compareSamples, type SampleSummary, type Verdict } from './stats.js';

export type MicroLanguage = 'python' | 'node';
type Snippet = 'setup' | 'a' | 'b';

export interface MicroRequest {
  language: MicroLanguage;
  /** Runs once before each timed sample, untimed; what it defines is visible to a and b. */
  setup?: string;
  a: string;
  b: string;
  /** Timed samples per snippet (default 20, at least 5). */
  runs?: number;
  /** The real Python interpreter (not a version-manager shim); default `python3`. */
  python?: string;
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
  /** b relative to a, in percent, with its 95 % bootstrap interval. */
  change_pct: number;
  ci: { low_pct: number; high_pct: number; confidence: number };
  p_value: number;
  noise_floor_pct: number;
  /** How b compares with a: `slower` means b takes longer. */
  verdict: Verdict;
  /** Loops per timed sample, calibrated per snippet so one sample takes ≥ 20 ms. */
  loops: { a: number; b: number };
  runs: number;
  samples: { a: number[]; b: number[] };
  summary: string;
}

const DEFAULT_RUNS = 20;
const MIN_RUNS = 5;
const SAMPLE_TARGET_S = 0.02;
/** Dropped samples after calibration: V8 may still move a hot function to a faster tier during the first ones. */
const WARMUP_PAIRS = 2;
/** Prefixes the harness's own output lines, so a snippet that prints cannot be mistaken for them. */
const MARKER = '@@codeflash-micro@@';

/**
 * The harness reads its job as JSON on stdin: { setup, a, b, warmup, order, target_s, marker }.
 * It checks each snippet on its own (so an error names the snippet), calibrates a
 * loop count per snippet, runs the warmup samples and drops them, takes the
 * samples in the given interleaved order, and reports marker-prefixed JSON
 * lines: progress, then the result or an error.
 */
const PYTHON_HARNESS = String.raw`
import json, sys, timeit

spec = json.load(sys.stdin)
protocol, sys.stdout = sys.stdout, sys.stderr

def emit(message):
    protocol.write("\n" + spec["marker"] + json.dumps(message) + "\n")
    protocol.flush()

def guarded(snippet, action, phase="run"):
    try:
        return action()
    except Exception as error:
        emit({"error": {"snippet": snippet, "phase": phase, "type": type(error).__name__, "message": str(error)}})
        sys.exit(2)

for name in ("setup", "a", "b"):
    guarded(name, lambda: compile(spec[name], "<" + name + ">", "exec"), "compile")
guarded("setup", lambda: exec(compile(spec["setup"], "<setup>", "exec"), {"__name__": "__micro__"}))
timers = {name: guarded(name, lambda: timeit.Timer(spec[name], spec["setup"], globals={"__name__": "__micro__"})) for name in ("a", "b")}

def calibrate(name):
    loops = 1
    while True:
        elapsed = guarded(name, lambda: timers[name].timeit(loops))
        if elapsed >= spec["target_s"]:
            return loops
        loops = int(loops * min(100, spec["target_s"] * 1.2 / elapsed)) + 1 if elapsed > 0 else loops * 100

loops = {name: calibrate(name) for name in ("a", "b")}
for name in spec["warmup"]:
    guarded(name, lambda: timers[name].timeit(loops[name]))
samples = {"a": [], "b": []}
for done, name in enumerate(spec["order"], 1):
    elapsed = guarded(name, lambda: timers[name].timeit(loops[name]))
    samples[name].append(elapsed / loops[name] * 1e9)
    emit({"done": done, "total": len(spec["order"])})
emit({"result": {"loops": loops, "samples": samples}})
`;

const NODE_HARNESS = String.raw`
const spec = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const emit = (message) => process.stdout.write('\n' + spec.marker + JSON.stringify(message) + '\n');
console.log = console.error;
class Failed extends Error {}
function guarded(snippet, action, phase = 'run') {
  try {
    return action();
  } catch (error) {
    if (error instanceof Failed) throw error;
    emit({ error: { snippet, phase, type: error?.name ?? 'Error', message: String(error?.message ?? error) } });
    throw new Failed();
  }
}
function main() {
  for (const name of ['setup', 'a', 'b']) guarded(name, () => new Function(spec[name]), 'compile');
  guarded('setup', () => new Function(spec.setup)());
  const timed = (name) =>
    new Function('__loops', '__now', spec.setup + '\nconst __start = __now();\nfor (let __i = 0; __i < __loops; __i++) {\n' + spec[name] + '\n}\nreturn Number(__now() - __start) / 1e9;');
  const timers = { a: timed('a'), b: timed('b') };
  const now = () => process.hrtime.bigint();
  const run = (name, loops) => guarded(name, () => timers[name](loops, now));
  const calibrate = (name) => {
    for (let loops = 1; ; ) {
      const elapsed = run(name, loops);
      if (elapsed >= spec.target_s) return loops;
      loops = elapsed > 0 ? Math.floor(loops * Math.min(100, (spec.target_s * 1.2) / elapsed)) + 1 : loops * 100;
    }
  };
  const loops = { a: calibrate('a'), b: calibrate('b') };
  for (const name of spec.warmup) run(name, loops[name]);
  const samples = { a: [], b: [] };
  spec.order.forEach((name, index) => {
    samples[name].push((run(name, loops[name]) / loops[name]) * 1e9);
    emit({ done: index + 1, total: spec.order.length });
  });
  emit({ result: { loops, samples } });
}
try {
  main();
} catch (error) {
  if (!(error instanceof Failed)) throw error;
  process.exitCode = 2;
}
`;

interface HarnessMessage {
  done?: number;
  total?: number;
  result?: { loops: { a: number; b: number }; samples: { a: number[]; b: number[] } };
  error?: { snippet: Snippet; phase: 'compile' | 'run'; type: string; message: string };
}

/**
 * A/B of two snippets in one child process (never in this one): timeit-style
 * calibration, then a and b sampled in interleaved ABBA order so drift falls on
 * both, compared with the same statistics as benchmark_compare. A quick
 * pre-screen: it says which variant is faster in isolation, not what a change
 * does to a real workload.
 */
export async function runMicroBenchmark(request: MicroRequest): Promise<MicroResult> {
  const runs = request.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < MIN_RUNS) throw new Error(`runs must be an integer of at least ${MIN_RUNS}`);
  const job = {
    setup: request.setup ?? '',
    a: request.a,
    b: request.b,
    warmup: interleaved(WARMUP_PAIRS),
    order: interleaved(runs),
    target_s: SAMPLE_TARGET_S,
    marker: MARKER,
  };
  const argv =
    request.language === 'python' ? [request.python ?? 'python3', '-c', PYTHON_HARNESS] : [process.execPath, '-e', NODE_HARNESS];
  let final: HarnessMessage | undefined;
  const run = await runProcess(argv, {
    cwd: request.cwd,
    input: JSON.stringify(job),
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    onLine: (line, stream) => {
      const message = stream === 'stdout' ? parseMessage(line) : undefined;
      if (message?.done !== undefined && message.total !== undefined) {
        request.onProgress?.(message.done, message.total, `sample ${message.done}/${message.total}`);
      } else if (message) {
        final = message;
      }
    },
  });
  if (run.cancelled) throw new Error('micro benchmark cancelled; its process group was killed');
  if (run.timedOut) throw new Error(`micro benchmark timed out after ${request.timeoutMs} ms; its process group was killed (lower runs or shorten the snippets)`);
  if (run.spawnError) throw new Error(`could not start ${argv[0]}: ${run.spawnError}`);
  if (final?.error) throw new Error(describeSnippetError(final.error));
  if (!final?.result || run.exitCode !== 0) {
    const how = run.exitCode === null ? `signal ${run.signal}` : `exit code ${run.exitCode}`;
    throw new Error(`the ${request.language} micro benchmark failed with ${how}: ${tail(run.stderr.trim(), 1500) || 'no output'}`);
  }
  return toResult(request.language, runs, final.result);
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
  if (error.phase === 'compile') return `${which} has a syntax error: ${error.type === 'SyntaxError' ? '' : `${error.type}: `}${error.message}`;
  return `${which} raised ${error.type}: ${error.message}`;
}

function toResult(language: MicroLanguage, runs: number, result: NonNullable<HarnessMessage['result']>): MicroResult {
  const comparison = compareSamples(result.samples.a, result.samples.b);
  return {
    language,
    unit: 'ns',
    a: comparison.base,
    b: comparison.head,
    ratio: comparison.ratio,
    change_pct: comparison.changePct,
    ci: { low_pct: comparison.ciLowPct, high_pct: comparison.ciHighPct, confidence: comparison.confidence },
    p_value: comparison.pValue,
    noise_floor_pct: comparison.noiseFloorPct,
    verdict: comparison.verdict,
    loops: result.loops,
    runs,
    samples: result.samples,
    summary: summaryLine(comparison.verdict, comparison.ratio, comparison.ciLowPct, comparison.ciHighPct),
  };
}

function summaryLine(verdict: Verdict, ratio: number, lowPct: number, highPct: number): string {
  const interval = `95 % CI ${(1 + lowPct / 100).toFixed(3)}–${(1 + highPct / 100).toFixed(3)}×`;
  if (verdict === 'unchanged') return `no difference called between a and b (b/a = ${ratio.toFixed(3)}×, ${interval})`;
  return `b is ${verdict} than a: b/a = ${ratio.toFixed(3)}× (${interval})`;
}
