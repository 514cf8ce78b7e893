/**
 * Server configuration from flags, `VIGIL_*` environment variables and a config file (JSON or
 * YAML), in that order of precedence, over built-in defaults. One table describes every option
 * so `vigil server --help` and the resolution can never disagree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VigilError } from '@vigil/protocol';
import YAML from 'yaml';

/** The resolved configuration of one server node. */
export interface ServerConfig {
  dataDir: string;
  host: string;
  port: number;
  db: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminEmail?: string;
  publicUrl: string;
  bus: string;
  heartbeatSeconds: number;
  pollSeconds: number;
  webDir?: string;
  /** Seconds a device may stay offline before it raises an alert; 0 turns that alert off. */
  offlineAlertAfterSeconds: number;
  /** Days live-query campaigns and their results are kept; 0 keeps them forever. */
  retentionLiveDays: number;
  /** Days scheduled-query results are kept; 0 keeps them forever. */
  retentionScheduledDays: number;
  /** Minutes raw metrics samples are kept. */
  metricsRawMinutes: number;
  /** Days 1-minute metrics roll-ups are kept. */
  metricsMinuteDays: number;
  /** Days 1-hour metrics roll-ups are kept. */
  metricsHourDays: number;
  /** Days an ingest claim (agent message id) is kept after it was last seen; 0 keeps claims forever. */
  ingestClaimDays: number;
  /** A mount fuller than this percentage raises an alert; 0 turns that alert off. */
  metricsDiskAlertPct: number;
  /** Memory use above this percentage raises an alert; 0 turns that alert off. */
  metricsMemoryAlertPct: number;
  /** Seconds an action run may wait for a second admin's approval before it expires; 0: forever. */
  actionApprovalExpirySeconds: number;
  /** Largest package file the software library accepts, in bytes. */
  softwareMaxBytes: number;
}

/** One configurable option: its flag, environment variable, config-file key and help text. */
export interface OptionSpec {
  key: keyof RawOptions;
  flag: string;
  env: string;
  arg?: string;
  description: string;
}

/** Options as strings, before defaults and parsing. */
export interface RawOptions {
  data?: string;
  listen?: string;
  db?: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
  adminEmail?: string;
  publicUrl?: string;
  bus?: string;
  heartbeat?: string;
  pollInterval?: string;
  webDir?: string;
  offlineAlertAfter?: string;
  retentionLiveResults?: string;
  retentionScheduledResults?: string;
  metricsRawRetention?: string;
  metricsMinuteRetention?: string;
  metricsHourRetention?: string;
  ingestClaimRetention?: string;
  metricsDiskAlert?: string;
  metricsMemoryAlert?: string;
  actionApprovalExpiry?: string;
  softwareMaxSize?: string;
}

/** The largest software library upload accepted (2 GiB): agents refuse larger downloads. */
export const MAX_SOFTWARE_MIB = 2048;

