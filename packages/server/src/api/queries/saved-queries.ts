/** /api/v1/queries: saved queries, their schedules, runs and stored results. */
import { ErrorResponse, Name, Ok, Targets } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { SavedQueryService } from '../../services/saved-query-service.js';
import type { RoutePlugin } from '../types.js';

const Mode = Type.Enum(['snapshot', 'differential'] as const);
const Fields = {
  description: Type.Optional(Type.String({ maxLength: 2048 })),
  sql: Type.String({ minLength: 1, maxLength: 100_000 }),
  targets: Targets,
  interval_s: Type.Optional(Type.Union([Type.Integer({ minimum: 10, maximum: 7 * 86400 }), Type.Null()])),
  cron: Type.Optional(Type.Union([Type.String({ minLength: 9, maxLength: 128 }), Type.Null()])),
  mode: Type.Optional(Mode),
  enabled: Type.Optional(Type.Boolean()),
};
const CreateBody = Type.Object({ name: Name, ...Fields }, { additionalProperties: false });
const UpdateBody = Type.Object(
  { ...Fields, sql: Type.Optional(Fields.sql), targets: Type.Optional(Targets) },
  { additionalProperties: false },
);
const SavedQuery = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  sql: Type.String(),
  targets: Type.Unknown(),
  interval_s: Type.Union([Type.Integer(), Type.Null()]),
  cron: Type.Union([Type.String(), Type.Null()]),
  mode: Mode,
  enabled: Type.Boolean(),
  created_at: Type.String(),
});
const QueryParams = Type.Object({ id: Name }, { additionalProperties: false });
const ResultsQuery = Type.Object(
  {
    device: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    format: Type.Optional(Type.Enum(['json', 'jsonl'] as const)),
  },
  { additionalProperties: false },
);

/** Saved query routes. */
export function savedQueryRoutes(saved: SavedQueryService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/queries',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['queries'],
          summary: 'List saved queries',
          response: { 200: Type.Object({ items: Type.Array(SavedQuery) }) },
        },
      },
      async (request) => ({
        items: await saved.list(authedContext(request).principal),
      }),
    );
    app.post(
      '/api/v1/queries',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['queries'],
          summary: 'Save a query, optionally scheduled',
          body: CreateBody,
          response: { 201: SavedQuery, 400: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await saved.create(authedContext(request), request.body)),
    );
    app.get(
      '/api/v1/queries/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['queries'],
          summary: 'Show a saved query',
          params: QueryParams,
          response: { 200: SavedQuery, 404: ErrorResponse },
        },
      },
      async (request) => saved.get(authedContext(request).principal, request.params.id),
    );
    app.patch(
      '/api/v1/queries/:id',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['queries'],
          summary: 'Change a saved query or its schedule',
          params: QueryParams,
          body: UpdateBody,
          response: { 200: SavedQuery, 404: ErrorResponse },
        },
      },
      async (request) => saved.update(authedContext(request), request.params.id, request.body),
    );
    app.delete(
      '/api/v1/queries/:id',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['queries'],
          summary: 'Delete a saved query and its results',
          params: QueryParams,
          response: { 200: Ok, 404: ErrorResponse },
        },
      },
      async (request) => {
        await saved.delete(authedContext(request), request.params.id);
        return { ok: true as const };
      },
    );
    app.post(
      '/api/v1/queries/:id/run',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['queries'],
          summary: 'Run a saved query now (live)',
          params: QueryParams,
          body: Type.Optional(
            Type.Object(
              { timeout_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })) },
              { additionalProperties: false },
            ),
          ),
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await saved.run(authedContext(request), request.params.id, request.body?.timeout_s)),
    );
    app.get(
      '/api/v1/queries/:id/results',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['queries'],
          summary: 'Scheduled results across devices (JSON, or JSON lines to forward)',
          params: QueryParams,
          querystring: ResultsQuery,
        },
      },
      async (request, reply) => {
        const q = request.query;
        const items = await saved.results(authedContext(request).principal, request.params.id, {
          ...(q.device ? { device: q.device } : {}),
          ...(q.since ? { since: q.since } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        });
        if (q.format === 'jsonl')
          return reply
            .header('content-type', 'application/x-ndjson')
            .send(items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : ''));
        return reply.send({ items });
      },
    );
  };
}
