/**
 * The monitors of one agent: the rule set (pushed signed by the server with `rules.set`,
 * persisted, the shipped rules until the first push), the rule engine, the automated responses,
 * the shared budget, and the monitors that the rules listen to — started and stopped as the rule
 * set changes. Detections go to the durable outbox as `alert.event` items.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDefinitionT, MonitorNameT, RulesSetBodyT } from '@vigil/protocol';
import { ignorePatternProblem, validators, watchPathProblem } from '@vigil/protocol/agent-runtime';
import { loadActionsOnDemand } from '../actions/load-on-demand.js';
import type { Log } from '../daemon/dispatch.js';
import type { ActionService } from '../daemon/handlers/actions.js';
import { agentInstallDirs, serverAddressesOf } from '../daemon/handlers/actions.js';
import type { Outbox } from '../daemon/outbox.js';
import { AuthMonitor, authSourceOf } from './auth/auth-monitor.js';
import { JournalAuthMonitor } from './auth/journal-monitor.js';
import { type BudgetLimits, MonitorBudget } from './budget.js';
import { FileMonitor } from './files/file-monitor.js';
import { homesOf } from './files/homes.js';
import { homeWatchList, SYSTEM_WATCH_LIST, type WatchEntry } from './files/watch-list.js';
import { NetworkMonitor, type NetworkRuleHints } from './network/network-monitor.js';
import { PersistenceMonitor } from './persistence/persistence-monitor.js';
import { ProcessMonitor } from './processes/process-monitor.js';
import { Responder } from './responses/responder.js';
import { RuleEngine } from './rules/engine.js';
import { DEFAULT_RULES_DIR, loadRules } from './rules/load.js';
import { renderRule } from './rules/render.js';
import type { Monitor, MonitorEvent } from './types.js';

/** Local settings of the monitors (command-line flags of `vigil agent run`). */
export interface MonitorConfig {
  /** Extra files or directories the file monitor watches (directories three levels deep). */
  watchPaths?: string[];
  /** Glob patterns of paths never reported. */
  ignore?: string[];
  /** The authentication log to follow (default /var/log/auth.log, or /var/log/secure when only it exists). */
  authLog?: string;
  budget?: Partial<BudgetLimits>;
}

/** What the monitor service needs from the agent. */
export interface MonitorServiceOptions {
  stateDir: string;
  /** Filesystem root the monitors read ("/" on a host, a fixture tree in tests). */
  root: string;
  outbox: Outbox;
  log: Log;
  serverUrl: string;
  /** The action service automated responses run through (none: responses are not run). */
  actions?: ActionService;
  config?: MonitorConfig;
  /** Rules directory (default: the shipped definitions/rules). */
  rulesDir?: string;
  /** Builds the monitors (tests replace some); default: every monitor of this platform. */
  monitorFactory?: MonitorFactory;
}

/** Builds one monitor for the service, or undefined when it cannot run here. */
export type MonitorFactory = (name: MonitorNameT, ctx: MonitorFactoryContext) => Monitor | undefined;

/** What a monitor gets from the service. */
export interface MonitorFactoryContext {
  root: string;
  budget: MonitorBudget;
  sink: (event: MonitorEvent) => void;
  log: Log;
  stateDir: string;
  config: MonitorConfig;
  /** The rule engine's view for this monitor: which event types are listened to, what could match. */
  rules: NetworkRuleHints;
}

const STATE_FILE = 'monitor-rules.json';
const setValidator = validators.RulesSetBody;

/** The agent's own files a change of which is tampering: its key, its service unit, its code, its runtime. */
export function agentTamperEntries(stateDir: string): WatchEntry[] {
  const pkg = agentInstallDirs()[0] as string;
  return [
    { path: join(stateDir, 'agent.key'), category: 'agent', type: 'file' },
    { path: '/etc/systemd/system/vigil-agent.service', category: 'agent', type: 'file' },
    { path: join(pkg, 'package.json'), category: 'agent', type: 'file' },
    { path: join(pkg, 'dist'), category: 'agent', type: 'dir', depth: 4 },
    { path: process.execPath, category: 'agent', type: 'file' },
  ];
}

