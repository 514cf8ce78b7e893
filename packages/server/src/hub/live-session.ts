/**
 * One live agent connection over the WebSocket: challenge, signed response bound to this TLS
 * session (exporter), then validated `domain.verb` messages. Anything unexpected closes the
 * connection with a documented close code.
 *
 * Each of up to 100k idle connections keeps this state for its whole life, so it is kept small:
 * one session object whose methods live on its prototype, socket listeners shared by every
 * connection (they find their session on the socket), and what only the handshake needs (nonce,
 * channel binding, auth timer) dropped once it is over. Closures per connection for the same work
 * kept 1.3–1.7 KiB more V8 heap per agent (10k agents: 121–125 MiB of heap used, now 107–108 MiB;
 * docs/benchmarks.md, "Capacity").
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
import type { RawData, WebSocket } from 'ws';
import type { Services } from '../services/index.js';
import { FragmentedSender } from './fragmented-sender.js';
import { type AgentHub, type LiveConnection, newNonce } from './hub.js';

const validateMessage = compileValidator(AgentToServer);
const AUTH_TIMEOUT_MS = 10_000;
/** Where a socket's session is kept, for the listeners every socket shares. */
const SESSION = Symbol('vigil.liveSession');

type SessionSocket = WebSocket & { [SESSION]?: LiveSession };

/** An authenticated agent on this socket, as the hub sees it. */
class LiveAgentConnection implements LiveConnection {
  lastSeen = Date.now();
  goodbye?: string;

  constructor(
    private readonly ws: WebSocket,
    private readonly sender: FragmentedSender,
    readonly deviceId: string,
    readonly accountId: string,
    readonly machineId: string,
    readonly acceptsDeflate: boolean,
  ) {}

  send(data: string): void {
    this.sender.send(data);
  }

