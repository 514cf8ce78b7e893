/**
 * Signing and verifying command envelopes (the schemas are in envelope.ts). Verification checks
 * the wrapper's and the payload's shape with validators generated at build time, so a running
 * agent verifies every command without loading TypeBox
 * (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import * as validators from '../generated/agent-validators.js';
import type { CommandPayloadT, EnvelopeT } from './envelope.js';

/** Sign a command payload with the server's Ed25519 key. */
export function signCommand(payload: CommandPayloadT, signingKey: KeyObject): EnvelopeT {
  const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  return { v: 1, payload: bytes.toString('base64'), sig: sign(null, bytes, signingKey).toString('base64') };
}

/** An Ed25519 public key from its raw 32 bytes in base64 (the form install lines carry). */
export function ed25519PublicKeyFromRaw(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** Why a command was refused; each becomes a security event the agent reports. */
export type RefusalReason =
  | 'malformed_envelope'
  | 'bad_signature'
  | 'malformed_payload'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'replayed'
  | 'unknown_kind'
  | 'invalid_body';

/** The outcome of verifying an envelope. */
export type VerifyResult =
  | { ok: true; command: CommandPayloadT }
  | { ok: false; reason: RefusalReason; detail: string; id?: string };

/** What the receiving agent knows about itself and the time. */
export interface VerifyContext {
  serverKey: KeyObject;
  accountId: string;
  agentId: string;
  now: number;
  /** Tolerated clock difference, ms. */
  skewMs?: number;
  /** Whether a command id was already executed (persisted across restarts by the caller). */
  seen(id: string): boolean;
}

/**
 * Verify an envelope in the only safe order: shape of the wrapper, signature over the exact
 * bytes, then (and only then) parse the payload, check audience, time window and replay.
 */
export function verifyCommand(raw: unknown, ctx: VerifyContext): VerifyResult {
  if (!validators.Envelope.check(raw))
    return { ok: false, reason: 'malformed_envelope', detail: 'the envelope does not match its schema' };
  const bytes = Buffer.from(raw.payload, 'base64');
  const sig = Buffer.from(raw.sig, 'base64');
  let valid = false;
  try {
    valid = sig.length === 64 && verify(null, bytes, ctx.serverKey, sig);
  } catch {
    valid = false;
  }
  if (!valid)
    return {
      ok: false,
      reason: 'bad_signature',
      detail: 'the signature does not verify with the pinned server key',
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_payload', detail: 'the signed payload is not JSON' };
  }
  if (!validators.CommandPayload.check(parsed))
    return { ok: false, reason: 'malformed_payload', detail: 'the signed payload does not match its schema' };
  const cmd = parsed;
  const aud = cmd.aud as { account: string; agent?: string; campaign?: string };
  if (aud.account !== ctx.accountId || (aud.agent !== undefined && aud.agent !== ctx.agentId)) {
    return {
      ok: false,
      reason: 'wrong_audience',
      detail: `the command is for ${aud.agent ? `agent ${aud.agent}` : `campaign ${aud.campaign}`} of account ${aud.account}`,
      id: cmd.id,
    };
  }
  const skew = ctx.skewMs ?? 60_000;
  if (cmd.exp + skew < ctx.now)
    return {
      ok: false,
      reason: 'expired',
      detail: `the command expired at ${new Date(cmd.exp).toISOString()}`,
      id: cmd.id,
    };
  if (cmd.iat - skew > ctx.now)
    return {
      ok: false,
      reason: 'not_yet_valid',
      detail: `the command was issued in the future (${new Date(cmd.iat).toISOString()})`,
      id: cmd.id,
    };
  if (ctx.seen(cmd.id))
    return { ok: false, reason: 'replayed', detail: `command ${cmd.id} was already received`, id: cmd.id };
  return { ok: true, command: cmd };
}
