import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { GetPromptRequestSchema, ListPromptsRequestSchema, McpError, type Prompt } from '@modelcontextprotocol/sdk/types.js';

interface PromptDefinition extends Prompt {
  render(args: Record<string, string | undefined>): string;
}

const DOMAIN_HINTS = `Domains: cpu (algorithms, data structures, hot loops), memory (peak RSS, allocations, leaks), async (blocking calls, missing concurrency), structure (import time, module layout), deep (profile everything, then pick).`;

/** The methodology as user-invoked prompts; the same loop is in the server instructions for hosts without prompts. */
const PROMPTS: readonly PromptDefinition[] = [
  {
    name: 'optimize',
    title: 'Optimize this project',
    description: 'Start a disciplined optimization session toward a goal.',
    arguments: [
      { name: 'goal', description: 'What should get faster or smaller, e.g. "parse() on 10 MB inputs"', required: true },
      { name: 'domain', description: 'cpu, memory, async, structure or deep' },
      { name: 'guard', description: 'Command that must keep passing, e.g. "pytest -q"' },
    ],
    render: ({ goal, domain, guard }) => `Optimize this project. Goal: ${goal}.
${DOMAIN_HINTS}
1. Call session_start with the goal${domain ? `, domain "${domain}"` : ''}${guard ? `, guard "${guard}"` : ''} and a short branch slug. If no guard is known, ask me for the command that must keep passing before you edit anything.
2. run_guard on the untouched code, then measure the workload and record_result status "baseline".
3. profile the workload and read the top hotspots inside the project's own code.
4. Work one hypothesis at a time: edit, run_guard with revert_on_failure, benchmark_compare the previous commit against the new one, then record_result keep or discard with the comparison_id. Commit each keep and re-profile.
5. Only a "faster" verdict is a win; "unchanged" and "inconclusive" are not. Stop at plateau (3 discards in a row) or when the goal is met.
6. record_learning for facts worth keeping; finish with write_handoff and write_changelog.`,
  },
  {
    name: 'resume',
    title: 'Resume optimization',
    description: 'Continue the last session from its handoff.',
    render: () =>
      `Call session_resume. If branch_matches is false, ask me before checking out the handoff branch. Read the handoff's next steps, the recent experiments, conventions and learnings, then continue the loop from the first open next step. Do not redo experiments the ledger already discarded.`,
  },
  {
    name: 'status',
    title: 'Optimization status',
    description: 'Summarize where the session stands.',
    render: () =>
      `Call session_status and tell me in a few lines: experiments run, kept vs discarded, the best improvement against the baseline with how it was measured, whether we are at a plateau, and the next step. Do not start new work.`,
  },
  {
    name: 'review',
    title: 'Review the optimizations',
    description: 'Review kept changes before they go upstream.',
    render: () =>
      `Review every kept experiment of this session before it goes to a maintainer. For each: read the diff and say in one sentence what it changes; check correctness on edge cases (empty input, large input, errors, concurrency, mutation of shared state); check that the guard passed; check that the claimed numbers come from a benchmark_compare with a "faster" verdict (not from a single run) and that the benchmark exercises the changed code; check the change does not trade one resource for another unannounced (memory for speed). End with a verdict APPROVE, REQUEST_CHANGES or BLOCK and the findings.`,
  },
  {
    name: 'pr_prep',
    title: 'Prepare pull requests',
    description: 'Turn kept optimizations into PR-ready evidence.',
    render: () =>
      `Prepare pull requests for the kept optimizations. For each one: make sure a benchmark exists that exercises the changed function with realistic input (in the project's benchmarks root); run benchmark_compare between the commit before and the commit with the change (pass inject when the benchmark is newer than the base); use its markdown table as the evidence; write_changelog. One optimization per PR. Do not push or open PRs unless I ask.`,
  },
];

export function registerPrompts(server: Server): void {
  const listed = { prompts: PROMPTS.map(({ render: _, ...prompt }) => prompt) };
  server.setRequestHandler(ListPromptsRequestSchema, () => listed);
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    const prompt = PROMPTS.find((p) => p.name === request.params.name);
    if (!prompt) throw new McpError(-32602, `unknown prompt ${request.params.name.slice(0, 100)}; prompts/list names them`);
    const args = request.params.arguments ?? {};
    const missing = (prompt.arguments ?? []).filter((a) => a.required && !args[a.name]).map((a) => a.name);
    if (missing.length) throw new McpError(-32602, `prompt ${prompt.name} needs ${missing.join(', ')}`);
    const text = prompt.render(args);
    return { description: prompt.description, messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
  });
}
