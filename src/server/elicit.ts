import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { FormField, FormReply } from './define-tool.js';
import type { Logger } from './logger.js';

/** How long a form may wait for a person: hosts pause the tool call while it is open. */
const ANSWER_WAIT_MS = 10 * 60_000;

/**
 * Ask one flat form (string and enum fields only, as the specification allows
 * for elicitation), when the client said it can show forms. A client without
 * the capability, a timeout or a failed request all read as `unsupported`, so
 * the caller falls back to asking in chat.
 */
export async function askForm(
  server: Server,
  request: { signal: AbortSignal; requestId: RequestId },
  logger: Logger,
  message: string,
  fields: readonly FormField[],
): Promise<FormReply> {
  if (!server.getClientCapabilities()?.elicitation?.form) return { action: 'unsupported' };
  const properties = Object.fromEntries(
    fields.map((field) => [
      field.name,
      {
        type: 'string' as const,
        title: field.title,
        description: field.description,
        ...(field.options ? { enum: [...field.options] } : {}),
        ...(field.default !== undefined ? { default: field.default } : {}),
      },
    ]),
  );
  try {
    const result = await server.elicitInput(
      { mode: 'form', message, requestedSchema: { type: 'object', properties } },
      { signal: request.signal, timeout: ANSWER_WAIT_MS, relatedRequestId: request.requestId },
    );
    if (result.action !== 'accept') return { action: result.action };
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.content ?? {})) {
      const text = Array.isArray(value) ? value.join(',') : String(value ?? '').trim();
      if (text && fields.some((f) => f.name === name)) values[name] = text;
    }
    return { action: 'accept', values };
  } catch (error) {
    logger.warn('the client could not show the setup form', { error: (error as Error).message });
    return { action: 'unsupported' };
  }
}
