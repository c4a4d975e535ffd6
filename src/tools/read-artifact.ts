import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { readStateResource } from '../state/resources.js';

const MAX_CHARS = 30_000;

export const readArtifact = defineTool({
  name: 'read_artifact',
  title: 'Read a codeflash resource',
  description:
    'Read a codeflash:// resource (files/<name>, jobs/, profiles/ or comparisons/<id>, charts/progress.svg); long content pages by offset.',
  input: {
    uri: z.string().min(1).max(300).describe('e.g. codeflash://files/HANDOFF.md'),
    offset: z.number().int().min(0).optional(),
  },
  output: {
    uri: z.string(),
    mime_type: z.string(),
    text: z.string(),
    total_chars: z.number(),
    next_offset: z.number().nullable(),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const resource = readStateResource(ctx.project(), args.uri);
    const offset = args.offset ?? 0;
    const text = resource.text.slice(offset, offset + MAX_CHARS);
    const end = offset + text.length;
    return {
      uri: resource.uri,
      mime_type: resource.mimeType,
      text,
      total_chars: resource.text.length,
      next_offset: end < resource.text.length ? end : null,
      summary: `${resource.uri}: characters ${offset}–${end} of ${resource.text.length}.`,
      next: end < resource.text.length ? [`Call read_artifact again with offset ${end} for the rest.`] : [],
    };
  },
});
