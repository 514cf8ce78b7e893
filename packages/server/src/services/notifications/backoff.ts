/** Retry timing of failed deliveries: exponential backoff with jitter, capped. */

/** First retry after about this long. */
export const BACKOFF_BASE_MS = 2000;
/** No retry waits longer than this. */
export const BACKOFF_CAP_MS = 15 * 60_000;

/**
 * Delay before the next try after `attempts` failed ones: base·2^(attempts-1), capped, with
 * "equal jitter" (half fixed, half random) so a receiver that comes back is not hit by every
 * queued message in the same second, yet retries never bunch up at zero.
 */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