/** Every server option, for `--help` and resolution. */
export const SERVER_OPTIONS: OptionSpec[] = [
  {
    key: 'data',
    flag: '--data',
    env: 'VIGIL_DATA',
    arg: 'DIR',
    description: 'data directory: keys, certificates, SQLite store (default ./.vigil)',
  },
  {
    key: 'listen',
    flag: '--listen',
    env: 'VIGIL_LISTEN',
    arg: 'HOST:PORT',
    description: 'address to listen on (default 127.0.0.1:8443)',
  },
  {
    key: 'db',
    flag: '--db',
    env: 'VIGIL_DB',
    arg: 'URL',
    description: 'store: sqlite:PATH or postgres://… (default sqlite:DATA/vigil.db)',
  },
  {
    key: 'tlsCert',
    flag: '--tls-cert',
    env: 'VIGIL_TLS_CERT',
    arg: 'FILE',
    description: 'TLS certificate (PEM) to serve instead of the generated one',
  },
  {
    key: 'tlsKey',
    flag: '--tls-key',
    env: 'VIGIL_TLS_KEY',
    arg: 'FILE',
    description: 'private key (PEM) of --tls-cert',
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'VIGIL_LOG_LEVEL',
    arg: 'LEVEL',
    description: 'fatal|error|warn|info|debug|trace|silent (default info)',
  },
  {
    key: 'adminEmail',
    flag: '--admin-email',
    env: 'VIGIL_ADMIN_EMAIL',
    arg: 'EMAIL',
    description: 'create this admin with a one-time password on first start',
  },
  {
    key: 'publicUrl',
    flag: '--public-url',
    env: 'VIGIL_PUBLIC_URL',
    arg: 'URL',
    description: 'URL agents and users reach this server at (default https://HOST:PORT)',
  },
  {
    key: 'bus',
    flag: '--bus',
    env: 'VIGIL_BUS',
    arg: 'URL',
    description: 'fan-out bus between nodes: memory or redis://… (default memory)',
  },
  {
    key: 'heartbeat',
    flag: '--heartbeat',
    env: 'VIGIL_HEARTBEAT',
    arg: 'SECONDS',
    description: 'agent heartbeat interval (default 30)',
  },
  {
    key: 'pollInterval',
    flag: '--poll-interval',
    env: 'VIGIL_POLL_INTERVAL',
    arg: 'SECONDS',
    description: 'agent poll interval in poll mode (default 15)',
  },
  {
    key: 'webDir',
    flag: '--web-dir',
    env: 'VIGIL_WEB_DIR',
    arg: 'DIR',
    description: 'built console to serve (default packages/web/dist)',
  },
  {
    key: 'offlineAlertAfter',
    flag: '--offline-alert-after',
    env: 'VIGIL_OFFLINE_ALERT_AFTER',
    arg: 'SECONDS',
    description: 'alert when a device stays offline this long; 0 turns it off (default 86400)',
  },
  {
    key: 'retentionLiveResults',
    flag: '--retention-live-results',
    env: 'VIGIL_RETENTION_LIVE_RESULTS',
    arg: 'DAYS',
    description: 'keep live-query campaigns and their results this many days; 0 keeps forever (default 30)',
  },
  {
    key: 'retentionScheduledResults',
    flag: '--retention-scheduled-results',
    env: 'VIGIL_RETENTION_SCHEDULED_RESULTS',
    arg: 'DAYS',
    description: 'keep scheduled-query results this many days; 0 keeps forever (default 30)',
  },
  {
    key: 'metricsRawRetention',
    flag: '--metrics-raw-retention',
    env: 'VIGIL_METRICS_RAW_RETENTION',
    arg: 'MINUTES',
    description: 'keep raw host-metrics samples (1 s while watched) this many minutes (default 60)',
  },
  {
    key: 'metricsMinuteRetention',
    flag: '--metrics-minute-retention',
    env: 'VIGIL_METRICS_MINUTE_RETENTION',
    arg: 'DAYS',
    description: 'keep 1-minute host-metrics roll-ups this many days (default 7)',
  },
  {
    key: 'metricsHourRetention',
    flag: '--metrics-hour-retention',
    env: 'VIGIL_METRICS_HOUR_RETENTION',
    arg: 'DAYS',
    description: 'keep 1-hour host-metrics roll-ups this many days (default 90)',
  },
  {
    key: 'ingestClaimRetention',
    flag: '--ingest-claim-retention',
    env: 'VIGIL_INGEST_CLAIM_RETENTION',
    arg: 'DAYS',
    description:
      'forget the id of a delivered agent message this many days after it was last seen, and only ' +
      'once its agent cannot send it again (device gone, or in contact since): agents keep unacknowledged ' +
      'items with no time limit, so the window guards the seconds to minutes a re-send takes after a lost ' +
      'ack or an agent restart; 0 keeps forever (default 30)',
  },
  {
    key: 'metricsDiskAlert',
    flag: '--metrics-disk-alert',
    env: 'VIGIL_METRICS_DISK_ALERT',
    arg: 'PERCENT',
    description:
      'alert when a mount of a device is fuller than this; resolved once it is 5 points below; 0 turns it off (default 90)',
  },
  {
    key: 'metricsMemoryAlert',
    flag: '--metrics-memory-alert',
    env: 'VIGIL_METRICS_MEMORY_ALERT',
    arg: 'PERCENT',
    description:
      'alert when memory use of a device (cache not counted) is above this; resolved once it is 5 points below; 0 turns it off (default 95)',
  },
  {
    key: 'actionApprovalExpiry',
    flag: '--action-approval-expiry',
    env: 'VIGIL_ACTION_APPROVAL_EXPIRY',
    arg: 'SECONDS',
    description:
      'an action run nobody approved within this long becomes expired and is never sent; 0 lets runs wait forever (default 86400)',
  },
  {
    key: 'softwareMaxSize',
    flag: '--software-max-size',
    env: 'VIGIL_SOFTWARE_MAX_SIZE',
    arg: 'MIB',
    description: `largest package file the software library accepts, in MiB, up to ${MAX_SOFTWARE_MIB} (default 512)`,
  },
];

