/** Prometheus metrics (prom-client): process, HTTP, and gauges the hub fills in later. */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** What the retention job deletes: campaigns, their per-device status and result rows, scheduled results. */
export const RETENTION_KINDS = ['live_campaigns', 'live_device_results', 'scheduled_results'] as const;

/** The node's metrics registry and the instruments routes and the hub update. */
export interface MetricsRegistry {
  registry: Registry;
  contentType: string;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  /** Rows the retention job deleted, by kind (see RETENTION_KINDS). */
  retentionDeletedRows: Counter<'kind'>;
  /** Retention runs by outcome (success or failure). */
  retentionRuns: Counter<'outcome'>;
  render(): Promise<string>;
}

/** A fresh registry per app, so several apps in one test process do not collide. */
export function createMetrics(): MetricsRegistry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const httpRequests = new Counter({
    name: 'vigil_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const retentionDeletedRows = new Counter({
    name: 'vigil_retention_deleted_rows_total',
    help: 'Rows deleted by the retention job, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  // Zero series from the start, so dashboards see the counters before the first delete.
  for (const kind of RETENTION_KINDS) retentionDeletedRows.inc({ kind }, 0);
  const retentionRuns = new Counter({
    name: 'vigil_retention_runs_total',
    help: 'Retention job runs, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of ['success', 'failure']) retentionRuns.inc({ outcome }, 0);
  return {
    registry,
    contentType: registry.contentType,
    httpRequests,
    httpDuration,
    retentionDeletedRows,
    retentionRuns,
    render: () => registry.metrics(),
  };
}

/** Count and time every request by its route pattern (never the raw URL, which would explode cardinality). */
export function instrumentHttp(app: FastifyInstance, metrics: MetricsRegistry): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
