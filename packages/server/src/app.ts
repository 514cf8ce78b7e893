/**
 * buildApp(options) returns an unstarted Fastify server with every plugin and route registered
 * (CONVENTIONS.md item 7). Tests, the CLI's `vigil server` and the e2e suite all build the same app.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { registerAjvFormats, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { actionRoutes } from './api/actions/actions.js';
import { registerAgentChannel } from './api/agent/agent-channel.js';
import { installAlerting } from './api/alerts/install.js';
import { apiTokenRoutes } from './api/api-tokens/api-tokens.js';
import { auditRoutes } from './api/audit/audit.js';
import { checkRoutes } from './api/checks/checks.js';
import { deviceActionRoutes } from './api/devices/device-actions.js';
import { deviceControlRoutes } from './api/devices/device-control.js';
import { deviceRoutes } from './api/devices/devices.js';
import { enrollmentTokenRoutes } from './api/enrollment-tokens/enrollment-tokens.js';
import { type EventStreamOptions, eventRoutes } from './api/events/events.js';
import { groupRoutes } from './api/groups/groups.js';
import { healthRoutes } from './api/health/health.js';
import { metricsRoutes } from './api/metrics/metrics.js';
import { liveQueryRoutes } from './api/queries/live-queries.js';
import { savedQueryRoutes } from './api/queries/saved-queries.js';
import { installMonitoring, type Monitoring } from './api/responses/install.js';
import { sessionRoutes } from './api/sessions/sessions.js';
import { setupRoutes } from './api/setup/setup.js';
import { registerSoftwareDownloadRoute } from './api/software/agent-download.js';
import { softwareRoutes } from './api/software/software.js';
import { userRoutes } from './api/users/users.js';
import type { ServerConfig } from './config.js';
import { installAuth, type RouteRecord } from './http/auth-hook.js';
import { consoleSendOptions, setConsoleHeaders } from './http/console-security.js';
import { installErrorHandlers } from './http/error-handler.js';
import { installStrictJsonParser } from './http/json-parser.js';
import { createMetrics, instrumentHttp, type MetricsRegistry } from './http/metrics.js';
import { AgentHub } from './hub/hub.js';
import { createLogger } from './logger.js';
import { loadOrCreateServerKeys, type ServerKeys } from './pki/server-keys.js';
import { ActionService, type ActionServiceOptions } from './services/action-service.js';
import { AgentClaimsRetention } from './services/agent-claims-retention.js';
import type { Alerting } from './services/alerts/alerting.js';
import { CheckService } from './services/check-service.js';
import { createServices, type Services } from './services/index.js';
import { LiveQueryService } from './services/live-query-service.js';
import { MetricThresholds } from './services/metrics/metric-thresholds.js';
import { MetricsRetention } from './services/metrics/metrics-retention.js';
import { MetricsService } from './services/metrics/metrics-service.js';
import { MetricsWatch } from './services/metrics/metrics-watch.js';
import { RetentionService } from './services/retention-service.js';
import { SavedQueryService } from './services/saved-query-service.js';
import { DEPLOY_ACTION, SoftwareService } from './services/software/software-service.js';
import { openStore, type Store } from './store/db.js';

registerAjvFormats();

/**
 * Serve the built console: files from `webDir`, and index.html for the single-page app's own
 * routes. API and agent paths never fall through to the console.
 */
async function serveConsole(app: FastifyInstance, webDir: string): Promise<void> {
  await app.register(fastifyStatic, { root: webDir, serve: false });
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path.startsWith('/agent/')) return reply.callNotFound();
    const file = path.replace(/^\/+/, '');
    const found =
      file && !file.includes('..') && existsSync(join(webDir, file)) && statSync(join(webDir, file)).isFile();
    const served = found ? file : 'index.html';
    setConsoleHeaders(reply, served);
    return reply.sendFile(served, consoleSendOptions(served));
  });
}

/** What buildApp needs; store and keys may be passed in (tests share them across restarts). */
export interface BuildAppOptions {
  config: ServerConfig;
  store?: Store;
  keys?: ServerKeys;
  logger?: Logger;
  /** Refuse WebSocket upgrades so agents must poll (tests of the fallback). */
  refuseWebsocket?: boolean;
  /** Check library to serve instead of definitions/checks (tests). */
  checksDir?: string;
  /** Action catalogue and engine timings (tests shorten them). */
  actions?: ActionServiceOptions;
  /** Console event stream timings (tests shorten the heartbeat). */
  events?: EventStreamOptions;
}

/** An app plus the parts tests and the CLI reach into. */
export interface VigilApp {
  app: FastifyInstance;
  services: Services;
  routes: RouteRecord[];
  metrics: MetricsRegistry;
  hub: AgentHub;
  liveQueries: LiveQueryService;
  /** Alert suppressions, notification routes, the delivery worker and the offline-too-long source. */
  alerting: Alerting;
  /** Host metrics: ingest and queries, live viewers, threshold alerts, the retention task (run by `retention`). */
  hostMetrics: {
    service: MetricsService;
    watch: MetricsWatch;
    retention: MetricsRetention;
    thresholds: MetricThresholds;
  };
  /** Response actions: runs, approvals and the rollout engine (started when ready, stopped on close). */
  actions: ActionService;
  /** The retention job of every area (started when the app is ready, stopped when it closes). */
  retention: RetentionService;
  /** Threat monitoring: agents' rule sets, their alert.event ingest, automated response rules. */
  monitoring: Monitoring;
  /** The software library: uploaded packages software.deploy can name. */
  software: SoftwareService;
  /** Stop accepting, finish in-flight requests, close the store (if this app opened it). */
  close(): Promise<void>;
}

