import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { ServerContext } from './context.js';
import type { CommonOutput, ToolCall, ToolDefinition } from './define-tool.js';

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

function listing(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.inputSchema, 'input'),
    outputSchema: jsonSchema(tool.outputSchema, 'output') as Tool['outputSchema'],
    annotations: { ...tool.hints },
    // Jobs are this server's own mechanism; task-augmented calls are not offered.
    execution: { taskSupport: 'forbidden' },
  };
}

/** Zod issues as one line each, with the path of the field they concern. */
function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
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
