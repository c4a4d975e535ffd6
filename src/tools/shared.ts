import { z } from 'zod';

/** Optional session selector shared by the bookkeeping tools. */
export const sessionIdInput = z.string().max(40).optional().describe('Default: the active session.');

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
