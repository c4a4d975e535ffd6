import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { ProjectEnvironment } from '../env/index.js';
import { UserError } from '../errors.js';
import { checkProfileRequest } from '../profilers/index.js';
import { SCAN_DOMAINS } from '../scan/rank.js';
import { scanProject } from '../scan/scan.js';
import { scanPlan } from '../scan/steps.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob } from '../server/jobs.js';
import { sessionEnvironment } from '../session/environment.js';
import { getConvention, SCOPE_TOPIC } from '../state/notes.js';
import { sessionIdInput } from './shared.js';

const DEFAULT_STEP_TIMEOUT_S = 120;

/** The workload: the command given, else a pytest-benchmark file or root run once, else Go's benchmarks. */
function workload(args: { command?: string | string[]; benchmark?: string }, env: ProjectEnvironment): string | string[] {
  if (args.command) return args.command;
  const benchmark = args.benchmark ?? env.python?.benchmarks_root;
  if (env.language === 'python' && benchmark) {
    // Each benchmark runs once: the scan wants the code's profile, not pytest-benchmark's rounds.
    const once = env.python?.tools['pytest-benchmark'] ? ['--benchmark-disable'] : [];
    return ['-m', 'pytest', benchmark, '-q', '-p', 'no:cacheprovider', ...once];
  }
  if (env.language === 'go' && env.go?.has_benchmarks) return ['./...'];
  throw new UserError('nothing to scan: pass command (the workload, e.g. "bench.py" or "-m pkg") or benchmark');
}

export const scan = defineTool({
  name: 'scan',
  title: 'Scan every domain',
  description:
    'Run every profiler once on the workload (sampler with GC and asyncio, cProfile, import time, memory), rank targets across domains by share of cost, recommend a domain; writes .codeflash/scan-report.md. A job.',
  input: {
    command: z
      .union([z.string().min(1).max(4000), z.array(z.string().max(4000)).min(1).max(200)])
      .optional()
      .describe('As for profile. Default: the benchmarks.'),
    benchmark: z.string().max(500).optional().describe('pytest-benchmark file or folder, run once.'),
    focus: z.string().max(300).optional().describe('Default: the scope convention.'),
    timeout_s: z.number().min(1).max(1800).optional().describe(`Per step; default ${DEFAULT_STEP_TIMEOUT_S}.`),
    session_id: sessionIdInput,
  },
  output: {
    ...jobFields,
    scan_id: z.string().optional(),
    domain: z.enum([...SCAN_DOMAINS, 'deep']).optional(),
    reason: z.string().optional(),
    targets: z.array(z.string()).optional().describe('best first: "#rank domain function (file:line): measure"'),
    report: z.string().optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const { project, session } = call.ctx.current(args.session_id);
    const root = project.paths.root;
    const env = await sessionEnvironment(session, root);
    if (env.language === 'unknown') throw new UserError('the project language is unknown; scan needs a Python, Node or Go project');
    const command = workload(args, env);
    const stepTimeoutMs = (args.timeout_s ?? DEFAULT_STEP_TIMEOUT_S) * 1000;
    const focus = args.focus ?? getConvention(project.db, SCOPE_TOPIC)?.rule;
    const outDir = join(
      project.paths.profilesDir,
      `scan-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`,
    );
    const request = { command, cwd: root, language: env.language, python: env.python?.python, timeoutMs: stepTimeoutMs, outDir };
    checkProfileRequest({ ...request, mode: 'cpu' });
    const steps = scanPlan(env.language).length;
    return runAsJob(call, {
      tool: 'scan',
      project,
      sessionId: session.id,
      timeoutMs: steps * stepTimeoutMs + 60_000,
      work: async (hooks) => {
        const outcome = await scanProject(project, session.id, {
          command,
          language: env.language as Exclude<ProjectEnvironment['language'], 'unknown'>,
          root,
          python: env.python?.python,
          memoryProfiler: env.python?.tools.memray ? 'memray' : undefined,
          focus,
          stepTimeoutMs,
          outDir,
          signal: hooks.signal,
          log: hooks.log,
          progress: hooks.progress,
        });
        const { recommendation, targets } = outcome;
        const failed = outcome.steps.filter((s) => !s.ok).map((s) => `${s.profiler} (${s.note})`);
        return {
          scan_id: outcome.scanId,
          domain: recommendation.domain,
          reason: recommendation.reason,
          targets: targets.map(
            (t) => `#${t.rank} ${t.domain} ${t.function}${t.file ? ` (${t.file}:${t.at ?? t.line})` : ''}: ${t.measure}`,
          ),
          report: outcome.report,
          summary: `Scan recommends ${recommendation.domain}: ${recommendation.reason}.${failed.length ? ` Steps that failed: ${failed.join('; ')}.` : ''}`,
          next: targets.length
            ? [
                `Work on target 1 (${targets[0]!.function}, ${targets[0]!.domain}): read its source, form one hypothesis, edit.`,
                targets.length > 1
                  ? `Hand targets 2–${Math.min(5, targets.length)} to a research teammate: target_dossier with rank 2…${Math.min(5, targets.length)}.`
                  : 'target_dossier rank 1 gathers its source lines, callers and allocation sites.',
                'Record the starting measurement with record_result status "baseline".',
              ]
            : ['Nothing stood out: scan a larger or more typical workload.'],
        };
      },
    });
  },
});
