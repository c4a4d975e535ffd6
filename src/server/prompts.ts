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
5. Only a "faster" verdict is a win; "unchanged" is not. Stop at plateau (3 discards in a row) or when the goal is met.
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
      `Review every kept experiment of this session before it goes to a maintainer, in six passes. 1 comprehension: read each diff (pr_inventory lists the commits) and say in one sentence what it changes and why it is faster. 2 correctness: edge cases (empty and large input, errors, concurrency, mutation of shared state). 3 safety: resources, security, compatibility of public behaviour. 4 benchmark verification: write_review does it itself (every keep proven by a faster comparison, the benchmark at both refs, the PR bodies' numbers equal to the comparisons); add what you see beyond that, such as a benchmark that misses the changed code, and benchmark_compare again whatever you doubt. 5 quality: readability, tests, the project's conventions. 6 disclosure: trade-offs (memory for speed) and limits stated in the bodies. Then call write_review with the verdict APPROVE, REQUEST_CHANGES or BLOCK and every finding (pass, severity critical|major|minor|info, file, line, text); a critical finding makes it BLOCK.`,
  },
  {
    name: 'pr_prep',
    title: 'Prepare pull requests',
    description: 'Turn kept optimizations into PR-ready evidence.',
    render: () =>
      `Prepare pull requests for the kept optimizations; do not push or open any unless I ask. 1 pr_inventory: the kept ones with files, commit, domain, whether the benchmark exists at both refs, and which have a body. 2 For each one without a benchmark that exercises the changed function with realistic input, write one in the project's benchmarks root and commit it. 3 benchmark_compare the commit before the change against the commit with it (inject a benchmark newer than the base); only a "faster" verdict goes in a PR. 4 pr_body with that comparison_id (one PR per optimization; add summary and details in your words, quoting only the comparison's numbers). 5 Optionally a stacked draft: benchmark_compare the branch point against the branch head, then pr_body mode "stacked" with it. 6 Run the review prompt and write_review. Report a table: optimization, benchmark, comparison verdict, PR body path, review status.`,
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
