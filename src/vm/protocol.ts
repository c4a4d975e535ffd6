import type { Comparison } from '../bench/compare.js';

/**
 * What the measuring helper prints on the host, one JSON object a line:
 * progress and log lines while it runs, then the comparison or the error.
 */
export type HelperEvent =
  | { event: 'progress'; done: number; total?: number; message: string }
  | { event: 'log'; line: string }
  | { event: 'result'; comparison: Comparison }
  | { event: 'error'; message: string; user: boolean };

/** A helper line as an event; anything else it printed (not expected) becomes a log line. */
export function parseHelperLine(line: string): HelperEvent {
  try {
    const value = JSON.parse(line) as HelperEvent;
    if (value && typeof value === 'object' && typeof value.event === 'string') return value;
  } catch {
    // not one of ours
  }
  return { event: 'log', line };
}
