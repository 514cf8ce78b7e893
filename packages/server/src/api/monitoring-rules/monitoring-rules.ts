/**
 * /api/v1/monitoring/rules: the detection rules with their parameters and the account's values,
 * and setting those values (a block list, known-bad hashes, a threshold) for the account.
 */
import { ErrorResponse, MonitoringRuleDto, MonitoringRuleParams, SetRuleParamsBody } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { MonitoringRuleService } from '../../services/monitoring/monitoring-rule-service.js';
import type { RoutePlugin } from '../types.js';

/** Detection rule parameter routes. */
export function monitoringRuleRoutes(rules: MonitoringRuleService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/monitoring/rules',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['monitoring'],
          summary: "Detection rules with their parameters and the account's values",
          response: { 200: Type.Object({ items: Type.Array(MonitoringRuleDto) }) },
        },
      },
      async (request) => ({ items: await rules.list(authedContext(request).principal) }),
    );
    app.put(
      '/api/v1/monitoring/rules/:name/params',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['monitoring'],
          summary: "Set a detection rule's parameters for the account ({} restores the defaults)",
          params: MonitoringRuleParams,
          body: SetRuleParamsBody,
          response: { 200: MonitoringRuleDto, 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => rules.set(authedContext(request), request.params.name, request.body.params),
    );
  };
}
