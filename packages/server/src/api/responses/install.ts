/** Wire threat monitoring into an app: rule sets pushed to agents, alert.event ingest, response rules, watch paths and their routes. */
import type { FastifyInstance } from 'fastify';
import type { AgentHub } from '../../hub/hub.js';
import type { ActionCatalogue } from '../../services/actions/catalogue.js';
import type { Services } from '../../services/index.js';
import { MonitoringPathService } from '../../services/monitoring/monitoring-path-service.js';
import { MonitoringRuleService } from '../../services/monitoring/monitoring-rule-service.js';
import { MonitoringService } from '../../services/monitoring/monitoring-service.js';
import { ResponseService } from '../../services/monitoring/response-service.js';
import { monitoringPathRoutes } from '../monitoring-paths/monitoring-paths.js';
import { monitoringRuleRoutes } from '../monitoring-rules/monitoring-rules.js';
import { responseRoutes } from './responses.js';

/** The monitoring parts the app and tests reach. */
export interface Monitoring {
  service: MonitoringService;
  responses: ResponseService;
  paths: MonitoringPathService;
  rules: MonitoringRuleService;
}

/** Register the monitoring routes and hook the rule-set push and alert ingest into the hub. */
export async function installMonitoring(
  app: FastifyInstance,
  services: Services,
  hub: AgentHub,
  actions: ActionCatalogue,
): Promise<Monitoring> {
  const service = new MonitoringService(services, hub);
  const responses = new ResponseService(services, service, actions);
  const paths = new MonitoringPathService(services, service);
  await app.register(responseRoutes(responses, service), { services });
  await app.register(monitoringPathRoutes(paths), { services });
  const rules = new MonitoringRuleService(services, service);
  await app.register(monitoringRuleRoutes(rules), { services });
  // Parse the rule catalogue once the app is up, not inside the first agent's connect.
  app.addHook('onReady', async () => {
    setImmediate(() => {
      try {
        service.catalogue();
      } catch (error) {
        services.log.error({ err: error }, 'the detection rule catalogue does not load');
      }
    });
  });
  return { service, responses, paths, rules };
}
