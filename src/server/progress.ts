/** At most one progress notification this often: hosts show each one, and a compare reports every run. */
const NOTIFY_EVERY_MS = 2000;

export type ProgressSink = (done: number, total: number | undefined, message: string) => void;

/**
 * Progress for the request that started a job: at most every NOTIFY_EVERY_MS,
 * always increasing (the protocol asks for that), and carrying the last known
 * total on log lines too.
 */
export function progressNotifier(
  send: ProgressSink | undefined,
): (done: number | undefined, total: number | undefined, message: string) => void {
  let lastProgress = 0;
  let lastTotal: number | undefined;
  let lastSent = 0;
  return (done, total, message) => {
    lastTotal = total ?? lastTotal;
    if (!send || Date.now() - lastSent < NOTIFY_EVERY_MS) return;
    lastSent = Date.now();
    lastProgress = Math.max(lastProgress + 1e-3, done ?? 0);
    send(lastProgress, lastTotal, message);
  };
}
