/**
 * Signed command envelopes. The server signs the exact payload bytes with its Ed25519 command
 * key; the agent verifies the signature BEFORE it parses the payload, then audience, expiry and
 * replay. A fan-out names a campaign instead of agents, so one signature serves every target
 * and the envelope does not grow with their number (docs/adr/0002-signed-command-envelopes.md).
 */
import Type, { type Static } from 'typebox';

/** The wire form: payload bytes and signature, both base64. */
export const Envelope = Type.Object(
  {
    v: Type.Literal(1),
    payload: Type.String({ maxLength: 4 * 1024 * 1024, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
    sig: Type.String({ minLength: 86, maxLength: 88, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  },
  { additionalProperties: false },
);
export type EnvelopeT = Static<typeof Envelope>;

/** Who a command is for: one agent, or every agent of an account that a campaign was sent to. */
export const Audience = Type.Union([
  Type.Object(
    { account: Type.String({ maxLength: 64 }), agent: Type.String({ maxLength: 64 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { account: Type.String({ maxLength: 64 }), campaign: Type.String({ maxLength: 64 }) },
    { additionalProperties: false },
  ),
]);
export type AudienceT = Static<typeof Audience>;

/** What the signature covers. `body` is validated per `kind` only after every other check. */
export const CommandPayload = Type.Object(
  {
    id: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    kind: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z_]+\\.[a-z_]+$' }),
    aud: Audience,
    iat: Type.Integer({ minimum: 0 }),
    exp: Type.Integer({ minimum: 0 }),
    body: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type CommandPayloadT = Static<typeof CommandPayload>;
