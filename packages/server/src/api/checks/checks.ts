/** /api/v1/checks: the catalogue, results, compliance, instant scans and parameter overrides. */
import { Name, Targets } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { CheckService } from '../../services/check-service.js';
import type { RoutePlugin } from '../types.js';

const CheckName = Type.String({
  pattern: '^(Linux|MacOS|Windows)\\.[A-Za-z0-9]+\\.[A-Za-z0-9]+$',
  maxLength: 128,
});
const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 64 })),
    category: Type.Optional(Type.String({ maxLength: 64 })),
    severity: Type.Optional(Type.String({ maxLength: 16 })),
    platform: Type.Optional(Type.Enum(['linux', 'macos', 'windows'] as const)),
  },
  { additionalProperties: false },
);
const ResultsQuery = Type.Object(
  {
    device: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    check: Type.Optional(CheckName),
    failing: Type.Optional(Type.Boolean()),
    group: Type.Optional(Name),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false },
);
const OverrideBody = Type.Object(
  {
    check: CheckName,
    group: Type.Optional(Name),
    enabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    params: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 32 })),
  },
  { additionalProperties: false },
);

/** Check routes. */
export function checkRoutes(checks: CheckService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/checks',
      {
        config: { access: 'viewer' },
        schema: { tags: ['checks'], summary: 'The check catalogue, searchable', querystring: ListQuery },
      },
      async (request) => {
        const { q, category, severity, platform } = request.query;
        const needle = q?.toLowerCase();
        const items = checks
          .catalogue()
          .filter(
            (c) =>
              (!needle || c.name.toLowerCase().includes(needle) || c.title.toLowerCase().includes(needle)) &&
              (!category || c.category === category) &&
              (!severity || c.severity === severity) &&
              (!platform || c.platforms.includes(platform)),
          );
        return {
          items: items.map((c) => ({
            name: c.name,
            title: c.title,
            severity: c.severity,
            category: c.category,
            platforms: c.platforms,
            verified: c.verified !== false,
            parameters: c.parameters ?? [],
          })),
        };
      },
    );
    app.get(
      '/api/v1/checks/results',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['checks'],
          summary: 'Current results per device and check',
          querystring: ResultsQuery,
        },
      },
      async (request) => ({
        items: await checks.results(authedContext(request).principal, request.query),
      }),
    );
    app.get(
      '/api/v1/checks/compliance',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['checks'],
          summary: 'Compliance score (severity-weighted) now and over time',
          querystring: Type.Object({ group: Type.Optional(Name) }, { additionalProperties: false }),
        },
      },
      async (request) => checks.compliance(authedContext(request).principal, request.query.group),
    );
    app.post(
      '/api/v1/checks/scan',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['checks'],
          summary: 'Run the full rule set now on the targeted online devices',
          body: Type.Object({ targets: Targets }, { additionalProperties: false }),
          response: {
            202: Type.Object({ scan_id: Type.String(), targeted: Type.Integer(), online: Type.Integer() }),
          },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await checks.scan(authedContext(request), request.body.targets)),
    );
    app.get(
      '/api/v1/checks/overrides',
      { config: { access: 'viewer' }, schema: { tags: ['checks'], summary: 'Account and group overrides' } },
      async (request) => ({ items: await checks.overrides(authedContext(request).principal) }),
    );
    app.put(
      '/api/v1/checks/overrides',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['checks'],
          summary: 'Enable/disable a check or override its parameters for the account or a group',
          body: OverrideBody,
        },
      },
      async (request) => checks.setOverride(authedContext(request), request.body),
    );
    app.get(
      '/api/v1/checks/:name',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['checks'],
          summary: 'One check with its query and remediation',
          params: Type.Object({ name: CheckName }, { additionalProperties: false }),
        },
      },
      async (request) => checks.check(request.params.name),
    );
    app.get(
      '/api/v1/devices/:id/rule-set',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['checks'],
          summary: 'The rule set a device runs (rendered)',
          params: Type.Object(
            { id: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const p = authedContext(request).principal;
        const d = await checks.services.devices.getRow(p, request.params.id);
        return checks.ruleSetFor(p.accountId, d.id);
      },
    );
  };
}