/** Request bodies beyond this are refused with E_BODY_TOO_LARGE. */
export const BODY_LIMIT = 1024 * 1024;

/** Build the server without starting it. */
export async function buildApp(options: BuildAppOptions): Promise<VigilApp> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  const keys =
    options.keys ??
    (await loadOrCreateServerKeys(config.dataDir, {
      hosts: [config.host],
      tlsCertFile: config.tlsCert,
      tlsKeyFile: config.tlsKey,
    }));
  const ownsStore = !options.store;
  const store = options.store ?? (await openStore({ url: config.db }));
  const services = createServices(config, keys, store, log);
  const metrics = createMetrics();

  // Typed as the default instance: route plugins add the TypeBox provider themselves.
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    https: { key: keys.tls.keyPem, cert: keys.tls.certPem },
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 256 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  installErrorHandlers(app);
  installStrictJsonParser(app);
  // Cookies must be parsed before the auth hook reads the session cookie.
  await app.register(fastifyCookie);
  const routes = installAuth(app, services.auth);
  instrumentHttp(app, metrics);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        version: services.version,
        description: 'Endpoint security management. Errors are { error: { code, message } }.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  const hub = new AgentHub(services, {
    heartbeatMs: config.heartbeatSeconds * 1000,
    pollMs: config.pollSeconds * 1000,
    refuseWebsocket: options.refuseWebsocket ?? false,
  });
  const liveQueries = new LiveQueryService(services, hub);
  const savedQueries = new SavedQueryService(services, hub, liveQueries);
  const checks = new CheckService(services, hub, options.checksDir);
  const actions = new ActionService(services, hub, options.actions);
  const software = new SoftwareService(services);
  actions.resolveParamsWith(DEPLOY_ACTION, (p, params) => software.deployParams(p, params));
  const metricsWindows = {
    rawMs: config.metricsRawMinutes * 60_000,
    minuteMs: config.metricsMinuteDays * 86_400_000,
    hourMs: config.metricsHourDays * 86_400_000,
  };
  const hostMetrics = {
    service: new MetricsService(services, hub, metricsWindows),
    watch: new MetricsWatch(services, hub),
    retention: new MetricsRetention({ store }, metricsWindows),
    thresholds: new MetricThresholds(services, hub, metricsWindows, {
      diskPct: config.metricsDiskAlertPct,
      memoryPct: config.metricsMemoryAlertPct,
    }),
  };
  const plugins = [
    checkRoutes(checks),
    actionRoutes(actions),
    softwareRoutes(software),
    liveQueryRoutes(liveQueries),
    savedQueryRoutes(savedQueries),
    sessionRoutes,
    setupRoutes,
    userRoutes,
    apiTokenRoutes,
    deviceRoutes,
    deviceControlRoutes(hub),
    deviceActionRoutes(actions),
    groupRoutes,
    enrollmentTokenRoutes,
    auditRoutes,
    healthRoutes(metrics),
    metricsRoutes(hostMetrics.service, hostMetrics.watch),
    eventRoutes(options.events),
  ];
  for (const plugin of plugins) await app.register(plugin, { services });
  await registerAgentChannel(app, hub, services);
  registerSoftwareDownloadRoute(app, software, services);
  const alerting = await installAlerting(app, services, hub);
  const monitoring = await installMonitoring(app, services, hub, actions.catalogue);
  const retention = new RetentionService(
    { store, audit: services.repos.audit, log, metrics },
    { liveDays: config.retentionLiveDays, scheduledDays: config.retentionScheduledDays },
  );
  app.addHook('onReady', async () => hub.start());
  retention.register(hostMetrics.retention);
  retention.register(new AgentClaimsRetention(store, { days: config.ingestClaimDays }));
  app.addHook('preClose', async () => hostMetrics.watch.stop());
  app.addHook('onReady', async () => actions.start());
  app.addHook('onReady', async () => retention.start());
  app.addHook('preClose', async () => {
    // First: a run in progress ends between two batches, before the store can close under it.
    await retention.stop();
    // The rollout engine's steps write to the store: finish them before the hub and store close.
    await actions.stop();
    liveQueries.stop();
    await hub.stop();
  });
  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const webDir = config.webDir ?? fileURLToPath(new URL('../../web/dist/', import.meta.url));
  if (existsSync(webDir)) await serveConsole(app, webDir);

  return {
    app,
    services,
    routes,
    metrics,
    hub,
    liveQueries,
    alerting,
    hostMetrics,
    actions,
    retention,
    monitoring,
    software,
    async close() {
      await app.close();
      if (ownsStore) await store.close();
    },
  };
}
