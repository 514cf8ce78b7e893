/**
 * The console event stream: server-sent events of the caller's account (device presence and
 * enrollment, alerts raised and changed, action runs), so the console refetches at once instead
 * of polling. Bounded: a client that does not read is dropped, never buffered without end; the
 * credential is checked again at every heartbeat, so a logout or a revoked token ends the stream.
 */
import { type ConsoleEventT, EVENT_STREAM_HEARTBEAT_S } from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import { openEventStream, streamRegistry } from '../../http/event-stream.js';
import type { RoutePlugin } from '../types.js';

/** Options of the stream (tests shorten the heartbeat). */
export interface EventStreamOptions {
  heartbeatMs?: number;
}

/** The console event stream route. */
export function eventRoutes(options: EventStreamOptions = {}): RoutePlugin {
  const heartbeatMs = options.heartbeatMs ?? EVENT_STREAM_HEARTBEAT_S * 1000;
  return async (app, { services }) => {
    const streams = streamRegistry(app);

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
        const stream = openEventStream(request, reply, {
          services,
          principal,
          streams,
          heartbeatMs,
          what: 'console events',
          retryMs: 3000,
        });
        stream.onClose(
          services.events.subscribe(principal.accountId, (event: ConsoleEventT) =>
            stream.send(event.type, event),
          ),
        );
        stream.send('hello', { heartbeat_s: heartbeatMs / 1000 });
      },
    );
  };
}
