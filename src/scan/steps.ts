import { join } from 'node:path';
import { UserError } from '../errors.js';
import {
  type ProbeResult,
  type ProfileLanguage,
  type ProfileMode,
  type ProfileRequest,
  type ProfileResult,
  runProbe,
  runProfile,
} from '../profilers/index.js';
import type { ScanEvidence, StepName } from './rank.js';

export interface ScanRun {
  command: string | string[];
  language: ProfileLanguage;
  root: string;
  python?: string;
  /** memray where installed (about half tracemalloc's cost here), else tracemalloc. */
  memoryProfiler?: string;
  focus?: string;
  /** Each step's own limit; a step that runs past it keeps what its profiler wrote. */
  stepTimeoutMs: number;
  outDir: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  progress: (done: number, total: number, message: string) => void;
}

export interface StepReport {
  step: StepName;
  profiler: string;
  ok: boolean;
  durationMs: number;
  note: string;
}

interface Step {
  step: StepName;
  profiler: string;
  mode: ProfileMode;
  what: string;
}

/** What a scan runs, in order, per language: the cheap, undisturbed run first, the heaviest tracer last but one. */
const PLANS: Record<ProfileLanguage, Step[]> = {
  python: [
    { step: 'probe', profiler: 'scan-probe', mode: 'wall', what: 'wall and CPU time, GC, asyncio slow callbacks, sampled stacks' },
    { step: 'cpu', profiler: 'cprofile', mode: 'cpu', what: 'call counts and callers' },
    { step: 'import', profiler: 'importtime', mode: 'import', what: 'import time per module' },
    { step: 'memory', profiler: 'tracemalloc', mode: 'memory', what: 'peak and allocation sites' },
  ],
  node: [
    { step: 'cpu', profiler: 'node-cpu', mode: 'cpu', what: 'CPU profile' },
    { step: 'memory', profiler: 'node-heap', mode: 'memory', what: 'sampled allocations' },
  ],
  go: [
    { step: 'cpu', profiler: 'go-pprof', mode: 'cpu', what: 'CPU profile' },
    { step: 'memory', profiler: 'go-pprof', mode: 'memory', what: 'allocations' },
  ],
};

export function scanPlan(language: ProfileLanguage): readonly Step[] {
  return PLANS[language];
}

export interface ScanSteps {
  evidence: ScanEvidence;
  steps: StepReport[];
  results: Partial<Record<Exclude<StepName, 'probe'>, ProfileResult>>;
  probe?: ProbeResult;
}

/**
 * Run every profiler of the language's plan on one command, one after the
 * other (profilers running side by side would distort each other). A step
 * that fails — a profiler not installed, a program that dies under it — is
 * reported and the scan goes on; only when every step fails is it an error.
 */
export async function runScanSteps(run: ScanRun): Promise<ScanSteps> {
  const plan = scanPlan(run.language);
  const steps: StepReport[] = [];
  const results: ScanSteps['results'] = {};
  let probe: ProbeResult | undefined;
  for (const [index, step] of plan.entries()) {
    run.signal?.throwIfAborted();
    const profiler = step.step === 'memory' && run.memoryProfiler ? run.memoryProfiler : step.profiler;
    run.progress(index, plan.length, `${profiler}: ${step.what}`);
    const request: ProfileRequest = {
      command: run.command,
      cwd: run.root,
      language: run.language,
      mode: step.mode,
      profiler,
      timeoutMs: run.stepTimeoutMs,
      top: 30,
      python: run.python,
      outDir: join(run.outDir, step.step),
      signal: run.signal,
      log: run.log,
    };
    const started = Date.now();
    try {
      let note = step.what;
      if (step.step === 'probe') {
        probe = await runProbe(request);
        if (!probe) throw new UserError('the program ended before the probe wrote its measurements');
        if (probe.run.timedOut) note = `timed out after ${run.stepTimeoutMs / 1000} s; what was seen is kept`;
      } else {
        const result = await runProfile(request);
        results[step.step] = result;
        note = result.timedOut ? `timed out after ${run.stepTimeoutMs / 1000} s; the profile is partial` : result.overheadNote;
      }
      steps.push({ step: step.step, profiler, ok: true, durationMs: Date.now() - started, note });
    } catch (error) {
      if (run.signal?.aborted || !(error instanceof UserError)) throw error;
      steps.push({ step: step.step, profiler, ok: false, durationMs: Date.now() - started, note: error.message });
      run.log(`${profiler} failed: ${error.message}`);
    }
  }
  if (!steps.some((s) => s.ok)) {
    throw new UserError(`every scan step failed: ${steps.map((s) => `${s.profiler}: ${s.note}`).join('; ')}`);
  }
  run.progress(plan.length, plan.length, 'ranking targets');
  const evidence: ScanEvidence = {
    root: run.root,
    focus: run.focus,
    probe,
    cpu: results.cpu,
    memory: results.memory,
    imports: results.import,
  };
  return { evidence, steps, results, probe };
}
