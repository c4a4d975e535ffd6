import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { ServerContext } from './context.js';

/** Every hint set on purpose: hosts decide on confirmation prompts from these. */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** Fields every tool result carries, so a host that shows the model only structuredContent still gets the gist and the next move. */
export const commonOutput = {
  summary: z.string(),
  next: z.array(z.string()),
};

type Common = { summary: string; next: string[] };

export interface ToolCall {
  ctx: ServerContext;
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>;
  /** Send an MCP progress notification if the client asked for them. */
  progress(done: number, total: number | undefined, message: string): void;
}

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  hints: ToolHints;
  run(args: z.infer<z.ZodObject<I>>, call: ToolCall): Promise<z.infer<z.ZodObject<O>> & Common>;
}

export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  /** The tool as tools/list shows it. */
  listing(): Tool;
  register(server: McpServer, ctx: ServerContext): void;
}

/** JSON Schema of a zod shape, without the `$schema` line each tool would otherwise repeat. */
function jsonSchema(shape: z.ZodRawShape, io: 'input' | 'output'): Tool['inputSchema'] {
  const { $schema: _, ...schema } = z.toJSONSchema(z.object(shape), { target: 'draft-7', io });
  return schema as Tool['inputSchema'];
}

/** Results past this size are cut: hosts warn near 10k tokens and refuse at 25k. */
const MAX_TEXT_CHARS = 40_000;

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

function textFor(structured: Common & Record<string, unknown>): string {
  const json = JSON.stringify(structured, null, 2);
  const text = `${structured.summary}\n\n${json}`;
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}\n… (cut; the full result is in structuredContent)` : text;
}

/**
 * One shape for every tool: zod input with descriptions, an output schema that
 * always includes `summary` and `next`, explicit hints, a text mirror of the
 * structured result, and errors turned into `isError` results that say what to do.
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(spec: ToolSpec<I, O>): ToolDefinition {
  let listed: Tool | undefined;
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    listing() {
      listed ??= {
        name: spec.name,
        title: spec.title,
        description: spec.description,
        inputSchema: jsonSchema(spec.input, 'input'),
        outputSchema: jsonSchema({ ...spec.output, ...commonOutput }, 'output') as Tool['outputSchema'],
        annotations: { ...spec.hints },
        // Jobs are this server's own mechanism; task-augmented calls are not offered.
        execution: { taskSupport: 'forbidden' },
      };
      return listed;
    },
    register(server, ctx) {
      server.registerTool(
        spec.name,
        {
          title: spec.title,
          description: spec.description,
          inputSchema: spec.input,
          outputSchema: { ...spec.output, ...commonOutput },
          annotations: { ...spec.hints },
        },
        (async (args: z.infer<z.ZodObject<I>>, extra: ToolCall['extra']): Promise<CallToolResult> => {
          const token = extra._meta?.progressToken;
          const call: ToolCall = {
            ctx,
            extra,
            progress(done, total, message) {
              if (token === undefined) return;
              extra
                .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } })
                .catch(() => {});
            },
          };
          try {
            await ctx.whenRootsKnown();
            const structured = (await spec.run(args, call)) as Common & Record<string, unknown>;
            return { content: [{ type: 'text', text: textFor(structured) }], structuredContent: structured };
          } catch (error) {
            if (error instanceof UserError) return errorResult(error.message);
            const message = error instanceof Error ? error.message : String(error);
            ctx.logger.error(`${spec.name} failed`, { error: message, stack: error instanceof Error ? error.stack : undefined });
            return errorResult(`${spec.name} failed: ${message}`);
          }
        }) as never,
      );
    },
  };
}
