/** Reconnect delays: exponential backoff with full jitter, so a restarted server is not hit by every agent at once. */

/** Backoff bounds. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** Delay before attempt `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Delay before reconnecting. After a connection that was up drops (server restart, network cut),
 * every agent of a fleet notices at the same moment, so the first retry is spread uniformly over
 * half the cap (about 30 s by default) instead of all returning in the same second; later
 * retries back off exponentially with full jitter.
 */
export function reconnectDelay(
  attempt: number,
  wasUp: boolean,
  o: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (wasUp && attempt === 0) return Math.floor(random() * (o.capMs / 2));
  return backoffDelay(attempt, o, random);
}