/** The longest retention accepted (100 years): beyond it the cut-off date is not representable. */
export const MAX_RETENTION_DAYS = 36_500;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function readConfigFile(path: string): RawOptions {
  if (!existsSync(path)) throw new VigilError('E_CONFIG', `config file ${path} does not exist`);
  let parsed: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    parsed = path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new VigilError('E_CONFIG', `config file ${path} must hold a mapping of option names to values`);
  const out: RawOptions = {};
  const known = new Map(SERVER_OPTIONS.map((o) => [o.flag.slice(2), o.key]));
  for (const [name, value] of Object.entries(parsed)) {
    const key = known.get(name) ?? SERVER_OPTIONS.find((o) => o.key === name)?.key;
    if (!key)
      throw new VigilError(
        'E_CONFIG',
        `config file ${path}: unknown option '${name}'; known: ${[...known.keys()].join(', ')}`,
      );
    out[key] = String(value);
  }
  return out;
}

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new VigilError('E_CONFIG', `${what} must be a positive whole number, got '${value}'`);
  return n;
}

function wholeSeconds(value: string, what: string): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new VigilError(
      'E_CONFIG',
      `${what} must be a whole number of seconds (0 turns it off), got '${value}'`,
    );
  return n;
}

function retentionDays(value: string, what: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || n > MAX_RETENTION_DAYS)
    throw new VigilError(
      'E_CONFIG',
      `${what} must be a whole number of days from 0 (keep forever) to ${MAX_RETENTION_DAYS}, got '${value}'`,
    );
  return n;
}

/** A whole number from 1 to `max`; metrics retention cannot be "forever": storage must stay bounded. */
function boundedInt(value: string, what: string, unit: string, max: number): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || n < 1 || n > max)
    throw new VigilError(
      'E_CONFIG',
      `${what} must be a whole number of ${unit} from 1 to ${max}, got '${value}'`,
    );
  return n;
}

/** A threshold in whole percent, 1 to 99, or 0 (the alert is off). */
function alertPercent(value: string, what: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || n > 99)
    throw new VigilError(
      'E_CONFIG',
      `${what} must be a whole percentage from 1 to 99, or 0 to turn the alert off, got '${value}'`,
    );
  return n;
}

