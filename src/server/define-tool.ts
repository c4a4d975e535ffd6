import { z } from 'zod';
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

export type CommonOutput = { summary: string; next: string[] };

/** One field of a form put to the user: free text, or one of a few strings. */
export interface FormField {
  name: string;
  title: string;
  description: string;
  options?: readonly string[];
  default?: string;
}

/** The user's reply to a form: the fields filled in (empty ones left out), or why there are none. */
export type FormReply = { action: 'accept'; values: Record<string, string> } | { action: 'decline' | 'cancel' | 'unsupported' };

/** What a tool's handler gets besides its arguments. */
export interface ToolCall {
  ctx: ServerContext;
  /** The call's arguments as checked against the input schema. */
  args: Record<string, unknown>;
  /** Aborts when the client cancels the request. */
  signal: AbortSignal;
  /** Send an MCP progress notification if the client asked for them. */
  progress(done: number, total: number | undefined, message: string): void;
  /**
   * Ask the user one flat form through the client (MCP elicitation); `unsupported`
   * when the client cannot show forms. Only for the request itself: a job never asks.
   */
  elicit(message: string, fields: readonly FormField[]): Promise<FormReply>;
}

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  hints: ToolHints;
  run(args: z.infer<z.ZodObject<I>>, call: ToolCall): Promise<z.infer<z.ZodObject<O>> & CommonOutput>;
}

/** A tool as the server holds it: the schemas to list and check against, and the handler. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  hints: ToolHints;
  inputSchema: z.ZodObject<z.ZodRawShape>;
  /** The declared output plus summary and next; every result is checked against it before it leaves. */
  outputSchema: z.ZodObject<z.ZodRawShape>;
  run(args: Record<string, unknown>, call: ToolCall): Promise<CommonOutput & Record<string, unknown>>;
}

/**
 * One shape for every tool: zod input with descriptions, an output schema that
 * always includes `summary` and `next`, and explicit hints. The server layer
 * validates arguments and results against these schemas and turns errors into
 * `isError` results; the handler only maps input to a domain call and back.
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(spec: ToolSpec<I, O>): ToolDefinition {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    hints: spec.hints,
    inputSchema: z.object(spec.input),
    outputSchema: z.strictObject({ ...spec.output, ...commonOutput }),
    // The server parsed the arguments with inputSchema before calling, so they have the spec's type.
    run: (args, call) => spec.run(args as z.infer<z.ZodObject<I>>, call),
  };
}
