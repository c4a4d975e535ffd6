import { type Finding, REVIEW_PASSES, type ReviewPass, type ReviewRow, SEVERITIES } from '../pr-records.js';
import type { SessionRow } from '../sessions.js';

const PASS_TITLES: Record<ReviewPass, string> = {
  comprehension: 'Comprehension: what each change does and why it is faster',
  correctness: 'Correctness: edge cases, errors, concurrency, shared state',
  safety: 'Safety: resources, security, compatibility',
  benchmark_verification: 'Benchmark verification (checked by the server)',
  quality: 'Quality: readability, tests, conventions',
  disclosure: 'Disclosure: trade-offs and limits stated',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function where(finding: Finding): string {
  if (!finding.file) return '';
  return ` \`${finding.file}${finding.line ? `:${finding.line}` : ''}\``;
}

function findingLine(finding: Finding): string {
  return `- **${finding.severity}**${where(finding)} — ${finding.text.trim()}${finding.by_server ? ' _(server)_' : ''}`;
}

/** review-report.md: the verdict, the six passes as a checklist, what the server checked, and every finding by pass and severity. */
export function renderReviewReport(input: { session: SessionRow; review: ReviewRow; checks: readonly string[] }): string {
  const { session, review, checks } = input;
  const byPass = (pass: ReviewPass) =>
    review.findings.filter((f) => f.pass === pass).sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const raised = review.verdict !== review.given_verdict ? ` (given ${review.given_verdict}; raised by the findings)` : '';
  const lines = [
    `# Review report${session.branch ? ` — ${session.branch}` : ''}`,
    '',
    `**Verdict: ${review.verdict}**${raised}`,
    '',
    `Session ${session.id} · written ${review.created_at}`,
    review.summary ? `\n${review.summary.trim()}` : '',
    '\n## Checklist\n',
    '| pass | result | critical | major | minor | info |',
    '|---|---|--:|--:|--:|--:|',
    ...REVIEW_PASSES.map((pass, i) => {
      const findings = byPass(pass);
      const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
      const blocking = count('critical') + count('major');
      return `| ${i + 1}. ${cell(PASS_TITLES[pass])} | ${blocking ? '✗' : '✓'} | ${count('critical')} | ${count('major')} | ${count('minor')} | ${count('info')} |`;
    }),
  ];
  for (const [i, pass] of REVIEW_PASSES.entries()) {
    lines.push(`\n## ${i + 1}. ${PASS_TITLES[pass]}\n`);
    if (pass === 'benchmark_verification') lines.push(...(checks.length ? checks.map((c) => `- ${c}`) : ['- nothing to check']), '');
    const findings = byPass(pass);
    lines.push(findings.length ? findings.map(findingLine).join('\n') : '_No findings._');
  }
  lines.push('');
  return lines.join('\n');
}
