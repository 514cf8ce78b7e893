/** `vigil notifications routes list|add|remove|test` and `vigil notifications deliveries`. */

import {
  CreateRouteBody,
  DeliveryListQuery,
  Name,
  type NotificationDeliveryT,
  type NotificationRouteT,
  type NotificationRouteWithSecretT,
  VigilError,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable, shortTime } from '../output.js';
import { readStdin } from '../prompt.js';
import { checkArg, checkBody, NAME_HINT, parseIntArg } from '../validate-args.js';
import { parseDuration } from './alerts.js';
import { emit, withJson } from './common.js';

interface AddFlags {
  channel: string;
  url?: string;
  secretStdin?: boolean;
  host?: string;
  port?: string;
  tls?: string;
  from?: string;
  to?: string;
  username?: string;
  passwordStdin?: boolean;
  transport?: string;
  facility?: string;
  appName?: string;
  framing?: string;
  minSeverity?: string;
  rule?: string;
  group?: string;
  rateLimit?: string;
  digest?: string;
  maxAttempts?: string;
  disabled?: boolean;
  json?: boolean;
}

function routePath(name: string, suffix = ''): string {
  return `/api/v1/notifications/routes/${encodeURIComponent(checkArg(Name, name, 'route name', NAME_HINT))}${suffix}`;
}

function routeTarget(r: NotificationRouteT): string {
  const t = r.target as Record<string, unknown>;
  if (r.channel === 'email') return `${String(t.host)}:${String(t.port)} → ${(t.to as string[]).join(', ')}`;
  if (r.channel === 'syslog') return `${String(t.transport)}://${String(t.host)}:${String(t.port)}`;
  return String(t.url);
}

function routeTable(routes: NotificationRouteT[]): string {
  if (routes.length === 0) return 'No notification routes.\n';
  return formatTable(
    ['name', 'channel', 'enabled', 'min severity', 'rule', 'group', 'limit', 'target', 'id'],
    routes.map((r) => [
      r.name,
      r.channel,
      r.enabled ? 'yes' : 'no',
      r.min_severity,
      r.rule,
      r.group?.name ?? '-',
      r.digest_window_s
        ? `digest ${r.digest_window_s}s`
        : r.rate_limit
          ? `${r.rate_limit.count}/${r.rate_limit.window_s}s`
          : '-',
      routeTarget(r),
      r.id,
    ]),
  );
}

function deliveryTable(items: NotificationDeliveryT[]): string {
  if (items.length === 0) return 'No deliveries.\n';
  return formatTable(
    ['created', 'route', 'kind', 'status', 'attempts', 'alerts', 'next attempt', 'last error', 'id'],
    items.map((d) => [
      shortTime(d.created_at),
      d.route_name,
      d.kind,
      d.status,
      d.attempts,
      d.alert_ids.length,
      shortTime(d.next_attempt_at),
      d.last_error,
      d.id,
    ]),
  );
}

/** `N/DURATION`, e.g. 10/1m → { count: 10, window_s: 60 }. */
function parseRateLimit(value: string): { count: number; window_s: number } {
  const [count, window] = value.split('/');
  if (!count || !window)
    throw new VigilError(
      'E_VALIDATION',
      `--rate-limit must look like 10/1m (messages per window), got '${value}'`,
    );
  return {
    count: parseIntArg(count, '--rate-limit count', 1, 10_000),
    window_s: parseDuration(window, '--rate-limit window'),
  };
}

async function buildBody(ctx: CliContext, name: string, f: AddFlags): Promise<Record<string, unknown>> {
  if (f.secretStdin && f.passwordStdin)
    throw new VigilError('E_USAGE', 'only one of --secret-stdin and --password-stdin can read stdin');
  const target: Record<string, unknown> = {};
  if (f.url !== undefined) target.url = f.url;
  if (f.host !== undefined) target.host = f.host;
  if (f.port !== undefined) target.port = parseIntArg(f.port, '--port', 1, 65_535);
  if (f.tls !== undefined) target.tls = f.tls;
  if (f.from !== undefined) target.from = f.from;
  if (f.to !== undefined)
    target.to = f.to
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  if (f.username !== undefined) target.username = f.username;
  if (f.transport !== undefined) target.transport = f.transport;
  if (f.facility !== undefined) target.facility = f.facility;
  if (f.appName !== undefined) target.app_name = f.appName;
  if (f.framing !== undefined) target.framing = f.framing;
  const body: Record<string, unknown> = { name, channel: f.channel, target };
  if (f.secretStdin) body.secret = await readStdin(ctx.stdin);
  if (f.passwordStdin) body.password = await readStdin(ctx.stdin);
  if (f.minSeverity) body.min_severity = f.minSeverity;
  if (f.rule) body.rule = f.rule;
  if (f.group) body.group = f.group;
  if (f.rateLimit) body.rate_limit = parseRateLimit(f.rateLimit);
  if (f.digest) body.digest_window_s = parseDuration(f.digest, '--digest');
  if (f.maxAttempts) body.max_attempts = parseIntArg(f.maxAttempts, '--max-attempts', 1, 20);
  if (f.disabled) body.enabled = false;
  return checkBody(CreateRouteBody, body) as Record<string, unknown>;
}

