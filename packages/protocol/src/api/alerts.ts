/**
 * Alerts (the inbox), suppression rules, notification routes and their deliveries: the shapes
 * the REST API, the CLI and the console share.
 */
import Type, { type Static } from 'typebox';
import { Severity } from '../checks.js';
import { Email, Id, Name, PageQuery, Timestamp } from './common.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved', 'suppressed'] as const;
export const AlertStatus = Type.Enum(ALERT_STATUSES);
export type AlertStatusT = (typeof ALERT_STATUSES)[number];

/** A rule name (`agent.lost`, `check.Linux.Ssh.RootLoginDisabled`) or a pattern with `*` wildcards. */
export const RulePattern = Type.String({
  minLength: 1,
  maxLength: 160,
  pattern: '^[A-Za-z0-9_.:*-]+$',
  description: 'A rule name, or a pattern where * matches any run of characters (e.g. agent.*)',
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const AlertDeviceRef = Type.Object({ id: Id, hostname: Type.String() });

/** An alert as the inbox lists it (the context only comes with one alert). */
export const AlertSummary = Type.Object({
  id: Id,
  rule: Type.String(),
  severity: Severity,
  title: Type.String(),
  status: AlertStatus,
  device: Nullable(AlertDeviceRef),
  first_seen: Timestamp,
  last_seen: Timestamp,
  count: Type.Integer({ description: 'Occurrences coalesced into this alert' }),
  acknowledged_by: Nullable(Type.String()),
  acknowledged_at: Nullable(Timestamp),
  resolved_by: Nullable(Type.String()),
  resolved_at: Nullable(Timestamp),
  note: Nullable(Type.String()),
  suppression_id: Nullable(Id),
});

/** One alert with its full context (process, file, network peer, raw event…). */
export const Alert = Type.Object({
  ...AlertSummary.properties,
  context: Type.Record(Type.String(), Type.Unknown()),
});

export const AlertListQuery = Type.Object(
  {
    ...PageQuery.properties,
    severity: Type.Optional(Severity),
    min_severity: Type.Optional(Severity),
    status: Type.Optional(AlertStatus),
    device: Type.Optional(Id),
    group: Type.Optional(Name),
    rule: Type.Optional(RulePattern),
    since: Type.Optional(Timestamp),
    until: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

/** Acknowledge or resolve, with an optional note. */
export const AlertStatusBody = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
  { additionalProperties: false },
);

export const Suppression = Type.Object({
  id: Id,
  rule: Type.String(),
  device_id: Nullable(Id),
  group: Nullable(Type.Object({ id: Id, name: Type.String() })),
  reason: Type.String(),
  expires_at: Nullable(Timestamp),
  active: Type.Boolean(),
  hits: Type.Integer({ description: 'Alerts raised while this rule muted them' }),
  created_by: Type.String(),
  created_at: Timestamp,
});

/** The longest suppression a duration may ask for (one year). */
export const MAX_SUPPRESSION_S = 366 * 24 * 3600;

export const CreateSuppressionBody = Type.Object(
  {
    rule: RulePattern,
    device: Type.Optional(Id),
    group: Type.Optional(Name),
    reason: Type.String({ minLength: 1, maxLength: 1024 }),
    expires_at: Type.Optional(Timestamp),
    duration_s: Type.Optional(Type.Integer({ minimum: 60, maximum: MAX_SUPPRESSION_S })),
  },
  { additionalProperties: false },
);

export const UpdateSuppressionBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    expires_at: Type.Optional(Nullable(Timestamp)),
  },
  { additionalProperties: false },
);

export const SuppressionListQuery = Type.Object(
  { include_expired: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const NOTIFICATION_CHANNELS = ['webhook', 'slack', 'email', 'syslog'] as const;
export const NotificationChannel = Type.Enum(NOTIFICATION_CHANNELS);
export type NotificationChannelT = (typeof NOTIFICATION_CHANNELS)[number];

export const SYSLOG_FACILITIES = [
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

const HttpUrl = Type.String({
  minLength: 8,
  maxLength: 2048,
  pattern: '^https?://[^\\s]+$',
  description: 'http:// or https:// URL',
});
const Host = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9.:\\[\\]_-]+$',
  description: 'Host name or IP address',
});
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

/** Where a webhook or Slack-compatible route posts. */
export const WebhookTarget = Type.Object({ url: HttpUrl }, { additionalProperties: false });
/** The SMTP server and envelope of an e-mail route. */
export const EmailTarget = Type.Object(
  {
    host: Host,
    port: Port,
    tls: Type.Enum(['none', 'starttls', 'implicit'] as const, {
      description: 'none (plain SMTP; loopback/test only), starttls (required), implicit (SMTPS)',
    }),
    from: Email,
    to: Type.Array(Email, { minItems: 1, maxItems: 50, uniqueItems: true }),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);
/** The collector of a syslog route. */
export const SyslogTarget = Type.Object(
  {
    host: Host,
    port: Port,
    transport: Type.Enum(['udp', 'tcp'] as const),
    facility: Type.Optional(Type.Enum(SYSLOG_FACILITIES)),
    app_name: Type.Optional(Type.String({ minLength: 1, maxLength: 48, pattern: '^[!-~]+$' })),
    framing: Type.Optional(
      Type.Enum(['octet-counting', 'lf'] as const, {
        description: 'TCP only: RFC 6587 octet counting (default) or newline-terminated',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Every target field any channel takes; the server checks the ones the channel needs. */
export const RouteTarget = Type.Object(
  {
    url: Type.Optional(HttpUrl),
    host: Type.Optional(Host),
    port: Type.Optional(Port),
    tls: Type.Optional(EmailTarget.properties.tls),
    from: Type.Optional(Email),
    to: Type.Optional(EmailTarget.properties.to),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    transport: Type.Optional(SyslogTarget.properties.transport),
    facility: SyslogTarget.properties.facility,
    app_name: SyslogTarget.properties.app_name,
    framing: SyslogTarget.properties.framing,
  },
  { additionalProperties: false },
);

export const RateLimit = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 10_000, description: 'messages allowed per window' }),
    window_s: Type.Integer({ minimum: 1, maximum: 86_400 }),
  },
  { additionalProperties: false },
);

const RouteSettings = {
  enabled: Type.Optional(Type.Boolean()),
  min_severity: Type.Optional(Severity),
  rule: Type.Optional(RulePattern),
  group: Type.Optional(Nullable(Name)),
  rate_limit: Type.Optional(Nullable(RateLimit)),
  digest_window_s: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description: 'Digest mode: collect alerts and send one message per window',
      }),
    ),
  ),
  max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
};

