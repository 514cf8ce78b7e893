/**
 * Alerting as a whole: the inbox (AlertService, shared by every source), suppressions, the
 * offline-too-long source, notification routes and the delivery worker, started and stopped
 * with the app.
 */
import type { AgentHub } from '../../hub/hub.js';
import type { Services } from '../index.js';
import { RouteService } from '../notifications/route-service.js';
import { SecretBox } from '../notifications/secret-box.js';
import { NotificationWorker, type WorkerOptions } from '../notifications/worker.js';
import { OfflineWatch } from './offline-watch.js';
import { SuppressionService } from './suppression-service.js';

/** The alerting parts the API and tests reach. */
export interface Alerting {
  services: Services;
  suppressions: SuppressionService;
  routes: RouteService;
  worker: NotificationWorker;
  offline: OfflineWatch;
  start(): void;
  stop(): Promise<void>;
}

/** Build alerting over the services; hook the offline source to agents coming back. */
export function createAlerting(
  services: Services,
  hub: AgentHub,
  workerOptions: WorkerOptions = {},
): Alerting {
  const box = new SecretBox(services.keys.signingKey);
  const db = services.store.db;
  const worker = new NotificationWorker(db, box, services.log, workerOptions);
  const offline = new OfflineWatch(
    db,
    services.alerts,
    services.log,
    services.config.offlineAlertAfterSeconds,
  );
  const onQueued = () => worker.nudge();
  hub.onAttach((deviceId, accountId) => offline.deviceReturned(accountId, deviceId));
  return {
    services,
    suppressions: new SuppressionService(db, services.audit, services.devices, services.groups),
    routes: new RouteService(db, services.audit, services.groups, box),
    worker,
    offline,
    start() {
      services.alerts.on('queued', onQueued);
      worker.start();
      offline.start();
    },
    async stop() {
      services.alerts.off('queued', onQueued);
      await offline.stop();
      await worker.stop();
    },
  };
}
