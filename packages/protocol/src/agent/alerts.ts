/**
 * The `alert.event` outbox item: what an agent monitor detected, already coalesced on the agent
 * (`count` occurrences of one rule and key between `first_seen` and `last_seen`), with the full
 * context — process tree, file details and diff, network peer, the raw event. The server folds
 * it into its inbox through the alert service's one entry.
 */
import Type, { type Static } from 'typebox';
import { Severity } from '../checks.js';

// The limit lives in a module without TypeBox (the running agent's coalescer imports it); it stays
// part of this module's exports.
export { MAX_ALERT_CONTEXT_BYTES } from './alert-limits.js';

/** Body of an `alert.event` outbox item. */
export const AlertEventBody = Type.Object(
  {
    /** The detection rule (`Linux.Auth.SshBruteForce`) or an agent source (`agent.monitor_shedding`). */
    rule: Type.String({ minLength: 3, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' }),
    severity: Severity,
    title: Type.String({ minLength: 1, maxLength: 300 }),
    /** What makes two occurrences the same on this device (the rule's coalescing fields). */
    key: Type.String({ maxLength: 512 }),
    /** The rule's coalescing window: repeats within it fold into the same alert on the server too. */
    window_s: Type.Integer({ minimum: 1, maximum: 7 * 86_400 }),
    attack: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 32 })),
    /** Occurrences this item stands for (a burst coalesced on the agent counts each of them). */
    count: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    /** First and last occurrence in this item, ms since the epoch (agent clock). */
    first_seen: Type.Integer({ minimum: 0 }),
    last_seen: Type.Integer({ minimum: 0 }),
    context: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 64 }),
  },
  { additionalProperties: false },
);
export type AlertEventBodyT = Static<typeof AlertEventBody>;
