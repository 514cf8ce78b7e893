/**
 * One live agent connection over the WebSocket: challenge, signed response bound to this TLS
 * session (exporter), then validated `domain.verb` messages. Anything unexpected closes the
 * connection with a documented close code.
 */

import { verify } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import {
  AgentToServer,
  type AgentToServerT,
  authProofBytes,
  CLOSE_CODES,
  channelBinding,
  compileValidator,
  DEFLATE_ENCODING,
  ed25519PublicKeyFromRaw,
  isQuietPing,
} from '@vigil/protocol';
import type { WebSocket } from 'ws';
import type { Services } from '../services/index.js';
import { fragmentedSender } from './fragmented-sender.js';
import { type AgentHub, type LiveConnection, newNonce } from './hub.js';

const validateMessage = compileValidator(AgentToServer);
const AUTH_TIMEOUT_MS = 10_000;

/** Handle one WebSocket from upgrade to close. */
export function handleLiveSocket(
  ws: WebSocket,
  tlsSocket: TLSSocket,
  ip: string | null,
  hub: AgentHub,
  services: Services,
): void {
  const nonce = newNonce();
  const binding = channelBinding(tlsSocket);
  // Every data message goes through one sender: a large command is written in fragments, and
  // nothing else may be sent between them.
  const send = fragmentedSender(ws);
  let conn: LiveConnection | undefined;
  let authenticating = false;
  const authTimer = setTimeout(
    () => ws.close(CLOSE_CODES.authTimeout, 'authentication timed out'),
    AUTH_TIMEOUT_MS,
  );
  authTimer.unref();

  const fail = (code: number, reason: string) => {
    services.log.info({ ip, code, reason }, 'agent connection refused');
    ws.close(code, reason);
  };

  send(JSON.stringify({ t: 'auth.challenge', nonce, server_time: Date.now() }));

  ws.on('pong', () => {
    if (conn) conn.lastSeen = Date.now();
  });
  // The channel's WebSocketServer does not answer pings itself: a quiet ping asks for no pong.
  ws.on('ping', (payload) => {
    if (conn) conn.lastSeen = Date.now();
    if (!isQuietPing(payload)) ws.pong(payload);
  });

  ws.on('message', (data, isBinary) => {
    if (conn) conn.lastSeen = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
    } catch {
      fail(CLOSE_CODES.protocolError, 'message is not JSON');
      return;
    }
    if (!validateMessage.check(parsed)) {
      fail(CLOSE_CODES.protocolError, 'message does not match the protocol schema');
      return;
    }
    const msg = parsed as AgentToServerT;
    if (!conn) {
      if (msg.t !== 'auth.response' || authenticating) {
        fail(CLOSE_CODES.protocolError, 'expected auth.response first');
        return;
      }
      authenticating = true;
      void authenticate(msg).catch((error: unknown) => {
        services.log.error({ err: error }, 'agent authentication failed unexpectedly');
        fail(CLOSE_CODES.authFailed, 'authentication failed');
      });
      return;
    }
    void onMessage(conn, msg).catch((error: unknown) => {
      services.log.error({ err: error, device: conn?.deviceId }, 'agent message handling failed');
    });
  });

  ws.on('close', () => {
    clearTimeout(authTimer);
    if (conn)
      void hub.detach(conn).catch((error: unknown) => services.log.error({ err: error }, 'detach failed'));
  });
  ws.on('error', (error) => services.log.debug({ err: error }, 'agent socket error'));

  async function authenticate(msg: Extract<AgentToServerT, { t: 'auth.response' }>): Promise<void> {
    const device = await services.repos.devices.byId(msg.agent_id);
    if (!device) return fail(CLOSE_CODES.authFailed, 'unknown agent: enroll it first');
    if (device.status === 'revoked' || device.revoked_at)
      return fail(CLOSE_CODES.revoked, 'this agent was revoked');
    let ok = false;
    try {
      ok = verify(
        null,
        authProofBytes(nonce, msg.agent_id, binding),
        ed25519PublicKeyFromRaw(device.public_key),
        Buffer.from(msg.sig, 'base64'),
      );
    } catch {
      ok = false;
    }
    if (!ok) return fail(CLOSE_CODES.authFailed, 'the signature does not verify with the enrolled key');
    if (device.machine_id && msg.facts.machine_id !== device.machine_id) {
      await services.alerts.raise({
        account_id: device.account_id,
        device_id: device.id,
        rule: 'agent.key_conflict',
        severity: 'high',
        title: `The key of ${device.hostname} is used by another host (${msg.facts.hostname})`,
        context: {
          enrolled_machine_id: device.machine_id,
          presented_machine_id: msg.facts.machine_id,
          hostname: msg.facts.hostname,
          ip,
        },
      });
      return fail(CLOSE_CODES.conflict, 'this key belongs to another host (cloned state directory?)');
    }
    if (ws.readyState !== ws.OPEN) return;
    const candidate: LiveConnection = {
      deviceId: device.id,
      accountId: device.account_id,
      machineId: msg.facts.machine_id,
      lastSeen: Date.now(),
      send,
      ping: () => ws.ping(),
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
      acceptsDeflate: msg.status.accepts?.includes(DEFLATE_ENCODING) === true,
    };
    clearTimeout(authTimer);
    send(
      JSON.stringify({
        t: 'auth.ok',
        heartbeat_s: hub.options.heartbeatMs / 1000,
        poll_s: hub.options.pollMs / 1000,
        mode: 'live',
        server_time: Date.now(),
      }),
    );
    conn = candidate;
    if ((await hub.attach(candidate, msg.facts, ip, 'live', msg.status.held)) === 'conflict') {
      conn = undefined;
      return fail(CLOSE_CODES.conflict, 'another host is connected with this key');
    }
  }

  async function onMessage(c: LiveConnection, msg: AgentToServerT): Promise<void> {
    switch (msg.t) {
      case 'outbox.deliver': {
        const { acks, rejected } = await hub.ingestor.ingest(
          { deviceId: c.deviceId, accountId: c.accountId },
          msg.items,
        );
        if (rejected.length > 0)
          services.log.warn({ device: c.deviceId, rejected }, 'agent sent items that cannot be processed');
        send(JSON.stringify({ t: 'outbox.ack', ids: acks }));
        return;
      }
      case 'facts.update':
        await hub.updateFacts(c.deviceId, msg.facts);
        return;
      case 'status.update':
        return;
      case 'agent.goodbye':
        c.goodbye = msg.reason;
        return;
      case 'auth.response':
        fail(CLOSE_CODES.protocolError, 'already authenticated');
        return;
    }
  }
}
