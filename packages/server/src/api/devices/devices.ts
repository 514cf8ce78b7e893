/** /api/v1/devices: list, count, show, tag and untag devices. */
import {
  Device,
  DeviceCount,
  DeviceListQuery,
  DeviceMatchQuery,
  ErrorResponse,
  IdParams,
  Page,
  TagsBody,
} from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

/** Device routes. */
export const deviceRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/devices',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: 'List devices (cursor pagination, sorting, filters)',
        querystring: DeviceListQuery,
        response: { 200: Page(Device), 400: ErrorResponse },
      },
    },
    async (request) => services.devices.list(authedContext(request).principal, request.query),
  );
  app.get(
    '/api/v1/devices/count',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: 'How many devices match the same filters as the list (one count query, no pages)',
        querystring: DeviceMatchQuery,
        response: { 200: DeviceCount, 400: ErrorResponse },
      },
    },
    async (request) => services.devices.count(authedContext(request).principal, request.query),
  );
  app.get(
    '/api/v1/devices/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['devices'],
        summary: 'Show a device',
        params: IdParams,
        response: { 200: Device, 404: ErrorResponse },
      },
    },
    async (request) => services.devices.get(authedContext(request).principal, request.params.id),
  );
  app.post(
    '/api/v1/devices/:id/tags',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['devices'],
        summary: 'Add tags',
        params: IdParams,
        body: TagsBody,
        response: { 200: Device, 404: ErrorResponse },
      },
    },
    async (request) => services.devices.tag(authedContext(request), request.params.id, request.body.tags),
  );
  app.delete(
    '/api/v1/devices/:id/tags',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['devices'],
        summary: 'Remove tags',
        params: IdParams,
        body: TagsBody,
        response: { 200: Device, 404: ErrorResponse },
      },
    },
    async (request) => services.devices.untag(authedContext(request), request.params.id, request.body.tags),
  );
};