  ping(): void {
    this.ws.ping();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** The state of one socket from upgrade to close. */
class LiveSession {
  conn: LiveAgentConnection | undefined;
  private authenticating = false;
  // Only the handshake needs these; they are dropped once it is over.
  private nonce: string | undefined = newNonce();
  private binding: string | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  // Every data message goes through one sender: a large command is written in fragments, and
  // nothing else may be sent between them.
  private readonly sender: FragmentedSender;

  constructor(
    private readonly ws: WebSocket,
    tlsSocket: TLSSocket,
    private readonly ip: string | null,
    private readonly hub: AgentHub,
    private readonly services: Services,
  ) {
    this.binding = channelBinding(tlsSocket);
    this.sender = new FragmentedSender(ws);
    this.authTimer = setTimeout(closeUnauthenticated, AUTH_TIMEOUT_MS, ws);
    this.authTimer.unref();
  }

  /** Send the challenge the agent must sign; the first message on the socket. */
  start(): void {
    this.sender.send(JSON.stringify({ t: 'auth.challenge', nonce: this.nonce, server_time: Date.now() }));
  }

  fail(code: number, reason: string): void {
    this.services.log.info({ ip: this.ip, code, reason }, 'agent connection refused');
    this.ws.close(code, reason);
  }

  /** The handshake is over (either way): drop what only it needed. */
  private endHandshake(): void {
    clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.nonce = undefined;
    this.binding = undefined;
  }

  onMessage(data: RawData, isBinary: boolean): void {
    if (this.conn) this.conn.lastSeen = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
    } catch {
      this.fail(CLOSE_CODES.protocolError, 'message is not JSON');
      return;
    }
    if (!validateMessage.check(parsed)) {
      this.fail(CLOSE_CODES.protocolError, 'message does not match the protocol schema');
      return;
    }
    const msg = parsed as AgentToServerT;
    const conn = this.conn;
    if (!conn) {
      if (msg.t !== 'auth.response' || this.authenticating) {
        this.fail(CLOSE_CODES.protocolError, 'expected auth.response first');
        return;
      }
      this.authenticating = true;
      void this.authenticate(msg).catch((error: unknown) => {
        this.services.log.error({ err: error }, 'agent authentication failed unexpectedly');
        this.fail(CLOSE_CODES.authFailed, 'authentication failed');
      });
      return;
    }
    void this.handle(conn, msg).catch((error: unknown) => {
      this.services.log.error({ err: error, device: conn.deviceId }, 'agent message handling failed');
    });
  }

  onError(error: Error): void {
    this.services.log.debug({ err: error }, 'agent socket error');
  }

  onClose(): void {
    this.endHandshake();
    if (this.conn)
      void this.hub
        .detach(this.conn)
        .catch((error: unknown) => this.services.log.error({ err: error }, 'detach failed'));
  }

  private async authenticate(msg: Extract<AgentToServerT, { t: 'auth.response' }>): Promise<void> {
    const { hub, services, ws } = this;
    const device = await services.repos.devices.byId(msg.agent_id);
    if (!device) return this.fail(CLOSE_CODES.authFailed, 'unknown agent: enroll it first');
    if (device.status === 'revoked' || device.revoked_at)
      return this.fail(CLOSE_CODES.revoked, 'this agent was revoked');
    let ok = false;
    try {
      ok = verify(
        null,
        authProofBytes(this.nonce as string, msg.agent_id, this.binding as string),
        ed25519PublicKeyFromRaw(device.public_key),
        Buffer.from(msg.sig, 'base64'),
      );
    } catch {
      ok = false;
    }
    if (!ok) return this.fail(CLOSE_CODES.authFailed, 'the signature does not verify with the enrolled key');
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
          ip: this.ip,
        },
      });
      return this.fail(CLOSE_CODES.conflict, 'this key belongs to another host (cloned state directory?)');
    }
    if (ws.readyState !== ws.OPEN) return;
    const candidate = new LiveAgentConnection(
      ws,
      this.sender,
      device.id,
      device.account_id,
      msg.facts.machine_id,
      msg.status.accepts?.includes(DEFLATE_ENCODING) === true,
    );
    this.endHandshake();
    this.sender.send(
      JSON.stringify({
        t: 'auth.ok',
        heartbeat_s: hub.options.heartbeatMs / 1000,
        poll_s: hub.options.pollMs / 1000,
        mode: 'live',
        server_time: Date.now(),
      }),
    );
    this.conn = candidate;
    if ((await hub.attach(candidate, msg.facts, this.ip, 'live', msg.status.held)) === 'conflict') {
      this.conn = undefined;
      return this.fail(CLOSE_CODES.conflict, 'another host is connected with this key');
    }
  }

  private async handle(c: LiveConnection, msg: AgentToServerT): Promise<void> {
    switch (msg.t) {
      case 'outbox.deliver': {
        const { acks, rejected } = await this.hub.ingestor.ingest(
          { deviceId: c.deviceId, accountId: c.accountId },
          msg.items,
        );
        if (rejected.length > 0)
          this.services.log.warn(
            { device: c.deviceId, rejected },
            'agent sent items that cannot be processed',
          );
        this.sender.send(JSON.stringify({ t: 'outbox.ack', ids: acks }));
        return;
      }
      case 'facts.update':
        await this.hub.updateFacts(c.deviceId, msg.facts);
        return;
      case 'status.update':
        return;
      case 'agent.goodbye':
        c.goodbye = msg.reason;
        return;
      case 'auth.response':
        this.fail(CLOSE_CODES.protocolError, 'already authenticated');
        return;
    }
  }
}

// The socket listeners, shared by every connection (`this` is the socket).

function closeUnauthenticated(ws: WebSocket): void {
  ws.close(CLOSE_CODES.authTimeout, 'authentication timed out');
}

function onPong(this: SessionSocket): void {
  const conn = this[SESSION]?.conn;
  if (conn) conn.lastSeen = Date.now();
}

// The channel's WebSocketServer does not answer pings itself: a quiet ping asks for no pong.
function onPing(this: SessionSocket, payload: Buffer): void {
  const conn = this[SESSION]?.conn;
  if (conn) conn.lastSeen = Date.now();
  if (!isQuietPing(payload)) this.pong(payload);
}

function onMessage(this: SessionSocket, data: RawData, isBinary: boolean): void {
  this[SESSION]?.onMessage(data, isBinary);
}

function onClose(this: SessionSocket): void {
  this[SESSION]?.onClose();
}

function onError(this: SessionSocket, error: Error): void {
  this[SESSION]?.onError(error);
}

/** Handle one WebSocket from upgrade to close. */
export function handleLiveSocket(
  ws: WebSocket,
  tlsSocket: TLSSocket,
  ip: string | null,
  hub: AgentHub,
  services: Services,
): void {
  const session = new LiveSession(ws, tlsSocket, ip, hub, services);
  (ws as SessionSocket)[SESSION] = session;
  session.start();
  ws.on('pong', onPong);
  ws.on('ping', onPing);
  ws.on('message', onMessage);
  ws.on('close', onClose);
  ws.on('error', onError);
}
