import { z } from 'zod';
import { writeReview } from '../pr/review.js';
import { defineTool } from '../server/define-tool.js';
import { sessionEnvironment } from '../session/environment.js';
import { REVIEW_PASSES, REVIEW_VERDICTS, type ReviewPass, SEVERITIES, type Severity } from '../state/pr-records.js';
import { sessionIdInput } from './shared.js';

/** A word from a fixed list, checked without listing the words in tools/list (the review prompt and the error name them). */
function oneOf(words: readonly string[], what: string) {
  return z
    .string()
    .max(40)
    .refine((word) => words.includes(word), { message: `${what} must be one of ${words.join(', ')}` });
}

export const writeReviewTool = defineTool({
  name: 'write_review',
  title: 'Review gate',
  description: 'Six-pass review into review-report.md.',
  input: {
    verdict: z.enum(REVIEW_VERDICTS),
    findings: z
      .array(
        z.object({
          pass: oneOf(REVIEW_PASSES, 'pass'),
          severity: oneOf(SEVERITIES, 'severity'),
          file: z.string().max(1000).optional(),
          line: z
            .number()
            .int()
            .refine((n) => n > 0, { message: 'line counts from 1' })
            .optional(),
          text: z.string().min(1).max(2000),
        }),
      )
      .max(200),
    summary: z.string().max(4000).optional(),
    session_id: sessionIdInput,
  },
  output: {
    path: z.string(),
    verdict: z.enum(REVIEW_VERDICTS),
    server_findings: z.array(z.string()),
  },
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { ctx }) {
    const { project, session } = ctx.current(args.session_id);
    const env = await sessionEnvironment(session, project.paths.root);
    const { review, path } = await writeReview(project, session, env, {
      verdict: args.verdict,
      findings: args.findings.map((f) => ({ ...f, pass: f.pass as ReviewPass, severity: f.severity as Severity })),
      summary: args.summary,
    });
    const byServer = review.findings.filter((f) => f.by_server);
    return {
      path,
      verdict: review.verdict,
      server_findings: byServer.map((f) => `${f.severity}: ${f.text}`),
      summary: `Review ${review.verdict}${review.verdict !== args.verdict ? ` (given ${args.verdict})` : ''} with ${review.findings.length} finding(s), ${byServer.length} from the server's benchmark verification.`,
      next:
        review.verdict === 'APPROVE'
          ? ['The PR bodies are ready; open PRs only when asked.']
          : ['Fix the blocking findings (re-measure, rewrite the bodies), then write_review again.'],
    };
  },
});
