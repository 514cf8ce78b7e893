/** /api/v1/groups: static and dynamic device groups. */
import {
  CreateGroupBody,
  Device,
  ErrorResponse,
  FilterPreviewBody,
  Group,
  GroupListQuery,
  GroupMembersBody,
  Ok,
  Page,
  UpdateGroupBody,
} from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

const GroupParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._:-]*$' }) },
  { additionalProperties: false },
);
const Devices = Type.Object({ items: Type.Array(Device) });

/** Group routes. `:id` accepts the group's id or its name. */
export const groupRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/groups',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['groups'],
        summary: 'List groups',
        querystring: GroupListQuery,
        response: { 200: Page(Group) },
      },
    },
    async (request) => services.groups.list(authedContext(request).principal, request.query),
  );
  app.post(
    '/api/v1/groups',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['groups'],
        summary: 'Create a static or dynamic group',
        body: CreateGroupBody,
        response: { 201: Group, 400: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await services.groups.create(authedContext(request), request.body)),
  );
  app.post(
    '/api/v1/groups/preview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['groups'],
        summary: 'Devices a dynamic rule matches now',
        body: FilterPreviewBody,
        response: { 200: Devices, 400: ErrorResponse },
      },
    },
    async (request) => ({
      items: await services.groups.preview(authedContext(request).principal, request.body.rule),
    }),
  );
  app.get(
    '/api/v1/groups/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['groups'],
        summary: 'Show a group',
        params: GroupParams,
        response: { 200: Group, 404: ErrorResponse },
      },
    },
    async (request) => services.groups.get(authedContext(request).principal, request.params.id),
  );
  app.patch(
    '/api/v1/groups/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['groups'],
        summary: 'Change description or rule',
        params: GroupParams,
        body: UpdateGroupBody,
        response: { 200: Group, 404: ErrorResponse },
      },
    },
    async (request) => services.groups.update(authedContext(request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/groups/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['groups'],
        summary: 'Delete a group',
        params: GroupParams,
        response: { 200: Ok, 404: ErrorResponse },
      },
    },
    async (request) => {
      await services.groups.delete(authedContext(request), request.params.id);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/groups/:id/members',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['groups'],
        summary: 'Devices in a group',
        params: GroupParams,
        response: { 200: Devices, 404: ErrorResponse },
      },
    },
    async (request) => ({
      items: await services.groups.members(authedContext(request).principal, request.params.id),
    }),
  );
  app.post(
    '/api/v1/groups/:id/members',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['groups'],
        summary: 'Add devices to a static group',
        params: GroupParams,
        body: GroupMembersBody,
        response: { 200: Group, 404: ErrorResponse },
      },
    },
    async (request) =>
      services.groups.addMembers(authedContext(request), request.params.id, request.body.devices),
  );
  app.delete(
    '/api/v1/groups/:id/members',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['groups'],
        summary: 'Remove devices from a static group',
        params: GroupParams,
        body: GroupMembersBody,
        response: { 200: Group, 404: ErrorResponse },
      },
    },
    async (request) =>
      services.groups.removeMembers(authedContext(request), request.params.id, request.body.devices),
  );
};
