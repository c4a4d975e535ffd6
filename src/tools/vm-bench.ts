import { z } from 'zod';
import { COMPARE_MODES } from '../bench/compare.js';
import { describeRow, type PublicRow } from '../bench/public.js';
import type { MachineRecord } from '../env/machine.js';
import { UserError } from '../errors.js';
import { defineTool } from '../server/define-tool.js';
import { jobFields, runAsJob, waitInput } from '../server/jobs.js';
import { recordComparison } from '../session/comparisons.js';
import { sessionEnvironment } from '../session/environment.js';
import type { StoredRequest } from '../state/comparisons.js';
import type { Project } from '../state/project.js';
import { benchOnHosts, type HostOutcome } from '../vm/bench.js';
import { planVmBench } from '../vm/plan.js';
import { MAX_ROWS, storedRequest } from './benchmark-compare.js';
import { sessionIdInput } from './shared.js';

const hostName = z.string().min(1).max(63);
/** Per run, as benchmark_compare's default. */
const RUN_TIMEOUT_MS = 300_000;

/** One host's part: `error`, or the comparison in benchmark_compare's fields (typed by HostResult; loose in the schema to keep tools/list small). */
interface HostResult {
  host: string;
  error?: string;
  comparison_id?: string;
  rows?: PublicRow[];
  rows_omitted?: number;
  pairs?: number;
  stop_reason?: string;
  machine?: MachineRecord;
  markdown?: string;
}

export const vmBench = defineTool({
  name: 'vm_bench',
  title: 'Compare on benchmark hosts',
  description: 'benchmark_compare on registered SSH hosts in parallel, from pushed refs. Per host: rows, markdown, machine, comparison_id.',
  input: {
    host: hostName.optional(),
    hosts: z.array(hostName).min(1).max(16).optional(),
    base: z.string().min(1).max(200),
    head: z.string().min(1).max(200),
    command: z.union([z.string().min(1).max(4000), z.array(z.string().max(4000)).min(1).max(200)]).optional(),
    benchmark: z.string().max(500).optional(),
    mode: z.enum(COMPARE_MODES).optional(),
    setup: z.union([z.string().max(2000), z.array(z.string().max(2000)).max(50)]).optional(),
    runs: z.number().int().min(1).max(500).optional(),
    max_time_s: z.number().min(5).max(3600).optional(),
    remote: z.string().min(1).max(100).optional().describe('Default origin.'),
    session_id: sessionIdInput,
    wait_s: waitInput,
  },
  output: {
    ...jobFields,
    hosts: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .describe('per host: host, error, or comparison_id, rows (as benchmark_compare), pairs, stop_reason, machine, markdown'),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(args, call) {
    const { project, session } = call.ctx.current(args.session_id);
    if (args.host && args.hosts) throw new UserError('pass host or hosts, not both');
    const env = await sessionEnvironment(session, project.paths.root);
    if (env.language === 'unknown') throw new UserError('the project language is unknown: vm_bench supports Python, Node and Go projects');
    const maxTimeMs = (args.max_time_s ?? 120) * 1000;
    const mode = args.mode ?? 'wall';
    const request = await planVmBench(
      project.db,
      {
        root: project.paths.root,
        hosts: args.hosts ?? (args.host ? [args.host] : []),
        base: args.base,
        head: args.head,
        remote: args.remote,
        compare: {
          command: args.command,
          benchmark: args.benchmark,
          language: env.language,
          mode,
          setup: args.setup,
          runs: args.runs,
          maxTimeMs,
          timeoutMs: RUN_TIMEOUT_MS,
        },
      },
      call.signal,
    );
    return runAsJob(call, {
      tool: 'vm_bench',
      project,
      sessionId: session.id,
      // Measuring budget plus room for connecting, uploading, cloning, setup and cleanup.
      timeoutMs: maxTimeMs + 40 * 60_000,
      work: async (hooks) => {
        const outcomes = await benchOnHosts(request, { signal: hooks.signal, onProgress: hooks.progress, log: hooks.log });
        if (outcomes.every((o) => 'error' in o)) throw new UserError(outcomes.map((o) => ('error' in o ? o.error : '')).join('; '));
        const given = storedRequest({ ...args, language: env.language }, mode);
        const stored = outcomes.map((outcome) => storeOutcome(project, session.id, outcome, given));
        const hosts = stored.map((entry) => entry.result);
        const measured = hosts.filter((h) => h.comparison_id);
        return {
          hosts: hosts as unknown as Record<string, unknown>[],
          summary: `${stored.map((entry) => entry.line).join('; ')}.`,
          next: [
            `Cite ${measured.map((h) => `${h.comparison_id} (${h.host})`).join(', ')} in record_result or pr_body. Each host's numbers stand alone: a ledger measured on another machine takes them under a metric naming the host, e.g. "${measured[0]?.rows?.[0]?.unit ?? 'ms'}@${measured[0]?.host}".`,
            ...hosts
              .filter((h) => h.error)
              .map((h) => `${h.host} failed: fix the cause named, then run vm_bench with host "${h.host}" again.`),
          ],
        };
      },
    });
  },
});

/** Store one host's comparison with where it ran; its public result and a line for the summary. */
function storeOutcome(
  project: Project,
  sessionId: string,
  outcome: HostOutcome,
  request: StoredRequest,
): { result: HostResult; line: string } {
  if ('error' in outcome)
    return { result: { host: outcome.host.name, error: outcome.error }, line: `${outcome.host.name}: failed: ${outcome.error}` };
  const { host } = outcome;
  const { id, record: comparison } = recordComparison(project, sessionId, outcome.comparison, request, {
    host: host.name,
    address: `${host.user}@${host.host}:${host.port}`,
  });
  const { mode } = comparison;
  const rows = comparison.rows.slice(0, MAX_ROWS);
  const changed = rows.filter((r) => r.verdict === 'faster' || r.verdict === 'slower').length;
  return {
    result: {
      host: host.name,
      comparison_id: id,
      rows,
      ...(comparison.rows.length > rows.length ? { rows_omitted: comparison.rows.length - rows.length } : {}),
      pairs: comparison.pairs,
      stop_reason: comparison.stop_reason,
      machine: comparison.machine,
      markdown: comparison.markdown,
    },
    line:
      rows.length === 1
        ? `${host.name}: ${describeRow(rows[0]!, mode, comparison.equivalence_pct)}`
        : `${host.name}: ${changed} of ${comparison.rows.length} benchmarks changed, ${comparison.pairs} pairs`,
  };
}
