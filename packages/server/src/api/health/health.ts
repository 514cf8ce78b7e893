/** Liveness, readiness, Prometheus metrics and the CA certificate (for pinning clients). */
import Type from 'typebox';
import type { MetricsRegistry } from '../../http/metrics.js';
import type { RoutePlugin } from '../types.js';

/** Health and meta routes. */
export function healthRoutes(metrics: MetricsRegistry): RoutePlugin {
  return async (app, { services }) => {
    app.get(
      '/healthz',
      {
        config: { access: 'public' },
        schema: {
          tags: ['meta'],
          summary: 'Liveness',
          response: { 200: Type.Object({ ok: Type.Boolean() }) },
        },
      },
      async () => ({ ok: true }),
    );
    app.get(
      '/readyz',
      {
        config: { access: 'public' },
        schema: {
          tags: ['meta'],
          summary: 'Readiness: the store answers',
          response: {
            200: Type.Object({ ok: Type.Boolean(), store: Type.String() }),
            503: Type.Object({ ok: Type.Boolean(), store: Type.String() }),
          },
        },
      },
      async (_request, reply) => {
        const ok = await services.store.ping();
        return reply.code(ok ? 200 : 503).send({ ok, store: ok ? services.store.kind : 'unreachable' });
      },
    );
    app.get(
      '/metrics',
      {
        config: { access: 'public' },
        schema: { tags: ['meta'], summary: 'Prometheus metrics', hide: false },
      },
      async (_request, reply) => {
        void reply.header('content-type', metrics.contentType);
        return metrics.render();
      },
    );
    app.get(
      '/api/v1/ca.pem',
      {
        config: { access: 'public' },
        schema: {
          tags: ['meta'],
          summary:
            'The CA certificate agents and the CLI pin (compare its SHA-256 with the fingerprint you were given)',
        },
      },
      async (_request, reply) =>
        reply.header('content-type', 'application/x-pem-file').send(services.keys.ca.certPem),
    );
    app.get(
      '/api/v1/server-info',
      {
        config: { access: 'public' },
        schema: {
          tags: ['meta'],
          summary: 'Public server facts',
          response: {
            200: Type.Object({
              version: Type.String(),
              ca_fingerprint: Type.String(),
              signing_public_key: Type.String(),
              setup_needed: Type.Boolean(),
            }),
          },
        },
      },
      async () => ({
        version: services.version,
        ca_fingerprint: services.keys.caFingerprint,
        signing_public_key: services.keys.signingPublicKey,
        setup_needed: !(await services.auth.hasUsers()),
      }),
    );
  };
}
