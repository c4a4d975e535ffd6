import type { ToolDefinition } from '../server/define-tool.js';
import { benchmarkCompare } from './benchmark-compare.js';
import { jobCancel, jobStatus } from './jobs.js';
import { microBenchmark } from './micro-benchmark.js';
import { recordLearning, setConventionTool } from './notes.js';
import { profile } from './profile.js';
import { readArtifact } from './read-artifact.js';
import { recordResult } from './record-result.js';
import { runGuard } from './run-guard.js';
import { sessionResume } from './session-resume.js';
import { sessionStart } from './session-start.js';
import { sessionStatus } from './session-status.js';
import { sessionCleanup, writeChangelog, writeHandoff } from './wrap-up.js';

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
  sessionCleanup,
];
