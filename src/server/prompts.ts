import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  McpError,
  type Prompt,
  type PromptMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { projectDigest } from '../state/digest.js';
import { currentBranch } from '../workspace/git.js';
import type { ServerContext } from './context.js';
import { type Links, optimizeText, type PromptContext, prPrepText, resumeText, reviewText, statusText } from './prompt-text.js';

interface PromptDefinition extends Prompt {
  render(args: Record<string, string | undefined>, context: PromptContext, links: Links): string;
}

/** The methodology as user-invoked prompts, filled with the project's state; the loop is also in the server instructions for hosts without prompts. */
const PROMPTS: readonly PromptDefinition[] = [
  {
    name: 'optimize',
    title: 'Optimize this project',
    description: "Run the optimization loop toward a goal, starting from what the project's state already holds.",
    arguments: [
      { name: 'goal', description: 'What should get faster or smaller, e.g. "parse() on 10 MB inputs"; default: the session\'s goal' },
      { name: 'domain', description: 'cpu, memory, async, structure or deep' },
      { name: 'guard', description: 'Command that must keep passing, e.g. "pytest -q"' },
    ],
    render: (args, context, links) => optimizeText(args, context, links),
  },
  {
    name: 'resume',
    title: 'Resume optimization',
    description: 'Continue the last session from its handoff, ledger and branch check.',
    render: (_args, context, links) => resumeText(context, links),
  },
  {
    name: 'status',
    title: 'Optimization status',
    description: 'Summarize where the session stands.',
    render: (_args, context) => statusText(context),
  },
  {
    name: 'review',
    title: 'Review the optimizations',
    description: 'Review kept changes before they go upstream.',
    render: (_args, context, links) => reviewText(context, links),
  },
  {
    name: 'pr_prep',
    title: 'Prepare pull requests',
    description: 'Turn kept optimizations into PR-ready evidence.',
    render: (_args, context, links) => prPrepText(context, links),
  },
];

/** What the prompts know of the active project; nothing when it has no state yet (a prompt never creates any). */
async function promptContext(ctx: ServerContext, tools: ReadonlySet<string>): Promise<PromptContext> {
  await ctx.whenRootsKnown();
  const project = ctx.existingProject();
  if (!project) return { tools };
  return { tools, digest: projectDigest(project), branch: (await currentBranch(project.paths.root).catch(() => undefined)) ?? null };
}

export function registerPrompts(server: Server, ctx: ServerContext, toolNames: readonly string[]): void {
  const tools = new Set(toolNames);
  const listed = { prompts: PROMPTS.map(({ render: _, ...prompt }) => prompt) };
  server.setRequestHandler(ListPromptsRequestSchema, () => listed);
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    const prompt = PROMPTS.find((p) => p.name === request.params.name);
    if (!prompt) throw new McpError(-32602, `unknown prompt ${request.params.name.slice(0, 100)}; prompts/list names them`);
    const args = request.params.arguments ?? {};
    const missing = (prompt.arguments ?? []).filter((a) => a.required && !args[a.name]).map((a) => a.name);
    if (missing.length) throw new McpError(-32602, `prompt ${prompt.name} needs ${missing.join(', ')}`);
    const links: Links = new Set();
    const text = prompt.render(args, await promptContext(ctx, tools), links);
    const messages: PromptMessage[] = [
      { role: 'user', content: { type: 'text', text } },
      // Long state stays behind links, for hosts that can open them.
      ...[...links].map(
        (uri): PromptMessage => ({ role: 'user', content: { type: 'resource_link', uri, name: uri.slice(uri.lastIndexOf('/') + 1) } }),
      ),
    ];
    return { description: prompt.description, messages };
  });
}
