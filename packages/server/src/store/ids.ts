/** Identifiers and timestamps as the store keeps them. */
import { randomBytes } from 'node:crypto';

/**
 * A new id that sorts by creation time (millisecond prefix) and is unguessable (random tail),
 * so keyset pagination by (time, id) is stable on both engines.
 */
export function newId(): string {
  return Date.now().toString(36).padStart(9, '0') + randomBytes(10).toString('base64url');
}

/** The current time as the store keeps it. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
