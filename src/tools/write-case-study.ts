import { z } from 'zod';
import { exportCaseStudy } from '../pr/case-study.js';
import { defineTool } from '../server/define-tool.js';
import { sessionIdInput } from './shared.js';

export const writeCaseStudy = defineTool({
  name: 'write_case_study',
  title: 'Export a case study',
  description: 'Export ledger, chart, kept changes as patches, PR bodies and comparisons to a publishable folder.',
  input: {
    dest: z.string().min(1).max(4096).describe('Relative to the state directory, or inside the project.'),
    session_id: sessionIdInput,
  },
  output: { dir: z.string(), files: z.array(z.string()) },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const { dir, files } = await exportCaseStudy(project, session, args.dest);
    return { dir, files, summary: `Case study exported to ${dir}: ${files.length} file(s).`, next: [] };
  },
});