export const CreateRouteBody = Type.Object(
  {
    name: Name,
    channel: NotificationChannel,
    target: RouteTarget,
    secret: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        description: 'Webhook signing secret; generated and shown once when omitted',
      }),
    ),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'SMTP password' })),
    ...RouteSettings,
  },
  { additionalProperties: false },
);

export const UpdateRouteBody = Type.Object(
  {
    target: Type.Optional(RouteTarget),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    rotate_secret: Type.Optional(Type.Boolean()),
    ...RouteSettings,
  },
  { additionalProperties: false },
);

export const NotificationRoute = Type.Object({
  id: Id,
  name: Type.String(),
  channel: NotificationChannel,
  enabled: Type.Boolean(),
  min_severity: Severity,
  rule: Type.String(),
  group: Nullable(Type.Object({ id: Id, name: Type.String() })),
  target: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Channel settings; URLs are shown without their path and query',
  }),
  has_secret: Type.Boolean(),
  rate_limit: Nullable(RateLimit),
  digest_window_s: Nullable(Type.Integer()),
  max_attempts: Type.Integer(),
  created_by: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** A created (or secret-rotated) route: the generated signing secret is shown this once. */
export const NotificationRouteWithSecret = Type.Object({
  ...NotificationRoute.properties,
  secret: Type.Optional(Type.String()),
});

export const DELIVERY_STATUSES = [
  'pending',
  'sending',
  'held',
  'digested',
  'sent',
  'dead',
  'cancelled',
] as const;
export const DeliveryStatus = Type.Enum(DELIVERY_STATUSES);
export type DeliveryStatusT = (typeof DELIVERY_STATUSES)[number];

export const NotificationDelivery = Type.Object({
  id: Id,
  route_id: Id,
  route_name: Type.String(),
  kind: Type.Enum(['alert', 'digest', 'test'] as const),
  alert_ids: Type.Array(Id),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Timestamp),
  last_error: Nullable(Type.String()),
  digest_id: Nullable(Id),
  created_at: Timestamp,
  sent_at: Nullable(Timestamp),
});

export const DeliveryListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(DeliveryStatus),
    route: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const RouteTestResult = Type.Object({
  ok: Type.Literal(true),
  delivery_id: Id,
  duration_ms: Type.Integer(),
});

export type AlertT = Static<typeof Alert>;
export type AlertSummaryT = Static<typeof AlertSummary>;
export type AlertListQueryT = Static<typeof AlertListQuery>;
export type SuppressionT = Static<typeof Suppression>;
export type CreateSuppressionBodyT = Static<typeof CreateSuppressionBody>;
export type UpdateSuppressionBodyT = Static<typeof UpdateSuppressionBody>;
export type RouteTargetT = Static<typeof RouteTarget>;
export type WebhookTargetT = Static<typeof WebhookTarget>;
export type EmailTargetT = Static<typeof EmailTarget>;
export type SyslogTargetT = Static<typeof SyslogTarget>;
export type CreateRouteBodyT = Static<typeof CreateRouteBody>;
export type UpdateRouteBodyT = Static<typeof UpdateRouteBody>;
export type NotificationRouteT = Static<typeof NotificationRoute>;
export type NotificationRouteWithSecretT = Static<typeof NotificationRouteWithSecret>;
export type NotificationDeliveryT = Static<typeof NotificationDelivery>;
export type DeliveryListQueryT = Static<typeof DeliveryListQuery>;
