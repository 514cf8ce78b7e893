/**
 * POST /agent/v1/poll: the HTTPS fallback. Each request is signed by the agent's key over its
 * time, a nonce, the body's SHA-256 and the server certificate fingerprint; the nonce cache
 * refuses a replayed request within the time window. No bearer secret is involved.
 */
import { createHash, verify } from 'node:crypto';
import {
  compileValidator,
  type EnvelopeT,
  ed25519PublicKeyFromRaw,
  POLL_HEADERS,
  PollRequest,
  type PollRequestT,
  pollProofBytes,
  VigilError,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import { certificateFingerprint } from '../pki/fingerprint.js';
import type { Services } from '../services/index.js';
import type { AgentHub } from './hub.js';

const validatePoll = compileValidator(PollRequest);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** How far a signed request's time may be from the server clock. */
export const WINDOW_MS = 5 * 60_000;

/** Nonces seen within the time window (replay protection for signed polls and downloads). */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  /** Remember a nonce; false if it was already used. */
  use(key: string, now: number): boolean {
    if (this.seen.size > 200_000) for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + 2 * WINDOW_MS);
    return true;
  }
}

/** Register the poll route in its own scope (it parses the body itself to hash the exact bytes). */
export async function registerPollRoute(
  app: FastifyInstance,
  hub: AgentHub,
  services: Services,
): Promise<void> {
  const leafFingerprint = certificateFingerprint(services.keys.tls.certPem);
  const nonces = new NonceCache();
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/agent/v1/poll',
      { config: { access: 'agent' }, schema: { hide: true } },
      async (request, reply) => {
        const raw = request.body as Buffer;
        const agentId = String(request.headers[POLL_HEADERS.agent] ?? '');
        const time = Number(request.headers[POLL_HEADERS.time]);
        const nonce = String(request.headers[POLL_HEADERS.nonce] ?? '');
        const signature = String(request.headers[POLL_HEADERS.signature] ?? '');
        if (
          !/^[0-9a-f]{32}$/.test(agentId) ||
          !Number.isInteger(time) ||
          !/^[0-9a-f]{16,64}$/.test(nonce) ||
          signature.length === 0 ||
          signature.length > 100
        ) {
          throw new VigilError(
            'E_AGENT_UNKNOWN',
            'a poll needs the x-vigil-agent, x-vigil-time, x-vigil-nonce and x-vigil-signature headers',
          );
        }
        const now = Date.now();
        if (Math.abs(now - time) > WINDOW_MS)
          throw new VigilError('E_CLOCK_SKEW', 'the poll time is more than 5 minutes off the server clock');
        const device = await services.repos.devices.byId(agentId);
        if (!device) throw new VigilError('E_AGENT_UNKNOWN', 'unknown agent: enroll it first');
        if (device.status === 'revoked' || device.revoked_at)
          throw new VigilError('E_AGENT_REVOKED', 'this agent was revoked');
        const bodyHash = createHash('sha256').update(raw).digest('hex');
        let ok = false;
        try {
          ok = verify(
            null,
            pollProofBytes(agentId, time, nonce, bodyHash, leafFingerprint),
            ed25519PublicKeyFromRaw(device.public_key),
            Buffer.from(signature, 'base64'),
          );
        } catch {
          ok = false;
        }
        if (!ok)
          throw new VigilError(
            'E_SIGNATURE_INVALID',
            'the poll signature does not verify with the enrolled key',
          );
        if (!nonces.use(`${agentId}:${nonce}`, now))
          throw new VigilError('E_SIGNATURE_INVALID', 'this poll request was already received (replay)');
        let body: PollRequestT;
        try {
          body = validatePoll.parse(JSON.parse(strictUtf8.decode(raw)));
        } catch (error) {
          if (error instanceof VigilError) throw error;
          throw new VigilError('E_BAD_REQUEST', 'the poll body is not valid UTF-8 JSON');
        }
        if (body.facts && device.machine_id && body.facts.machine_id !== device.machine_id) {
          throw new VigilError(
            'E_KEY_CONFLICT',
            'this key belongs to another host (cloned state directory?)',
          );
        }
        const { acks } = await hub.ingestor.ingest(
          { deviceId: agentId, accountId: device.account_id },
          body.items,
        );
        await hub.polled(
          agentId,
          device.account_id,
          body.facts,
          request.ip ?? null,
          body.goodbye,
          body.status.held,
        );
        const pending = body.goodbye ? [] : await services.repos.agentCommands.pending(agentId);
        await services.repos.agentCommands.markDeliveredIds(
          agentId,
          pending.map((p) => p.id),
        );
        return reply.send({
          acks,
          commands: pending.map((p) => JSON.parse(p.envelope) as EnvelopeT),
          poll_s: hub.options.pollMs / 1000,
          heartbeat_s: hub.options.heartbeatMs / 1000,
          // Mode changes travel only as signed mode.set commands; this field just echoes the mode.
          mode: 'poll',
          server_time: Date.now(),
        });
      },
    );
  });
}
