/** Wire alerting into an app: its routes, and its background work started and stopped with the app. */
import type { FastifyInstance } from 'fastify';
import type { AgentHub } from '../../hub/hub.js';
import { type Alerting, createAlerting } from '../../services/alerts/alerting.js';
import type { Services } from '../../services/index.js';
import { notificationRoutes } from '../notifications/notifications.js';
import { alertRoutes } from './alerts.js';
import { suppressionRoutes } from './suppressions.js';

/** Register the alert, suppression and notification routes; start the worker and the offline source when ready. */
export async function installAlerting(
  app: FastifyInstance,
  services: Services,
  hub: AgentHub,
): Promise<Alerting> {
  const alerting = createAlerting(services, hub);
  for (const plugin of [alertRoutes, suppressionRoutes(alerting), notificationRoutes(alerting)])
    await app.register(plugin, { services });
  app.addHook('onReady', async () => alerting.start());
  // Stop before the store closes: a pass in progress finishes (or its leases expire) first.
  app.addHook('preClose', async () => alerting.stop());
  return alerting;
}
