import { z } from 'zod';
import { writePrBody } from '../pr/body.js';
import { defineTool } from '../server/define-tool.js';
import { sessionEnvironment } from '../session/environment.js';
import { sessionIdInput } from './shared.js';

export const prBody = defineTool({
  name: 'pr_body',
  title: 'PR body',
  description: 'Write .codeflash/pr-body-<function>.md from comparison_id; unproven needs allow_unproven; stacked: all keeps.',
  input: {
    comparison_id: z.string().min(1).max(40),
    function: z.string().min(1).max(100).optional(),
    template: z.string().min(1).max(100).optional(),
    mode: z.enum(['single', 'stacked']).optional(),
    allow_unproven: z.boolean().optional(),
    summary: z.array(z.string().min(1).max(500)).max(10).optional(),
    details: z.string().max(8000).optional(),
    session_id: sessionIdInput,
  },
  output: {
    path: z.string(),
    template: z.string(),
    proven: z.boolean(),
    markdown: z.string(),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const env = await sessionEnvironment(session, project.paths.root);
    const body = await writePrBody(project, session, env, {
      comparisonId: args.comparison_id,
      mode: args.mode ?? 'single',
      function: args.function,
      template: args.template,
      allowUnproven: args.allow_unproven,
      summary: args.summary,
      details: args.details,
    });
    return {
      path: body.path,
      template: `${body.template.origin}:${body.template.name}`,
      proven: body.proven,
      markdown: body.markdown,
      summary: `PR body written to ${body.path} (${body.template.name} template${body.proven ? '' : ', NOT proven'}).`,
      next: [...body.warnings, 'Review the body, then open the PR only when asked.'],
    };
  },
});
