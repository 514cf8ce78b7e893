/**
 * The console event stream: server-sent events of the caller's account (device presence and
 * enrollment, alerts raised and changed, action runs), so the console refetches at once instead
 * of polling. Bounded: a client that does not read is dropped, never buffered without end; the
 * credential is checked again at every heartbeat, so a logout or a revoked token ends the stream.
 */
import type { ServerResponse } from 'node:http';
import { type ConsoleEventT, EVENT_STREAM_HEARTBEAT_S } from '@vigil/protocol';
import type { FastifyRequest } from 'fastify';
import { authedContext, SESSION_COOKIE } from '../../http/auth-hook.js';
import type { Services } from '../../services/index.js';
import type { Principal } from '../../services/principal.js';
import type { RoutePlugin } from '../types.js';

/** Unsent bytes a stream may hold before its client counts as too slow and is dropped. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

/** Options of the stream (tests shorten the heartbeat). */
export interface EventStreamOptions {
  heartbeatMs?: number;
}

/** The console event stream route. */
export function eventRoutes(options: EventStreamOptions = {}): RoutePlugin {
  const heartbeatMs = options.heartbeatMs ?? EVENT_STREAM_HEARTBEAT_S * 1000;
  return async (app, { services }) => {
    const streams = new Set<ServerResponse>();
    // Streams never end by themselves: close them when the server stops, or it would wait forever.
    app.addHook('preClose', async () => {
      for (const res of streams) res.end();
      streams.clear();
    });

    app.get(
      '/api/v1/events/stream',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['events'],
          summary:
            'Server-sent events of the caller’s account: `hello`, then `device.presence`, ' +
            '`device.enrolled`, `alert.raised`, `alert.updated` and `action.run` as they happen ' +
            '(see docs/events.md); a comment line every 15 s keeps proxies from closing it',
        },
      },
      async (request, reply) => {
        const { principal } = authedContext(request);
        const accountId = principal.accountId;
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        let closed = false;
        /** Write one chunk; a client that leaves too much unread is dropped. */
        const send = (chunk: string) => {
          if (closed || res.writableEnded) return;
          res.write(chunk);
          if (res.writableLength > MAX_BUFFERED_BYTES) {
            services.log.warn(
              { account: accountId, buffered: res.writableLength },
              'console event stream client too slow: dropping it',
            );
            res.destroy();
            done();
          }
        };
        const onEvent = (event: ConsoleEventT) =>
          send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        const unsubscribe = services.events.subscribe(accountId, onEvent);
        streams.add(res);
        const heartbeat = setInterval(() => {
          send(': heartbeat\n\n');
          void stillAllowed(request, services, principal).then(
            (ok) => {
              if (!ok && !closed) res.end();
            },
            (e: unknown) => services.log.error({ err: e }, 'checking a console event stream failed'),
          );
        }, heartbeatMs);
        heartbeat.unref();
        function done() {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(res);
        }
        request.raw.on('close', done);
        res.on('close', done);
        // `retry`: how long a browser waits before it reconnects after the connection dropped.
        send(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ heartbeat_s: heartbeatMs / 1000 })}\n\n`);
      },
    );
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
