import { z } from 'zod';
import { UserError } from '../errors.js';
import { parseCommand } from '../proc/command.js';
import { defineTool } from '../server/define-tool.js';
import { GUARD_TOPIC, normalizeTopic, setConvention } from '../state/notes.js';
import { refuseOptionLike } from '../workspace/paths.js';

export const setConventionTool = defineTool({
  name: 'set_convention',
  title: 'Set a convention',
  description:
    'Record a binding rule (maintainer feedback, style, policy) by topic in conventions.md; topic "guard" is the command that must keep passing.',
  input: {
    topic: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[\w .-]+$/, 'topic: letters, digits, spaces, dots and dashes')
      .describe('e.g. "guard", "code style".'),
    rule: z.string().min(1).max(5000).describe('For "guard": the command, e.g. "pytest -q".'),
  },
  output: { topic: z.string(), path: z.string(), guard: z.string().nullable() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { ctx }) {
    const project = ctx.project();
    const topic = normalizeTopic(args.topic);
    if (topic === GUARD_TOPIC) {
      refuseOptionLike('guard', args.rule);
      try {
        parseCommand(args.rule);
      } catch (error) {
        throw new UserError(`guard is not a command: ${(error as Error).message}`);
      }
    }
    setConvention(project.db, topic, args.rule.trim());
    const path = project.renderConventions();
    const guard = topic === GUARD_TOPIC ? args.rule.trim() : null;
    return {
      topic,
      path,
      guard,
      summary: guard ? `Guard set to "${guard}".` : `Convention "${topic}" set.`,
      next: guard ? ['Run run_guard now to confirm the guard passes on the unchanged code.'] : [],
    };
  },
});
