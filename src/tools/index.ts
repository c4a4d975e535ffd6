import { UserError } from '../errors.js';
import type { ToolDefinition } from '../server/define-tool.js';
import { benchmarkBisect } from './benchmark-bisect.js';
import { benchmarkCompare } from './benchmark-compare.js';
import { jobCancel } from './job-cancel.js';
import { jobStatus } from './job-status.js';
import { microBenchmark } from './micro-benchmark.js';
import { prBody } from './pr-body.js';
import { prInventoryTool } from './pr-inventory.js';
import { profile } from './profile.js';
import { readArtifact } from './read-artifact.js';
import { recordLearning } from './record-learning.js';
import { recordResult } from './record-result.js';
import { runGuard } from './run-guard.js';
import { scan } from './scan.js';
import { sessionCleanup } from './session-cleanup.js';
import { sessionResume } from './session-resume.js';
import { sessionStart } from './session-start.js';
import { sessionStatus } from './session-status.js';
import { setConventionTool } from './set-convention.js';
import { targetDossier } from './target-dossier.js';
import { vmBench } from './vm-bench.js';
import { vmHostAdd } from './vm-host-add.js';
import { vmHostRemove } from './vm-host-remove.js';
import { vmHosts } from './vm-hosts.js';
import { writeCaseStudy } from './write-case-study.js';
import { writeChangelog } from './write-changelog.js';
import { writeHandoff } from './write-handoff.js';
import { writeReviewTool } from './write-review.js';

/** Every tool, in the order of the loop. */
export const TOOLS: readonly ToolDefinition[] = [
  sessionStart,
  sessionStatus,
  sessionResume,
  scan,
  targetDossier,
  profile,
  runGuard,
  benchmarkCompare,
  benchmarkBisect,
  microBenchmark,
  vmHostAdd,
  vmHostRemove,
  vmHosts,
  vmBench,
  recordResult,
  recordLearning,
  setConventionTool,
  jobStatus,
  jobCancel,
  readArtifact,
  writeHandoff,
  writeChangelog,
  prInventoryTool,
  prBody,
  writeReviewTool,
  writeCaseStudy,
  sessionCleanup,
];

/**
 * Toolsets for `--tools` (as github-mcp-server has): a host that needs only part
 * of the loop lists fewer tools. core is always offered: the other sets start
 * jobs, need a session, or point at artifacts that only core tools read.
 */
export const TOOLSETS: Readonly<Record<string, readonly ToolDefinition[]>> = {
  core: [
    sessionStart,
    sessionStatus,
    sessionResume,
    runGuard,
    recordResult,
    recordLearning,
    setConventionTool,
    jobStatus,
    jobCancel,
    readArtifact,
    sessionCleanup,
  ],
  measure: [scan, targetDossier, profile, benchmarkCompare, benchmarkBisect, microBenchmark],
  report: [writeHandoff, writeChangelog],
  pr: [prInventoryTool, prBody, writeReviewTool, writeCaseStudy],
  remote: [vmHostAdd, vmHostRemove, vmHosts, vmBench],
};

/** The tools a `--tools` value names (comma-separated toolsets, or "all"), in TOOLS order; unset means all. */
export function selectTools(spec: string | undefined): readonly ToolDefinition[] {
  const names = (spec ?? 'all')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.includes('all')) return TOOLS;
  const unknown = names.filter((name) => !(name in TOOLSETS));
  if (unknown.length) {
    throw new UserError(`unknown toolset ${unknown.join(', ')}: choose from ${Object.keys(TOOLSETS).join(', ')} or all`);
  }
  const chosen = new Set(['core', ...names].flatMap((name) => TOOLSETS[name]!));
  return TOOLS.filter((tool) => chosen.has(tool));
}
