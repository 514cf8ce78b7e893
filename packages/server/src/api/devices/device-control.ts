/** Device control: revoke, switch live/poll mode, and diagnostic commands (agent.ping, agent.sleep) with their results. */
import { Device, ErrorResponse, IdParams, ModeSetBody, VigilError } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { AgentHub } from '../../hub/hub.js';
import type { RoutePlugin } from '../types.js';

const DIAGNOSTIC_KINDS = ['agent.ping', 'agent.sleep'] as const;
const CommandBody = Type.Object(
  {
    kind: Type.Enum(DIAGNOSTIC_KINDS),
    body: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 8 })),
    ttl_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  },
  { additionalProperties: false },
);
const CommandStatus = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  delivered: Type.Boolean(),
  completed: Type.Boolean(),
  ok: Type.Union([Type.Boolean(), Type.Null()]),
  result: Type.Unknown(),
});

/** Device control routes (need the hub). */
export function deviceControlRoutes(hub: AgentHub): RoutePlugin {
  return async (app, { services }) => {
    app.post(
      '/api/v1/devices/:id/revoke',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['devices'],
          summary: 'Revoke a device: disconnect it now; its key can never connect again',
          params: IdParams,
          response: { 200: Device, 404: ErrorResponse },
        },
      },
      async (request) => {
        const ctx = authedContext(request);
        const device = await services.devices.getRow(ctx.principal, request.params.id);
        await hub.revoke(ctx.principal.accountId, device.id);
        await services.audit.record(ctx, 'device.revoke', `device:${device.id}`, 'success', {
          hostname: device.hostname,
        });
        return services.devices.get(ctx.principal, device.id);
      },
    );
    app.post(
      '/api/v1/devices/:id/mode',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['devices'],
          summary: 'Switch an agent between live and poll mode (signed mode.set)',
          params: IdParams,
          body: ModeSetBody,
          response: { 202: Type.Object({ command_id: Type.String(), delivered: Type.Boolean() }) },
        },
      },
      async (request, reply) => {
        const ctx = authedContext(request);
        const device = await services.devices.getRow(ctx.principal, request.params.id);
        if (device.status === 'revoked') throw new VigilError('E_CONFLICT', 'this device was revoked');
        const d = await hub.sendToDevice(ctx.principal.accountId, device.id, 'mode.set', request.body);
        await services.audit.record(ctx, 'device.mode_set', `device:${device.id}`, 'success', {
          ...request.body,
          command_id: d.commandId,
        });
        return reply.code(202).send({ command_id: d.commandId, delivered: d.live.length === 1 });
      },
    );
    app.post(
      '/api/v1/devices/:id/commands',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['devices'],
          summary: 'Send a diagnostic command (agent.ping, agent.sleep)',
          params: IdParams,
          body: CommandBody,
          response: { 202: Type.Object({ command_id: Type.String(), delivered: Type.Boolean() }) },
        },
      },
      async (request, reply) => {
        const ctx = authedContext(request);
        const device = await services.devices.getRow(ctx.principal, request.params.id);
        const ttl = request.body.ttl_s ? request.body.ttl_s * 1000 : undefined;
        const d = await hub.sendToDevice(
          ctx.principal.accountId,
          device.id,
          request.body.kind,
          request.body.body ?? {},
          ttl,
        );
        await services.audit.record(ctx, 'device.command', `device:${device.id}`, 'success', {
          kind: request.body.kind,
          command_id: d.commandId,
        });
        return reply.code(202).send({ command_id: d.commandId, delivered: d.live.length === 1 });
      },
    );
    app.get(
      '/api/v1/devices/:id/commands/:command',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['devices'],
          summary: 'Status and result of a command',
          params: Type.Object(
            { id: IdParams.properties.id, command: IdParams.properties.id },
            { additionalProperties: false },
          ),
          response: { 200: CommandStatus, 404: ErrorResponse },
        },
      },
      async (request) => {
        const ctx = authedContext(request);
        const device = await services.devices.getRow(ctx.principal, request.params.id);
        const row = await services.repos.agentCommands.get(device.id, request.params.command);
        if (!row) throw new VigilError('E_NOT_FOUND', `no command ${request.params.command} for this device`);
        return {
          id: row.id,
          kind: row.kind,
          delivered: row.delivered_at !== null,
          completed: row.completed_at !== null,
          ok: row.ok === null ? null : row.ok === 1,
          result: row.result ? JSON.parse(row.result) : null,
        };
      },
    );
  };
}
