import { z } from 'zod';
import { writeReview } from '../pr/review.js';
import { defineTool } from '../server/define-tool.js';
import { sessionEnvironment } from '../session/environment.js';
import { REVIEW_PASSES, REVIEW_VERDICTS, SEVERITIES } from '../state/pr-records.js';
import { sessionIdInput } from './shared.js';

export const writeReviewTool = defineTool({
  name: 'write_review',
  title: 'Write the review report',
  description:
    'The review gate: six-pass findings and verdict to .codeflash/review-report.md. The server adds benchmark_verification (keeps proven, benchmark at both refs, PR body numbers match). A critical finding means BLOCK.',
  input: {
    verdict: z.enum(REVIEW_VERDICTS),
    findings: z
      .array(
        z.object({
          pass: z.enum(REVIEW_PASSES),
          severity: z.enum(SEVERITIES),
          file: z.string().max(1000).optional(),
          line: z.number().int().min(1).optional(),
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
      findings: args.findings,
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