/** Register the notifications commands. */
export function registerNotificationCommands(program: Command, ctx: CliContext): void {
  const notifications = program
    .command('notifications')
    .summary('where alerts are sent: routes and deliveries');
  const routes = notifications
    .command('routes')
    .summary('notification routes (webhook, slack, email, syslog)');

  withJson(routes.command('list').description('List notification routes (secrets are never shown).')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const answer = await client.get<{ items: NotificationRouteT[] }>('/api/v1/notifications/routes');
      emit(ctx, flags.json, answer, () => routeTable(answer.items));
    },
  );

  withJson(
    routes
      .command('add')
      .description(
        'Add a route. webhook: --url (a signing secret is generated and printed once, or give yours with --secret-stdin); slack: --url; email: --host --port --tls --from --to [--username --password-stdin]; syslog: --host --port --transport.',
      )
      .argument('<NAME>', 'route name')
      .requiredOption('--channel <CHANNEL>', 'webhook, slack, email or syslog')
      .option('--url <URL>', 'webhook or Slack incoming-webhook URL')
      .option('--secret-stdin', 'read the webhook signing secret from stdin')
      .option('--host <HOST>', 'SMTP server or syslog collector')
      .option('--port <PORT>', 'its port')
      .option('--tls <MODE>', 'SMTP: starttls (required), implicit, or none (loopback relays only)')
      .option('--from <ADDRESS>', 'SMTP sender')
      .option('--to <ADDRESSES>', 'SMTP recipients, comma-separated')
      .option('--username <USER>', 'SMTP login')
      .option('--password-stdin', 'read the SMTP password from stdin')
      .option('--transport <T>', 'syslog: udp or tcp')
      .option('--facility <F>', 'syslog facility (default local0)')
      .option('--app-name <NAME>', 'syslog APP-NAME (default vigil)')
      .option('--framing <F>', 'syslog over tcp: octet-counting (default) or lf')
      .option('--min-severity <SEVERITY>', 'send alerts of this severity or worse (default medium)')
      .option('--rule <PATTERN>', 'only alerts whose rule matches, e.g. agent.* (default *)')
      .option('--group <NAME>', 'only alerts of devices in this group')
      .option(
        '--rate-limit <N/DURATION>',
        'at most N messages per window, the rest in one digest, e.g. 10/1m',
      )
      .option('--digest <DURATION>', 'digest mode: one message per window, e.g. 15m')
      .option('--max-attempts <N>', 'tries before a delivery becomes a dead letter (default 5)')
      .option('--disabled', 'create it switched off'),
  ).action(async (name: string, flags: AddFlags) => {
    const body = await buildBody(ctx, name, flags);
    const client = await ctx.connect();
    const route = await client.post<NotificationRouteWithSecretT>('/api/v1/notifications/routes', body);
    emit(ctx, flags.json, route, () => {
      const lines = [`Added ${route.channel} route ${route.name} (${route.id}).`];
      if (route.secret)
        lines.push(`Signing secret (shown once; verify X-Vigil-Signature-256 with it): ${route.secret}`);
      return `${lines.join('\n')}\n`;
    });
  });

  withJson(
    routes
      .command('remove')
      .description('Remove a route (its unsent deliveries are cancelled).')
      .argument('<NAME>', 'route name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const path = routePath(name);
    const client = await ctx.connect();
    const answer = await client.delete<{ ok: true }>(path);
    emit(ctx, flags.json, answer, () => `Removed route ${name}.\n`);
  });

  withJson(
    routes
      .command('test')
      .description('Send a test message through a route now.')
      .argument('<NAME>', 'route name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const path = routePath(name, '/test');
    const client = await ctx.connect();
    const answer = await client.post<{ ok: true; delivery_id: string; duration_ms: number }>(path, {});
    emit(
      ctx,
      flags.json,
      answer,
      () => `Delivered a test message through ${name} in ${answer.duration_ms} ms.\n`,
    );
  });

  withJson(
    notifications
      .command('deliveries')
      .description('List deliveries, newest first; --status dead lists the dead letters.')
      .option('--status <STATUS>', 'pending, sending, held, digested, sent, dead or cancelled')
      .option('--route <ID>', 'deliveries of one route (its id)')
      .option('--limit <N>', 'deliveries per page (1-500)'),
  ).action(async (flags: { status?: string; route?: string; limit?: string; json?: boolean }) => {
    const query = checkBody(DeliveryListQuery, {
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.route ? { route: flags.route } : {}),
      ...(flags.limit ? { limit: parseIntArg(flags.limit, '--limit', 1, 500) } : {}),
    }) as Record<string, string | number>;
    const client = await ctx.connect();
    const page = await client.get<{ items: NotificationDeliveryT[]; next_cursor: string | null }>(
      '/api/v1/notifications/deliveries',
      query,
    );
    emit(ctx, flags.json, page, () => deliveryTable(page.items));
  });
}
