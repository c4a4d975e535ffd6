import type { ToolDefinition } from '../server/define-tool.js';
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
import { sessionCleanup } from './session-cleanup.js';
import { sessionResume } from './session-resume.js';
import { sessionStart } from './session-start.js';
import { sessionStatus } from './session-status.js';
import { setConventionTool } from './set-convention.js';
import { writeCaseStudy } from './write-case-study.js';
import { writeChangelog } from './write-changelog.js';
import { writeHandoff } from './write-handoff.js';
import { writeReviewTool } from './write-review.js';

/** Every tool, in the order of the loop. */
export const TOOLS: readonly ToolDefinition[] = [
  sessionStart,
  sessionStatus,
  sessionResume,
  profile,
  runGuard,
  benchmarkCompare,
  microBenchmark,
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
