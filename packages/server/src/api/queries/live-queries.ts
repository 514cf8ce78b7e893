/** /api/v1/queries/live: run SQL on many devices now; follow results by SSE; export CSV/JSON. */
import { ErrorResponse, IdParams, Targets } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { CampaignEvent, LiveQueryService } from '../../services/live-query-service.js';
import type { RoutePlugin } from '../types.js';

const StartBody = Type.Object(
  {
    sql: Type.String({ minLength: 1, maxLength: 100_000 }),
    targets: Targets,
    timeout_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    max_rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    offline_grace_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  },
  { additionalProperties: false },
);
const Started = Type.Object({
  id: Type.String(),
  targeted: Type.Integer(),
  online: Type.Integer(),
  offline: Type.Integer(),
  deadline_at: Type.String(),
});
const DeviceResult = Type.Object({
  device_id: Type.String(),
  hostname: Type.String(),
  status: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  columns: Type.Array(Type.String()),
  rows: Type.Array(Type.Array(Type.Unknown())),
  warnings: Type.Array(Type.String()),
  truncated: Type.Boolean(),
  latency_ms: Type.Union([Type.Integer(), Type.Null()]),
});
const CampaignView = Type.Object({
  id: Type.String(),
  sql: Type.String(),
  status: Type.String(),
  created_at: Type.String(),
  deadline_at: Type.String(),
  targeted: Type.Integer(),
  summary: Type.Union([Type.Unknown(), Type.Null()]),
  devices: Type.Array(DeviceResult),
});
const ResultsQuery = Type.Object(
  { format: Type.Optional(Type.Enum(['json', 'csv'] as const)) },
  { additionalProperties: false },
);

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Live query routes. */
export function liveQueryRoutes(live: LiveQueryService): RoutePlugin {
  return async (app) => {
    const view = async (id: string) => {
      const rows = await live.deviceRows(id);
      return rows.map((r) => ({
        device_id: r.device_id,
        hostname: r.hostname,
        status: r.status,
        error: r.error,
        columns: r.columns ? (JSON.parse(r.columns) as string[]) : [],
        rows: r.rows ? (JSON.parse(r.rows) as unknown[][]) : [],
        warnings: r.warnings ? (JSON.parse(r.warnings) as string[]) : [],
        truncated: r.truncated === 1,
        latency_ms: r.latency_ms,
      }));
    };

    app.post(
      '/api/v1/queries/live',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['queries'],
          summary: 'Run SQL on the targeted devices now',
          body: StartBody,
          response: { 201: Started, 400: ErrorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await live.start(authedContext(request), request.body)),
    );

    app.get(
      '/api/v1/queries/live/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['queries'],
          summary: 'A live query with per-device status and rows',
          params: IdParams,
          response: { 200: CampaignView, 404: ErrorResponse },
        },
      },
      async (request) => {
        const c = await live.get(authedContext(request).principal, request.params.id);
        return {
          id: c.id,
          sql: c.sql,
          status: c.status,
          created_at: c.created_at,
          deadline_at: c.deadline_at,
          targeted: c.targeted,
          summary: c.summary ? JSON.parse(c.summary) : null,
          devices: await view(c.id),
        };
      },
    );

    app.get(
      '/api/v1/queries/live/:id/results',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['queries'],
          summary: 'Export the rows as JSON or CSV (one row per device row, with device columns first)',
          params: IdParams,
          querystring: ResultsQuery,
        },
      },
      async (request, reply) => {
        const c = await live.get(authedContext(request).principal, request.params.id);
        const devices = await view(c.id);
        const columns = [...new Set(devices.flatMap((d) => d.columns))];
        const flat = devices.flatMap((d) =>
          d.rows.map((row) => ({
            device_id: d.device_id,
            hostname: d.hostname,
            ...Object.fromEntries(d.columns.map((col, i) => [col, row[i] ?? null])),
          })),
        );
        if (request.query.format === 'csv') {
          const header = ['device_id', 'hostname', ...columns];
          const lines = [
            header.map(csvCell).join(','),
            ...flat.map((r) => header.map((h) => csvCell((r as Record<string, unknown>)[h])).join(',')),
          ];
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="query-${c.id}.csv"`)
            .send(`${lines.join('\n')}\n`);
        }
        return reply.send({ id: c.id, columns: ['device_id', 'hostname', ...columns], rows: flat });
      },
    );

    app.get(
      '/api/v1/queries/live/:id/stream',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['queries'],
          summary: 'Server-sent events: rows, per-device status, then the summary',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const c = await live.get(authedContext(request).principal, request.params.id);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        const write = (e: CampaignEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        const seen = new Set<string>();
        const buffered: CampaignEvent[] = [];
        let replaying = true;
        const onEvent = (e: CampaignEvent) => {
          if (replaying) buffered.push(e);
          else deliver(e);
        };
        const deliver = (e: CampaignEvent) => {
          if (e.type !== 'summary') {
            const key = `${e.type}:${e.device_id}`;
            if (seen.has(key)) return;
            seen.add(key);
          }
          write(e);
          if (e.type === 'summary') {
            live.events.off(c.id, onEvent);
            res.end();
          }
        };
        live.events.on(c.id, onEvent);
        request.raw.on('close', () => live.events.off(c.id, onEvent));
        // Replay what is already stored, so a follower that joins late misses nothing.
        for (const d of await view(c.id)) {
          if (d.status === 'done')
            deliver({
              type: 'rows',
              device_id: d.device_id,
              hostname: d.hostname,
              columns: d.columns,
              rows: d.rows,
              warnings: d.warnings,
              truncated: d.truncated,
            });
          if (d.status !== 'pending' && d.status !== 'running')
            deliver({
              type: 'status',
              device_id: d.device_id,
              hostname: d.hostname,
              status: d.status as 'done',
              ...(d.error ? { error: d.error } : {}),
            });
        }
        replaying = false;
        for (const e of buffered) deliver(e);
        const fresh = await live.get(authedContext(request).principal, c.id);
        if (fresh.status === 'done' && !res.writableEnded)
          deliver({ type: 'summary', summary: JSON.parse(fresh.summary ?? '{}') });
      },
    );
  };
}
