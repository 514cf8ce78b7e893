/** The service container every route plugin receives. */
import type { Logger } from 'pino';
import { ConsoleEvents } from '../bus/console-events.js';
import type { ServerConfig } from '../config.js';
import type { ServerKeys } from '../pki/server-keys.js';
import type { Store } from '../store/db.js';
import { createRepos, type Repos } from '../store/repos/index.js';
import { AlertService } from './alerts/alert-service.js';
import { AuditService } from './audit-service.js';
import { AuthService } from './auth-service.js';
import { DeviceService } from './device-service.js';
import { EnrollmentService } from './enrollment-service.js';
import { GroupService } from './group-service.js';

/** This build's version. */
export const VIGIL_VERSION = '0.1.0';

/** Every service of one server node. */
export interface Services {
  config: ServerConfig;
  keys: ServerKeys;
  store: Store;
  repos: Repos;
  log: Logger;
  audit: AuditService;
  auth: AuthService;
  devices: DeviceService;
  groups: GroupService;
  enrollment: EnrollmentService;
  /** The one entry of every alert source, and the inbox. */
  alerts: AlertService;
  /** Console events (presence, enrollment, alerts, action runs) for the console's live stream. */
  events: ConsoleEvents;
  version: string;
}

/** Wire the services over one store. */
export function createServices(config: ServerConfig, keys: ServerKeys, store: Store, log: Logger): Services {
  const repos = createRepos(store.db);
  const audit = new AuditService(repos.audit);
  const auth = new AuthService(repos, audit);
  const devices = new DeviceService(store, repos, audit);
  const groups = new GroupService(store, repos, audit, devices);
  const events = new ConsoleEvents();
  const alerts = new AlertService(store.db, audit, groups, events);
  const enrollment = new EnrollmentService(store.db, repos, audit, devices, config, keys, alerts, events);
  return {
    config,
    keys,
    store,
    repos,
    log,
    audit,
    auth,
    devices,
    groups,
    enrollment,
    alerts,
    events,
    version: VIGIL_VERSION,
  };
}