/** Parse `HOST:PORT` (IPv6 hosts in brackets). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port < 0 || port > 65535) {
    throw new VigilError(
      'E_CONFIG',
      `--listen must be HOST:PORT (e.g. 127.0.0.1:8443 or [::1]:8443), got '${value}'`,
    );
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Resolve the configuration: flags over environment over config file over defaults. */
export function resolveServerConfig(input: {
  flags?: RawOptions;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  cwd?: string;
}): ServerConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const fileName = input.configFile ?? env.VIGIL_CONFIG;
  const fromFile = fileName ? readConfigFile(resolve(cwd, fileName)) : {};
  const fromEnv: RawOptions = {};
  for (const o of SERVER_OPTIONS) {
    const v = env[o.env];
    if (v !== undefined && v !== '') fromEnv[o.key] = v;
  }
  const raw: RawOptions = { ...fromFile, ...fromEnv, ...stripUndefined(input.flags ?? {}) };

  const dataDir = resolve(cwd, raw.data ?? '.vigil');
  const { host, port } = parseListen(raw.listen ?? '127.0.0.1:8443');
  const logLevel = (raw.logLevel ?? 'info') as ServerConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    throw new VigilError(
      'E_CONFIG',
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw.logLevel}'`,
    );
  const db = raw.db ?? `sqlite:${resolve(dataDir, 'vigil.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(db))
    throw new VigilError('E_CONFIG', `--db must be sqlite:PATH or postgres://…, got '${db}'`);
  const bus = raw.bus ?? 'memory';
  if (bus !== 'memory' && !bus.startsWith('redis://'))
    throw new VigilError('E_CONFIG', `--bus must be memory or redis://…, got '${bus}'`);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    dataDir,
    host,
    port,
    db:
      db.startsWith('sqlite:') && !db.startsWith('sqlite::memory:')
        ? `sqlite:${resolve(cwd, db.slice(7))}`
        : db,
    ...(raw.tlsCert ? { tlsCert: resolve(cwd, raw.tlsCert) } : {}),
    ...(raw.tlsKey ? { tlsKey: resolve(cwd, raw.tlsKey) } : {}),
    logLevel,
    ...(raw.adminEmail ? { adminEmail: raw.adminEmail } : {}),
    publicUrl: raw.publicUrl ?? `https://${urlHost}:${port}`,
    bus,
    heartbeatSeconds: positiveInt(raw.heartbeat ?? '30', '--heartbeat'),
    pollSeconds: positiveInt(raw.pollInterval ?? '15', '--poll-interval'),
    ...(raw.webDir ? { webDir: resolve(cwd, raw.webDir) } : {}),
    offlineAlertAfterSeconds: wholeSeconds(raw.offlineAlertAfter ?? '86400', '--offline-alert-after'),
    retentionLiveDays: retentionDays(raw.retentionLiveResults ?? '30', '--retention-live-results'),
    retentionScheduledDays: retentionDays(
      raw.retentionScheduledResults ?? '30',
      '--retention-scheduled-results',
    ),
    metricsRawMinutes: boundedInt(
      raw.metricsRawRetention ?? '60',
      '--metrics-raw-retention',
      'minutes',
      7 * 24 * 60,
    ),
    metricsMinuteDays: boundedInt(
      raw.metricsMinuteRetention ?? '7',
      '--metrics-minute-retention',
      'days',
      366,
    ),
    metricsHourDays: boundedInt(raw.metricsHourRetention ?? '90', '--metrics-hour-retention', 'days', 3660),
    ingestClaimDays: retentionDays(raw.ingestClaimRetention ?? '30', '--ingest-claim-retention'),
    metricsDiskAlertPct: alertPercent(raw.metricsDiskAlert ?? '90', '--metrics-disk-alert'),
    metricsMemoryAlertPct: alertPercent(raw.metricsMemoryAlert ?? '95', '--metrics-memory-alert'),
    actionApprovalExpirySeconds: wholeSeconds(
      raw.actionApprovalExpiry ?? '86400',
      '--action-approval-expiry',
    ),
    softwareMaxBytes:
      boundedInt(raw.softwareMaxSize ?? '512', '--software-max-size', 'MiB', MAX_SOFTWARE_MIB) * 1024 * 1024,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
