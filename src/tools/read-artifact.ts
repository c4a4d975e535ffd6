import { z } from 'zod';
import { defineTool } from '../server/define-tool.js';
import { readResource } from '../server/resources.js';

const MAX_CHARS = 30_000;

export const readArtifact = defineTool({
  name: 'read_artifact',
  title: 'Read a codeflash resource',
  description:
    'Read a codeflash:// resource through a tool, for hosts whose model cannot read resources: codeflash://files/<name> (.codeflash files), jobs/<id>, profiles/<id>, comparisons/<id>, charts/progress.svg. Long content is cut; offset pages on.',
  input: {
    uri: z.string().min(1).max(300).describe('e.g. codeflash://files/HANDOFF.md or codeflash://comparisons/cmp-1a2b3c4d5e'),
    offset: z.number().int().min(0).optional().describe('Character offset to start from, for long content.'),
  },
  output: {
    uri: z.string(),
    mime_type: z.string(),
    text: z.string(),
    total_chars: z.number().int(),
    next_offset: z.number().int().nullable().describe('Pass as offset to read on; null at the end.'),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const resource = readResource(ctx, args.uri);
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
