/**
 * The live channel: one WebSocket over TLS (CA pinned), the challenge signed together with the
 * TLS exporter, heartbeat pings (most of them unanswered: the protocol's heartbeat.ts), outbox
 * batches acknowledged by id, commands handed to the dispatcher. Resolves `closed` with the close
 * code so the runtime can decide what is next.
 */
import type { KeyObject } from 'node:crypto';
import { sign } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { AgentStatusT, HostFactsT } from '@vigil/protocol';
import {
  AGENT_PATHS,
  authProofBytes,
  channelBinding,
  MAX_MESSAGE_BYTES,
  PONG_EVERY_PINGS,
  QUIET_PING_PAYLOAD,
  serverSilenceLimitMs,
  validators,
} from '@vigil/protocol/agent-runtime';
import WebSocket from 'ws';
import type { AgentState } from './identity.js';

const validate = validators.ServerToAgent;

/** What the live session needs from the runtime. */
export interface LiveHooks {
  facts(): HostFactsT;
  status(): AgentStatusT;
  onCommand(envelope: unknown): void;
  onAck(ids: string[]): void;
  onAuthenticated(heartbeatS: number, pollS: number): void;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
}

/** A live session; `upgradeFailed` tells the runtime to fall back to polling. */
export interface LiveSession {
  ws: WebSocket;
  opened: Promise<void>;
  closed: Promise<{
    code: number;
    reason: string;
    upgradeFailed: boolean;
    authenticated: boolean;
    challenged: boolean;
  }>;
  send(message: object): boolean;
  goodbye(reason: 'stop' | 'uninstall' | 'restart' | 'mode_change'): Promise<void>;
}

/** Open a live session. */
export function openLive(state: AgentState, key: KeyObject, hooks: LiveHooks): LiveSession {
  const ws = new WebSocket(`${state.server_url.replace(/^https/, 'wss')}${AGENT_PATHS.ws}`, {
    ca: state.ca_pem,
    perMessageDeflate: false,
    maxPayload: MAX_MESSAGE_BYTES,
    handshakeTimeout: 15_000,
  });
  let tls: TLSSocket | undefined;
  let authenticated = false;
  let upgradeFailed = false;
  let challenged = false;
  let lastHeard = Date.now();
  let heartbeat: NodeJS.Timeout | undefined;
  let resolveOpened: () => void = () => {};
  const opened = new Promise<void>((r) => {
    resolveOpened = r;
  });
  ws.on('upgrade', (res) => {
    tls = res.socket as TLSSocket;
  });
  ws.on('unexpected-response', (_req, res) => {
    upgradeFailed = true;
    hooks.log.warn({ status: res.statusCode }, 'WebSocket upgrade refused');
    ws.terminate();
  });
  ws.on('ping', () => {
    lastHeard = Date.now();
  });
  ws.on('pong', () => {
    lastHeard = Date.now();
  });
  ws.on('error', (error) => hooks.log.warn({ err: error.message }, 'live channel error'));
  const closed = new Promise<{
    code: number;
    reason: string;
    upgradeFailed: boolean;
    authenticated: boolean;
    challenged: boolean;
  }>((resolve) => {
    ws.on('close', (code, reason) => {
      if (heartbeat) clearInterval(heartbeat);
      resolve({ code, reason: String(reason), upgradeFailed, authenticated, challenged });
    });
  });
  ws.on('message', (data) => {
    lastHeard = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      ws.close(4400, 'not JSON');
      return;
    }
    if (!validate.check(parsed)) {
      hooks.log.warn({}, 'server message outside the protocol');
      return;
    }
    const m = parsed;
    if (m.t === 'auth.challenge') {
      challenged = true;
      const sig = sign(
        null,
        authProofBytes(m.nonce, state.agent_id, channelBinding(tls as TLSSocket)),
        key,
      ).toString('base64');
      ws.send(
        JSON.stringify({
          t: 'auth.response',
          agent_id: state.agent_id,
          sig,
          facts: hooks.facts(),
          status: hooks.status(),
        }),
      );
    } else if (m.t === 'auth.ok') {
      authenticated = true;
      hooks.onAuthenticated(m.heartbeat_s, m.poll_s);
      const intervalMs = m.heartbeat_s * 1000;
      const silenceLimitMs = serverSilenceLimitMs(intervalMs);
      let pings = 0;
      heartbeat = setInterval(() => {
        if (Date.now() - lastHeard > silenceLimitMs) {
          hooks.log.warn({ silent_ms: Date.now() - lastHeard }, 'server silent: reconnecting');
          ws.terminate();
          return;
        }
        if (ws.readyState !== WebSocket.OPEN) return;
        // Only the first ping of each round asks for a pong (protocol heartbeat.ts).
        ws.ping(pings % PONG_EVERY_PINGS === 0 ? undefined : QUIET_PING_PAYLOAD);
        pings += 1;
      }, intervalMs);
      heartbeat.unref();
      resolveOpened();
    } else if (m.t === 'command') {
      hooks.onCommand(m.env);
    } else if (m.t === 'outbox.ack') {
      hooks.onAck(m.ids);
    }
  });
  return {
    ws,
    opened,
    closed,
    send(message) {
      if (!authenticated || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
    async goodbye(reason) {
      if (ws.readyState === WebSocket.OPEN) {
        if (authenticated) ws.send(JSON.stringify({ t: 'agent.goodbye', reason }));
        ws.close(1000, reason);
        await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      } else ws.terminate();
    },
  };
}
