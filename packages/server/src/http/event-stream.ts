/**
 * Server-sent event streams (the console's event stream, a device's live metrics): one place for
 * what every stream needs — headers, a comment line now and then so proxies keep a quiet stream
 * open, the credential checked again at that moment (a logout or a revoked token ends the
 * stream), a bound on unsent bytes (a client that does not read is dropped, never buffered without
 * end), and closing every open stream when the server stops (they never end by themselves).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services/index.js';
import type { Principal } from '../services/principal.js';
import { SESSION_COOKIE } from './auth-hook.js';

/** Unsent bytes a stream may hold before its client counts as too slow and is dropped. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

/** An open stream. */
export interface EventStream {
  /** Send one event (nothing once the stream has ended). */
  send(event: string, data: unknown): void;
  /** Run `fn` once when the stream ends, whoever ends it (at once if it already has). */
  onClose(fn: () => void): void;
  /** Whether the stream has ended. */
  readonly closed: boolean;
}

/** The streams of one route plugin, ended when the server closes. */
export function streamRegistry(app: FastifyInstance): Set<ServerResponse> {
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
    streams.clear();
  });
  return streams;
}

/**
 * Take over the reply and open a stream for `principal`. `retryMs` tells the browser how long to
 * wait before it reconnects after the connection dropped.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    services: Services;
    principal: Principal;
    streams: Set<ServerResponse>;
    heartbeatMs: number;
    what: string;
    retryMs?: number;
  },
): EventStream {
  const { services, principal, streams, heartbeatMs, what } = options;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const closers: Array<() => void> = [];
  const write = (chunk: string) => {
    if (closed || res.writableEnded) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      services.log.warn(
        { account: principal.accountId, buffered: res.writableLength, stream: what },
        'event stream client too slow: dropping it',
      );
      res.destroy();
      done();
    }
  };
  const heartbeat = setInterval(() => {
    write(': heartbeat\n\n');
    void stillAllowed(request, services, principal).then(
      (ok) => {
        if (!ok && !closed) res.end();
      },
      (e: unknown) => services.log.error({ err: e, stream: what }, 'checking an event stream failed'),
    );
  }, heartbeatMs);
  heartbeat.unref();
  function done() {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    streams.delete(res);
    for (const fn of closers.splice(0)) fn();
  }
  streams.add(res);
  request.raw.on('close', done);
  res.on('close', done);
  if (options.retryMs !== undefined) write(`retry: ${options.retryMs}\n`);
  return {
    send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
    get closed() {
      return closed;
    },
  };
}

/**
 * Whether the credential that opened the stream still admits its user to the same account
 * (logged out, token revoked, user disabled or moved: the stream ends).
 */
async function stillAllowed(request: FastifyRequest, services: Services, was: Principal): Promise<boolean> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = request.cookies?.[SESSION_COOKIE];
  const now = bearer
    ? await services.auth.authenticateToken(bearer)
    : cookie
      ? await services.auth.authenticateSession(cookie)
      : null;
  return now !== null && now.accountId === was.accountId && now.userId === was.userId;
}
