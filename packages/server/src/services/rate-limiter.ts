/** In-memory sliding-window limiter for login attempts, per key (IP, e-mail). */
import { VigilError } from '@vigil/protocol';

/** Counts events per key within a window and refuses past a limit. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const live = this.live(key);
    if (live.length < this.limit) return 0;
    const oldest = live[live.length - this.limit] as number;
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  /** Record one event for `key`. */
  hit(key: string): void {
    const live = this.live(key);
    live.push(this.now());
    this.hits.set(key, live);
    if (this.hits.size > 100_000) this.sweep();
  }

  /** Forget `key` (a successful login clears its failures). */
  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Throw E_RATE_LIMITED with Retry-After when `key` is over its limit. */
  assertAllowed(key: string, what: string): void {
    const wait = this.retryAfter(key);
    if (wait > 0) {
      throw new VigilError('E_RATE_LIMITED', `too many ${what}; try again in ${wait} s`, {
        headers: { 'retry-after': String(wait) },
      });
    }
  }

  private live(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.hits.get(key) ?? []).filter((t) => t > cutoff);
  }

  private sweep(): void {
    for (const key of [...this.hits.keys()]) {
      const live = this.live(key);
      if (live.length === 0) this.hits.delete(key);
      else this.hits.set(key, live);
    }
  }
}
