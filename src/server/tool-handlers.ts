import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { ServerContext } from './context.js';
import type { CommonOutput, ToolCall, ToolDefinition, ToolHints } from './define-tool.js';
import { askForm } from './elicit.js';

/** Results past this size are cut: hosts warn near 10k tokens and refuse at 25k. */
const MAX_TEXT_CHARS = 40_000;
/** An error message never quotes more of the caller's input than this. */
const MAX_ERROR_CHARS = 2_000;

export function errorResult(message: string): CallToolResult {
  const text = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}… (cut)` : message;
  return { isError: true, content: [{ type: 'text', text }] };
}

/** JSON Schema of a zod object, without the `$schema` line each tool would otherwise repeat. */
function jsonSchema(schema: z.ZodObject<z.ZodRawShape>, io: 'input' | 'output'): Tool['inputSchema'] {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io });
  return rest as Tool['inputSchema'];
}

/** Bounds that only keep hostile or runaway input out; a call past one gets an error that names it. */
const GUARD_KEYWORDS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems']);

type Schema = Record<string, unknown>;

/**
 * A listed input schema: without guard bounds or zod's safe-integer limits, and
 * with "a string or a list of strings" written as one type list, its shortest
 * JSON Schema form.
 */
function leanInput(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(leanInput);
  if (typeof schema !== 'object' || schema === null) return schema;
  const lean: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (GUARD_KEYWORDS.has(key)) continue;
    if ((key === 'maximum' || key === 'minimum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'properties') lean[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, leanInput(v)]));
    else lean[key] = leanInput(value);
  }
  const [one, many] = (lean.anyOf as Schema[] | undefined) ?? [];
  if (
    lean.anyOf &&
    (lean.anyOf as Schema[]).length === 2 &&
    one?.type === 'string' &&
    Object.keys(one).length === 1 &&
    many?.type === 'array'
  ) {
    const { anyOf: _, ...rest } = lean;
    return { ...rest, type: ['string', 'array'], items: many.items };
  }
  return lean;
}

/**
 * A tool as tools/list shows it. Hosts put the whole list into every
 * conversation, so it carries what a caller needs to call well and no more:
 * input schemas keep types, enums, ranges and descriptions but not the length
 * bounds (GUARD_KEYWORDS); hints that mean their default are left out. The output schema says only that a result is
 * structured: every result is self-describing JSON, the description names the
 * fields a caller chains on, and field lists would double the listing (13 KB of
 * 30 KB before). Calls and results are still checked against the full zod
 * schemas, which test/__toolsnaps__ holds for review.
 */
function listing(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: leanInput(jsonSchema(tool.inputSchema, 'input')) as Tool['inputSchema'],
    outputSchema: { type: 'object' },
    annotations: listedHints(tool.hints),
  };
}

/**
 * The hints as listed: readOnlyHint and idempotentHint only when true. Both
 * default to false, so leaving a false one out means the same to every host;
 * destructiveHint and openWorldHint default to true and are always written.
 */
function listedHints(hints: ToolHints): ToolAnnotations {
  const { readOnlyHint, idempotentHint, ...always } = hints;
  return { ...(readOnlyHint ? { readOnlyHint } : {}), ...always, ...(idempotentHint ? { idempotentHint } : {}) };
}

/** Zod issues as one line each, with the path of the field they concern. */
function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Where a value holds a string with a NUL character (a dotted path, `(arguments)` at the top), if anywhere. */
function nulAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path || '(arguments)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = nulAt(child, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

function textFor(structured: CommonOutput & Record<string, unknown>): string {
  const text = `${structured.summary}\n\n${JSON.stringify(structured, null, 2)}`;
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}\n… (cut; the full result is in structuredContent)` : text;
}

/**
 * tools/list and tools/call for a fixed set of tools. The listing is built
 * once. A call is checked against the tool's input schema before its handler
 * runs and its result against the output schema before it leaves, so nothing
 * the server answers can contradict what it declares; a caller's mistake
 * (UserError) becomes an `isError` result with its own message.
 */
export function registerTools(server: Server, ctx: ServerContext, tools: readonly ToolDefinition[]): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listed = { tools: tools.map(listing) };
  server.setRequestHandler(ListToolsRequestSchema, () => listed);
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = byName.get(name);
    if (!tool) return errorResult(`unknown tool ${name.slice(0, 100)}; tools/list names the tools this server offers`);
    const parsed = tool.inputSchema.safeParse(request.params.arguments ?? {});
    if (!parsed.success) return errorResult(`Invalid arguments for ${name}: ${issuesText(parsed.error)}`);
    // No program argument, file name or ledger cell can carry a NUL; refused here once for every tool.
    const nul = nulAt(parsed.data);
    if (nul)
      return errorResult(
        `Invalid arguments for ${name}: ${nul}: holds a NUL character (\\u0000), which no command, path or text here can carry`,
      );
    const token = request.params._meta?.progressToken;
    const call: ToolCall = {
      ctx,
      args: parsed.data,
      signal: extra.signal,
      progress(done, total, message) {
        if (token === undefined) return;
        extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } })
          .catch(() => {});
      },
      elicit: (message, fields) => askForm(server, extra, ctx.logger, message, fields),
    };
    let structured: CommonOutput & Record<string, unknown>;
    try {
      await ctx.whenRootsKnown();
      structured = await tool.run(parsed.data, call);
    } catch (error) {
      if (error instanceof UserError) return errorResult(error.message);
      const message = error instanceof Error ? error.message : String(error);
      ctx.logger.error(`${name} failed`, { error: message, stack: error instanceof Error ? error.stack : undefined });
      return errorResult(`${name} failed: ${message}`);
    }
    const checked = tool.outputSchema.safeParse(structured);
    if (!checked.success) {
      ctx.logger.error(`${name} produced a result outside its output schema`, { issues: issuesText(checked.error) });
      return errorResult(
        `${name} produced a result that does not fit its declared output (${issuesText(checked.error)}); this is a server fault`,
      );
    }
    return { content: [{ type: 'text', text: textFor(structured) }], structuredContent: structured };
  });
}
