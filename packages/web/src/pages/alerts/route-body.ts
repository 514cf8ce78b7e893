/**
 * The notification route form as typed, and the API bodies it becomes. Secrets (the webhook
 * signing secret, the SMTP password) only ever travel from the form to the API: a route read back
 * has neither, so editing leaves them empty and an empty field means "keep the current one". The
 * console asks for the webhook secret instead of letting the server generate one, because a
 * generated secret would have to be displayed.
 */
import type {
  CreateRouteBodyT,
  NotificationChannelT,
  NotificationRouteT,
  RouteTargetT,
  SeverityT,
  UpdateRouteBodyT,
} from '@vigil/protocol';

/**
 * The syslog facilities a route may name: the protocol's SYSLOG_FACILITIES, copied because the
 * console imports only types from the protocol package (no schema code in the bundle); a test
 * keeps the two equal.
 */
export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** How a route sends: each alert at once, at most N per window (then a digest), or one digest per window. */
export type DeliveryMode = 'immediate' | 'rate' | 'digest';

/** Every field of the form, as text. */
export interface RouteDraft {
  name: string;
  channel: NotificationChannelT;
  enabled: boolean;
  url: string;
  secret: string;
  host: string;
  port: string;
  tls: 'none' | 'starttls' | 'implicit';
  from: string;
  to: string;
  username: string;
  password: string;
  transport: 'udp' | 'tcp';
  facility: string;
  appName: string;
  framing: '' | 'octet-counting' | 'lf';
  minSeverity: SeverityT;
  rule: string;
  group: string;
  delivery: DeliveryMode;
  rateCount: string;
  rateWindow: string;
  digestWindow: string;
  maxAttempts: string;
}

/** A blank form (the server's defaults: medium and worse, every rule, 5 attempts). */
export function emptyRouteDraft(): RouteDraft {
  return {
    name: '',
    channel: 'webhook',
    enabled: true,
    url: '',
    secret: '',
    host: '',
    port: '',
    tls: 'starttls',
    from: '',
    to: '',
    username: '',
    password: '',
    transport: 'udp',
    facility: '',
    appName: '',
    framing: '',
    minSeverity: 'medium',
    rule: '*',
    group: '',
    delivery: 'immediate',
    rateCount: '5',
    rateWindow: '60',
    digestWindow: '300',
    maxAttempts: '5',
  };
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The form for editing a route. The URL is shown redacted by the API, so it starts empty (kept unless retyped). */
export function draftFromRoute(r: NotificationRouteT): RouteDraft {
  const t = r.target;
  return {
    ...emptyRouteDraft(),
    name: r.name,
    channel: r.channel,
    enabled: r.enabled,
    host: text(t.host),
    port: text(t.port),
    tls: (t.tls as RouteDraft['tls'] | undefined) ?? 'starttls',
    from: text(t.from),
    to: Array.isArray(t.to) ? t.to.join(', ') : '',
    username: text(t.username),
    transport: (t.transport as RouteDraft['transport'] | undefined) ?? 'udp',
    facility: text(t.facility),
    appName: text(t.app_name),
    framing: (t.framing as RouteDraft['framing'] | undefined) ?? '',
    minSeverity: r.min_severity,
    rule: r.rule,
    group: r.group?.name ?? '',
    delivery: r.digest_window_s ? 'digest' : r.rate_limit ? 'rate' : 'immediate',
    rateCount: text(r.rate_limit?.count ?? 5),
    rateWindow: text(r.rate_limit?.window_s ?? 60),
    digestWindow: text(r.digest_window_s ?? 300),
    maxAttempts: text(r.max_attempts),
  };
}

/** The channel's target from the form; undefined for a webhook or Slack route whose URL was left empty. */
export function routeTarget(d: RouteDraft): RouteTargetT | undefined {
  switch (d.channel) {
    case 'webhook':
    case 'slack':
      return d.url.trim() ? { url: d.url.trim() } : undefined;
    case 'email':
      return {
        host: d.host.trim(),
        port: Number(d.port),
        tls: d.tls,
        from: d.from.trim(),
        to: d.to
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
        ...(d.username.trim() ? { username: d.username.trim() } : {}),
      };
    case 'syslog':
      return {
        host: d.host.trim(),
        port: Number(d.port),
        transport: d.transport,
        ...(d.facility ? { facility: d.facility as RouteTargetT['facility'] } : {}),
        ...(d.appName.trim() ? { app_name: d.appName.trim() } : {}),
        ...(d.transport === 'tcp' && d.framing ? { framing: d.framing } : {}),
      };
  }
}

/** Match and delivery settings, shared by create and update. */
function settings(d: RouteDraft) {
  return {
    enabled: d.enabled,
    min_severity: d.minSeverity,
    rule: d.rule.trim() || '*',
    rate_limit: d.delivery === 'rate' ? { count: Number(d.rateCount), window_s: Number(d.rateWindow) } : null,
    digest_window_s: d.delivery === 'digest' ? Number(d.digestWindow) : null,
    max_attempts: Number(d.maxAttempts),
  };
}

/** POST /api/v1/notifications/routes. */
export function createRouteBody(d: RouteDraft): CreateRouteBodyT {
  const target = routeTarget(d);
  if (!target) throw new Error('the URL is required');
  if (d.channel === 'webhook' && d.secret.length < 16)
    throw new Error(
      'the signing secret needs 16 characters or more: the receiver checks each signature with it',
    );
  const { rate_limit, digest_window_s, ...rest } = settings(d);
  return {
    name: d.name.trim(),
    channel: d.channel,
    target,
    ...rest,
    ...(rate_limit ? { rate_limit } : {}),
    ...(digest_window_s ? { digest_window_s } : {}),
    ...(d.group ? { group: d.group } : {}),
    ...(d.channel === 'webhook' && d.secret ? { secret: d.secret } : {}),
    ...(d.channel === 'email' && d.password ? { password: d.password } : {}),
  };
}

/** PATCH /api/v1/notifications/routes/:id. Empty URL and password fields keep what the route has; the signing secret is not changed here. */
export function updateRouteBody(d: RouteDraft): UpdateRouteBodyT {
  const target = routeTarget(d);
  return {
    ...settings(d),
    group: d.group || null,
    ...(target ? { target } : {}),
    ...(d.channel === 'email' && d.password ? { password: d.password } : {}),
  };
}
