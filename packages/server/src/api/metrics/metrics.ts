/**
 * Host metrics: a device's series, its latest sample, its live stream (server-sent events; while
 * anyone streams a device its agent samples every second), and the fleet roll-up.
 */
import {
  ErrorResponse,
  FleetMetricsQuery,
  FleetMetricsResponse,
  IdParams,
  LatestMetricsResponse,
  METRICS_WATCH_INTERVAL_S,
  type MetricSampleT,
  MetricsQuery,
  MetricsSeriesResponse,
  VigilError,
} from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import { openEventStream, streamRegistry } from '../../http/event-stream.js';
import type { MetricsService } from '../../services/metrics/metrics-service.js';
import type { MetricsWatch } from '../../services/metrics/metrics-watch.js';
import type { RoutePlugin } from '../types.js';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** Metrics routes (need the metrics service and the watch registry). */
export function metricsRoutes(metrics: MetricsService, watch: MetricsWatch): RoutePlugin {
  return async (app, { services }) => {
    const streams = streamRegistry(app);

    app.get(
      '/api/v1/devices/:id/metrics',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['metrics'],
          summary: 'A device’s metrics over a time range, at the resolution the step calls for',
          params: IdParams,
          querystring: MetricsQuery,
          response: { 200: MetricsSeriesResponse, 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => metrics.series(authedContext(request).principal, request.params.id, request.query),
    );

    app.get(
      '/api/v1/devices/:id/metrics/latest',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['metrics'],
          summary: 'The newest sample of a device',
          params: IdParams,
          response: { 200: LatestMetricsResponse, 404: ErrorResponse },
        },
      },
      async (request) => metrics.latest(authedContext(request).principal, request.params.id),
    );

    app.get(
      '/api/v1/devices/:id/metrics/stream',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['metrics'],
          summary:
            'Server-sent events: `hello` with the latest sample, then a `sample` event per sample; ' +
            'the agent samples every second while anyone streams it',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const ctx = authedContext(request);
        const device = await services.devices.getRow(ctx.principal, request.params.id);
        if (device.status === 'revoked')
          throw new VigilError('E_CONFLICT', `device ${device.id} was revoked: it sends no metrics`);
        const latest = await metrics.latest(ctx.principal, device.id).catch(() => null);
        const stream = openEventStream(request, reply, {
          services,
          principal: ctx.principal,
          streams,
          heartbeatMs: KEEPALIVE_MS,
          what: 'device metrics',
        });
        stream.send('hello', {
          device_id: device.id,
          interval_s: METRICS_WATCH_INTERVAL_S,
          latest: latest?.sample ?? null,
        });
        const onSample = (sample: MetricSampleT) => stream.send('sample', { device_id: device.id, sample });
        metrics.events.on(device.id, onSample);
        let release: (() => Promise<void>) | undefined;
        stream.onClose(() => {
          metrics.events.off(device.id, onSample);
          release?.().catch((e: unknown) =>
            services.log.error({ err: e, device: device.id }, 'ending a metrics watch failed'),
          );
        });
        release = await watch.watch(ctx, device.id);
        // The viewer may have left while the watch was starting.
        if (stream.closed) await release();
      },
    );

    app.get(
      '/api/v1/metrics/fleet',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['metrics'],
          summary: 'Devices whose latest sample is above any given threshold (percent), most loaded first',
          querystring: FleetMetricsQuery,
          response: { 200: FleetMetricsResponse, 400: ErrorResponse },
        },
      },
      async (request) => metrics.fleet(authedContext(request).principal, request.query),
    );
  };
}