/** The file monitors: the watch list under the root, and the agent's own files on the host. */
function fileMonitors(ctx: MonitorFactoryContext): Monitor {
  const custom: WatchEntry[] = (ctx.config.watchPaths ?? []).map((p) => ({
    path: p,
    category: 'custom',
    type: isFile(join(ctx.root, p)) ? 'file' : 'dir',
    depth: 3,
  }));
  const system = [...SYSTEM_WATCH_LIST, ...homeWatchList(homesOf(ctx.root)), ...custom];
  const tamper = agentTamperEntries(ctx.stateDir);
  const common = { budget: ctx.budget, sink: ctx.sink, log: ctx.log, ignore: ctx.config.ignore ?? [] };
  const monitors =
    ctx.root === '/'
      ? [new FileMonitor({ ...common, root: '/', entries: [...system, ...tamper] })]
      : [
          new FileMonitor({ ...common, root: ctx.root, entries: system }),
          new FileMonitor({ ...common, root: '/', entries: tamper }),
        ];
  return {
    name: 'files',
    start: async () => {
      await Promise.all(monitors.map((m) => m.start()));
    },
    stop: async () => {
      await Promise.all(monitors.map((m) => m.stop()));
    },
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The default monitors of this platform (Linux: all five). */
export const defaultMonitorFactory: MonitorFactory = (name, ctx) => {
  if (process.platform !== 'linux') return undefined;
  const common = { root: ctx.root, budget: ctx.budget, sink: ctx.sink, log: ctx.log };
  switch (name) {
    case 'files':
      return fileMonitors(ctx);
    case 'auth': {
      const source = authSourceOf(ctx.root, ctx.config.authLog);
      if (source.kind === 'journal')
        return new JournalAuthMonitor({
          budget: ctx.budget,
          sink: ctx.sink,
          log: ctx.log,
          stateDir: ctx.stateDir,
        });
      return new AuthMonitor({ ...common, path: source.path, stateDir: ctx.stateDir });
    }
    case 'processes':
      return new ProcessMonitor(common);
    case 'network':
      return new NetworkMonitor({ ...common, rules: ctx.rules });
    case 'persistence':
      return new PersistenceMonitor(common);
  }
};

/** The monitors, rules and responses of one agent. */
export class MonitorService {
  readonly budget: MonitorBudget;
  readonly engine: RuleEngine;
  readonly responder: Responder;
  private set: RulesSetBodyT;
  private readonly running = new Map<MonitorNameT, Monitor>();
  private definitions: ReadonlyMap<string, ActionDefinitionT> | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The watch lists the running file monitor was started with (a new set with others restarts it). */
  private filesStartedWith = '';

  constructor(private readonly options: MonitorServiceOptions) {
    const outbox = options.outbox;
    this.budget = new MonitorBudget({
      ...(options.config?.budget ? { limits: options.config.budget } : {}),
      report: (body) => outbox.enqueue('alert.event', body, 'high'),
      log: options.log,
    });
    this.engine = new RuleEngine({
      emit: (body) => outbox.enqueue('alert.event', body, 'high'),
      onDetection: (d) => this.responder.onDetection(d),
      flushMs: () => this.budget.flushMs(),
      log: options.log,
    });
    this.responder = new Responder({
      stateDir: options.stateDir,
      definitions: async () => {
        // On the first response, not at start: the action catalogue's loader validates with
        // TypeBox, which an agent that never responds does not need in memory.
        this.definitions ??= new Map((await loadActionsOnDemand()).map((d) => [d.name, d]));
        return this.definitions;
      },
      start: async (id, body, rule) => {
        if (!options.actions) throw new Error('this agent runs no actions');
        await options.actions.start(id, body, rule);
      },
      report: (result) => outbox.enqueue('action.result', result, 'high'),
      serverAddresses: () => serverAddressesOf(options.serverUrl),
      log: options.log,
    });
    this.set = this.persisted() ?? this.shipped();
    this.engine.setRules(this.set.rules);
    this.responder.setResponses(this.set.responses);
  }

  private persisted(): RulesSetBodyT | undefined {
    const path = join(this.options.stateDir, STATE_FILE);
    try {
      if (!existsSync(path)) return undefined;
      const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
      return setValidator.check(data) ? data : undefined;
    } catch {
      return undefined;
    }
  }

  /** The shipped rules with their defaults, until the server sends the device's own set. */
  private shipped(): RulesSetBodyT {
    try {
      const rules = loadRules(this.options.rulesDir ?? DEFAULT_RULES_DIR).map((r) => renderRule(r));
      return { digest: 'shipped', rules, responses: [] };
    } catch (error) {
      this.options.log.error({ err: (error as Error).message }, 'the shipped detection rules do not load');
      return { digest: 'none', rules: [], responses: [] };
    }
  }

  /** The digest of the server's rule set in force; none while the shipped rules run. */
  heldDigest(): string | undefined {
    return this.set.digest === 'shipped' || this.set.digest === 'none' ? undefined : this.set.digest;
  }

  /** The rule set in force. */
  current(): RulesSetBodyT {
    return this.set;
  }

  /** Start the budget and the monitors the rules listen to. */
  start(): Promise<void> {
    this.stopped = false;
    this.budget.start();
    return this.sync();
  }

  /** Take a new rule set (persisted), and start or stop monitors to match it. */
  replace(set: RulesSetBodyT): Promise<void> {
    this.set = set;
    writeFileSync(join(this.options.stateDir, STATE_FILE), JSON.stringify(set), { mode: 0o600 });
    this.engine.setRules(set.rules);
    this.responder.setResponses(set.responses);
    return this.sync();
  }

  /** The monitors running now. */
  runningMonitors(): MonitorNameT[] {
    return [...this.running.keys()].sort();
  }

  /**
   * The local settings with the rule set's watch paths and ignore patterns added. The set is
   * signed, but each entry is checked again here: a path the server should have refused is
   * dropped (and logged), never watched.
   */
  effectiveConfig(): MonitorConfig {
    const local = this.options.config ?? {};
    const watch = this.set.watch;
    if (!watch) return local;
    const keep = (values: string[], problem: (v: string) => string | null, what: string) =>
      values.filter((v) => {
        const why = problem(v);
        if (why) this.options.log.warn({ [what]: v, why }, `the rule set's ${what} is refused`);
        return why === null;
      });
    return {
      ...local,
      watchPaths: [...(local.watchPaths ?? []), ...keep(watch.paths, watchPathProblem, 'watch_path')],
      ignore: [...(local.ignore ?? []), ...keep(watch.ignore, ignorePatternProblem, 'ignore_pattern')],
    };
  }

  private sync(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      if (this.stopped) return;
      const factory = this.options.monitorFactory ?? defaultMonitorFactory;
      const config = this.effectiveConfig();
      const watchLists = JSON.stringify([config.watchPaths ?? [], config.ignore ?? []]);
      const files = this.running.get('files');
      if (files && watchLists !== this.filesStartedWith) {
        // New watch paths or ignore patterns: start the file monitor again with them (a new baseline).
        this.running.delete('files');
        await files.stop().catch(() => {});
      }
      for (const name of ['files', 'auth', 'processes', 'network', 'persistence'] as const) {
        const wanted = this.engine.wants(name);
        const running = this.running.get(name);
        if (wanted && !running) {
          const monitor = factory(name, {
            root: this.options.root,
            budget: this.budget,
            sink: (e) => this.engine.handle(e),
            log: this.options.log,
            stateDir: this.options.stateDir,
            config,
            rules: {
              wantsType: (type) => this.engine.wantsType(name, type),
              mayMatch: (fields, unknown) => this.engine.mayMatch(name, fields, unknown),
            },
          });
          if (!monitor) continue;
          if (name === 'files') this.filesStartedWith = watchLists;
          this.running.set(name, monitor);
          try {
            await monitor.start();
            this.options.log.info({ monitor: name }, 'monitor started');
          } catch (error) {
            this.running.delete(name);
            this.options.log.error(
              { err: (error as Error).message, monitor: name },
              'monitor failed to start',
            );
          }
        } else if (!wanted && running) {
          this.running.delete(name);
          await running.stop();
        }
      }
    });
    return this.syncing;
  }

  /** Stop every monitor, send what is held, stop the budget. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.syncing;
    for (const m of this.running.values()) await m.stop().catch(() => {});
    this.running.clear();
    this.engine.stop();
    this.budget.stop();
    await this.responder.idle();
  }
}
