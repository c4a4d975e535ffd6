import { z } from 'zod';
import { UserError } from '../errors.js';
import { parseCommand } from '../proc/command.js';
import { defineTool } from '../server/define-tool.js';
import { addLearning, GUARD_TOPIC, normalizeTopic, setConvention } from '../state/notes.js';
import { refuseOptionLike } from '../workspace/paths.js';
import { sessionIdInput } from './shared.js';

export const recordLearning = defineTool({
  name: 'record_learning',
  title: 'Record a learning',
  description: 'Keep one non-obvious fact about the code base, with evidence, for later sessions (.codeflash/learnings.md). Not a log.',
  input: {
    title: z.string().min(1).max(200).describe('Short heading, e.g. "json.loads dominates parse()".'),
    body: z.string().min(1).max(5000).describe('What was tried and why it did or did not work.'),
    evidence: z.string().min(1).max(2000).describe('Numbers, or experiment/comparison/profile id.'),
    session_id: sessionIdInput,
  },
  output: { id: z.number(), path: z.string() },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const row = addLearning(project.db, { sessionId: session.id, title: args.title, body: args.body, evidence: args.evidence });
    const path = project.renderLearnings();
    return { id: row.id, path, summary: `Learning ${row.id} "${args.title}" recorded in learnings.md.`, next: [] };
  },
});

export const setConventionTool = defineTool({
  name: 'set_convention',
  title: 'Set a convention',
  description:
    'Record a binding rule (maintainer feedback, style, policy), replacing the same topic; rewrites .codeflash/conventions.md. Topic "guard" sets the command that must pass after every change.',
  input: {
    topic: z
      .string()
      .min(1)
      .max(80)
      .regex(/^[\w .-]+$/, 'topic: letters, digits, spaces, dots and dashes')
      .describe('e.g. "guard", "code style", "no new dependencies".'),
    rule: z.string().min(1).max(5000).describe('The rule; for "guard", the command line, e.g. "pytest -q tests/".'),
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
