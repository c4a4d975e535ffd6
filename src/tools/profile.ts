import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatBytes, formatDuration } from '../format.js';
import { checkProfileRequest, type ProfileRequest, type ProfileResult, runProfile } from '../profilers/index.js';
import { shownHotspots, storeProfile } from '../scan/profiles.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { sessionEnvironment } from '../session/environment.js';
import { sessionIdInput } from './shared.js';

function humanTotal(result: ProfileResult): string {
  if (result.unit === 'bytes') return formatBytes(result.total);
  return formatDuration(result.unit === 'ns' ? result.total : result.total * 1e3);
}

const hotspotOutput = z.object({
  function: z.string(),
  file: z.string(),
  line: z.number(),
  self_pct: z.number(),
  total_pct: z.number(),
  calls: z.number().nullable(),
});

export const profile = defineTool({
  name: 'profile',
  title: 'Profile a workload',
  description:
    'Profile a command and rank hotspots (function, file:line, self/total %), project code first; Python, Node, Go. Stores the full profile and a speedscope file. Runs as a job.',
  input: {
    command: z
      .union([z.string().min(1).max(4000), z.array(z.string().max(4000)).min(1).max(200)])
      .describe('Python "bench.py" or "-m pkg"; a Node script; a Go package "./pkg".'),
    mode: z.enum(['cpu', 'wall', 'memory', 'import']).optional().describe('Default cpu.'),
    profiler: z.string().max(40).optional().describe('e.g. py-spy, memray; default per mode.'),
    language: z.enum(['python', 'node', 'go']).optional().describe('Default: detected.'),
    native: z.boolean().optional().describe('py-spy: C frames too.'),
    focus: z.string().max(300).optional().describe('Rank only under this path, module or Go package; "*" every frame.'),
    top: z.number().int().min(1).max(100).optional().describe('Default 15.'),
    timeout_s: z.number().min(1).max(3600).optional().describe('Default 300.'),
    wait_s: waitInput,
    session_id: sessionIdInput,
  },
  output: {
    ...jobFields,
    profile_id: z.string().optional(),
    profiler: z.string().optional(),
    mode: z.string().optional(),
    language: z.string().optional(),
    total: z.number().optional(),
    unit: z.enum(['ns', 'us', 'bytes']).optional(),
    duration_ms: z.number().optional(),
    hotspots: z.array(hotspotOutput).optional(),
    overhead_note: z.string().optional(),
    exit_code: z.number().nullable().optional(),
    timed_out: z.boolean().optional(),
    stderr_tail: z.string().optional(),
    artifacts: z.object({ speedscope: z.string(), raw: z.string().optional() }).optional(),
    uri: z.string().optional(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, call) {
    const { ctx } = call;
    const { project, session } = ctx.current(args.session_id);
    const env = await sessionEnvironment(session, project.paths.root);
    const language = args.language ?? (env.language === 'unknown' ? undefined : env.language);
    if (!language) throw new UserError('the project language is unknown: pass language python, node or go');
    const mode = args.mode ?? 'cpu';
    const timeoutMs = (args.timeout_s ?? 300) * 1000;
    const outDir = join(project.paths.profilesDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
    const request: ProfileRequest = {
      command: args.command,
      cwd: project.paths.root,
      mode,
      language,
      profiler: args.profiler,
      timeoutMs,
      top: args.top ?? 15,
      focus: args.focus,
      python: env.python?.python,
      native: args.native,
      outDir,
    };
    checkProfileRequest(request);
    return runAsJob(call, {
      tool: 'profile',
      project,
      sessionId: session.id,
      timeoutMs: timeoutMs + 60_000,
      work: async (hooks) => {
        const result = await runProfile({ ...request, signal: hooks.signal, log: hooks.log });
        const id = storeProfile(project.db, session.id, args.command, result);
        const hotspots = shownHotspots(result.hotspots);
        const top = hotspots[0];
        const failed = result.timedOut
          ? ' The run timed out; the profile is partial.'
          : result.exitCode
            ? ` The command exited with ${result.exitCode}.`
            : '';
        return {
          profile_id: id,
          profiler: result.profiler,
          mode,
          language,
          total: result.total,
          unit: result.unit,
          duration_ms: Math.round(result.durationNs / 1e6),
          hotspots,
          overhead_note: result.overheadNote,
          exit_code: result.exitCode,
          timed_out: result.timedOut,
          stderr_tail: result.stderrTail,
          artifacts: result.artifacts,
          uri: `codeflash://profiles/${id}`,
          summary: `${result.profiler} (${mode}) saw ${humanTotal(result)}${top ? `; top: ${top.function} at ${top.file}:${top.line} with ${top.self_pct} % self` : ''}.${failed}`,
          next: top
            ? [
                `Read ${top.file} around line ${top.line}; form one hypothesis about ${top.function} and edit it.`,
                'Then run_guard and benchmark_compare.',
              ]
            : ['No hotspot inside focus: widen focus or profile a larger workload.'],
        };
      },
    });
  },
});
