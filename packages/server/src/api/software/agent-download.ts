/**
 * GET /agent/v1/software/<sha256>: an agent fetches a software library file for a software.deploy
 * command it received. There is no user token: the request is signed with the agent's enrolled key
 * (POLL_HEADERS over downloadProofBytes: agent id, time, nonce, the file's SHA-256 and this
 * server's certificate fingerprint), checked like a signed poll, and a nonce is accepted once.
 * Only a file that a sent, unanswered software.deploy command of that device names is served.
 * The file is looked up by its hash alone, so no request can name any other path.
 */
import { verify } from 'node:crypto';
import {
  downloadProofBytes,
  ErrorResponse,
  ed25519PublicKeyFromRaw,
  POLL_HEADERS,
  Sha256Hex,
  SOFTWARE_DOWNLOAD_PREFIX,
  VigilError,
} from '@vigil/protocol';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { NonceCache, WINDOW_MS } from '../../hub/poll-route.js';
import { certificateFingerprint } from '../../pki/fingerprint.js';
import type { Services } from '../../services/index.js';
import type { SoftwareService } from '../../services/software/software-service.js';

/** Register the agent download route. */
export function registerSoftwareDownloadRoute(
  app: FastifyInstance,
  software: SoftwareService,
  services: Services,
): void {
  const leafFingerprint = certificateFingerprint(services.keys.tls.certPem);
  const nonces = new NonceCache();
  app.get(
    `${SOFTWARE_DOWNLOAD_PREFIX}:sha256`,
    {
      config: { access: 'agent' },
      // HEAD would spend a nonce for nothing; agents only GET.
      exposeHeadRoute: false,
      schema: {
        tags: ['agent'],
        summary: 'A software library file for a software.deploy command (signed by the agent key)',
        params: Type.Object({ sha256: Sha256Hex }, { additionalProperties: false }),
        response: { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { sha256 } = request.params as { sha256: string };
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
      )
        throw new VigilError(
          'E_AGENT_UNKNOWN',
          'a software download is signed by the agent: it needs the x-vigil-agent, x-vigil-time, x-vigil-nonce and x-vigil-signature headers',
        );
      const now = Date.now();
      if (Math.abs(now - time) > WINDOW_MS)
        throw new VigilError(
          'E_CLOCK_SKEW',
          'the download request time is more than 5 minutes off the server clock',
        );
      const device = await services.repos.devices.byId(agentId);
      if (!device) throw new VigilError('E_AGENT_UNKNOWN', 'unknown agent: enroll it first');
      if (device.status === 'revoked' || device.revoked_at)
        throw new VigilError('E_AGENT_REVOKED', 'this agent was revoked');
      let ok = false;
      try {
        ok = verify(
          null,
          downloadProofBytes(agentId, time, nonce, sha256, leafFingerprint),
          ed25519PublicKeyFromRaw(device.public_key),
          Buffer.from(signature, 'base64'),
        );
      } catch {
        ok = false;
      }
      if (!ok)
        throw new VigilError(
          'E_SIGNATURE_INVALID',
          'the download signature does not verify with the enrolled key',
        );
      if (!nonces.use(`${agentId}:${nonce}`, now))
        throw new VigilError('E_SIGNATURE_INVALID', 'this download request was already received (replay)');
      const file = await software.openForDevice(device, sha256, request.ip ?? null);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store')
        .send(file.stream);
    },
  );
}
