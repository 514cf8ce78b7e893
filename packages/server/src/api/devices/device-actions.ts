/** GET /api/v1/devices/:id/actions: the device's action history (needs the action service). */
import { DeviceActionRun, ErrorResponse, IdParams, Page, PageQuery } from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import type { ActionService } from '../../services/action-service.js';
import type { RoutePlugin } from '../types.js';

/** The device's action history route. */
export function deviceActionRoutes(actions: ActionService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/devices/:id/actions',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['devices'],
          summary: "Action runs that included the device, newest first, with this device's outcome",
          params: IdParams,
          querystring: PageQuery,
          response: { 200: Page(DeviceActionRun), 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) =>
        actions.forDevice(authedContext(request).principal, request.params.id, request.query),
    );
  };
}
