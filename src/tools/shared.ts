import { z } from 'zod';
import { JOB_STATES } from '../state/jobs.js';

/** The longest path a `root` input may be: Linux's PATH_MAX. */
export const MAX_PATH_CHARS = 4096;

/** Optional session selector (default: the active session); undescribed, as the name says it and tools/list is paid for in every conversation. */
export const sessionIdInput = z.string().max(40).optional();

export const jobIdInput = z.string().max(40);

/** A job as job_status and job_cancel show it. */
export const jobOutput = {
  job_id: z.string(),
  state: z.enum(JOB_STATES),
  error: z.string().optional(),
  tool: z.string(),
  progress: z.number().nullable(),
  total: z.number().nullable(),
  message: z.string().nullable(),
  log_tail: z.string(),
  result: z.record(z.string(), z.unknown()).optional(),
};

export const statsOutput = z.object({
  experiments: z.number(),
  keeps: z.number(),
  discards: z.number(),
  crashes: z.number(),
  consecutive_discards: z.number(),
  plateau: z.boolean(),
  baseline: z.object({ n: z.number(), metric: z.string(), value: z.number(), direction: z.enum(['lower', 'higher']) }).nullable(),
  best: z
    .object({ n: z.number(), target: z.string(), metric: z.string(), value: z.number(), improvement_pct: z.number().nullable() })
    .nullable(),
});
