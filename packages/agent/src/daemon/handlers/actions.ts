/**
 * action.run: a signed response action, run by the action runner (idempotent by command id) and
 * reported as a durable `action.result` outbox item. Runs start in the background so a long one
 * (patch.apply) never holds up the channel; results of runs a previous agent process left behind
 * are reported at start.
 */
import { lookup } from 'node:dns/promises';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionDefinitionT, ActionPlatformT, ActionRunBodyT } from '@vigil/protocol';
import { validators } from '@vigil/protocol/agent-runtime';
import type { ServerDownloads } from '../../actions/linux/verified-download.js';
import { loadActionsOnDemand } from '../../actions/load-on-demand.js';
import {
  type ActionEnvironment,
  currentPlatform,
  runAction,
  settleInterrupted,
} from '../../actions/runner.js';
import { ActionStore } from '../../actions/store.js';
import type { ActionImpls, CommandRunner } from '../../actions/types.js';
import type { Dispatcher, Log } from '../dispatch.js';
import type { Outbox } from '../outbox.js';

/** How long stop() waits for running actions before leaving them (they are reported as interrupted next start). */
const STOP_GRACE_MS = 10_000;

/** Where the quarantine store of a state dir is (inside it, so it shares its 0700 protection). */
export function quarantineDirOf(stateDir: string): string {
  return join(stateDir, 'quarantine');
}

/** Options of the action service. */
export interface ActionServiceOptions {
  stateDir: string;
  /** The server URL; its addresses are never blocked and stay reachable in isolation. */
  serverUrl: string;
  /** The pinned server CA (PEM): software.deploy's https downloads must chain to it. */
  serverCaPem?: string;
  /** Signs software.deploy's downloads from the server's software library with the agent key. */
  serverDownloads?: ServerDownloads;
  outbox: Outbox;
  log: Log;
  /** The catalogue (default: definitions/actions). */
  definitions?: ActionDefinitionT[];
  /** Implementations (default: this platform's). */
  impls?: ActionImpls;
  platform?: ActionPlatformT;
  /** Directories of the agent's code and dependencies (default: found from this module). */
  installDirs?: string[];
  /** Builds the command runner of one run (tests may run commands in a namespace). */
  commandRunner?: (signal: AbortSignal) => CommandRunner;
}

/** The agent's own code and its dependencies: this package, and the install holding its node_modules. */
export function agentInstallDirs(): string[] {
  const agentPackage = fileURLToPath(new URL('../../../', import.meta.url));
  const dirs = [agentPackage.endsWith(sep) ? agentPackage.slice(0, -1) : agentPackage];
  try {
    const dependency = createRequire(import.meta.url).resolve('better-sqlite3');
    const at = dependency.lastIndexOf(`${sep}node_modules${sep}`);
    if (at > 0) dirs.push(dependency.slice(0, at));
  } catch {
    // Bundled without node_modules: the package dir is all there is.
  }
  return [...new Set(dirs)];
}

/** The addresses of the server's host (an IP literal is its own address). */
export async function serverAddressesOf(serverUrl: string): Promise<string[]> {
  const host = new URL(serverUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  const found = await lookup(host, { all: true, verbatim: true });
  return [...new Set(found.map((a) => a.address))];
}

/**
 * This platform's implementations; the package actions get the pinned CA and the server for their
 * downloads. Loaded with the first action: some twenty modules an idle agent never runs.
 */
async function platformImpls(
  platform: ActionPlatformT,
  serverCaPem: string | undefined,
  server: ServerDownloads | undefined,
): Promise<ActionImpls> {
  if (platform !== 'linux') return {};
  const [{ linuxActions }, { createLinuxPackageActions }] = await Promise.all([
    import('../../actions/linux/index.js'),
    import('../../actions/linux/packages.js'),
  ]);
  return {
    ...linuxActions,
    ...createLinuxPackageActions({ serverCaPem: () => serverCaPem, ...(server ? { server } : {}) }),
  };
}

/** Runs action commands for one agent and reports their results. */
export class ActionService {
  readonly store: ActionStore;
  readonly quarantineDir: string;
  readonly protectedPaths: string[];
  private definitions: ReadonlyMap<string, ActionDefinitionT> | undefined;
  private readonly running = new Set<Promise<void>>();
  private serverAddresses: string[] = [];
  private closed = false;

  constructor(private readonly options: ActionServiceOptions) {
    this.store = new ActionStore(options.stateDir);
    this.quarantineDir = quarantineDirOf(options.stateDir);
    mkdirSync(this.quarantineDir, { recursive: true, mode: 0o700 });
    this.protectedPaths = [
      options.stateDir,
      this.quarantineDir,
      ...(options.installDirs ?? agentInstallDirs()),
      process.execPath,
    ];
    if (options.definitions) this.definitions = new Map(options.definitions.map((d) => [d.name, d]));
    for (const result of settleInterrupted(this.store))
      options.log.warn(
        { command_id: result.command_id, action: result.action },
        'action interrupted by an agent stop',
      );
    this.reportPending();
  }

  /** Hand every stored result the outbox has not taken yet to it. */
  private reportPending(): void {
    for (const result of this.store.unreported()) {
      this.options.outbox.enqueue('action.result', result, 'high');
      this.store.markReported(result.command_id);
    }
  }

  private async environment(): Promise<ActionEnvironment> {
    try {
      this.serverAddresses = await serverAddressesOf(this.options.serverUrl);
    } catch (error) {
      // Keep the last known addresses: an isolation must not lock the agent out because DNS hiccuped.
      this.options.log.warn({ err: (error as Error).message }, 'could not resolve the server address');
    }
    const platform = this.options.platform ?? currentPlatform();
    // The shipped catalogue loads with the first action, not at start: its loader validates with
    // TypeBox, which an agent that runs no action does not need in memory.
    this.definitions ??= new Map((await loadActionsOnDemand()).map((d) => [d.name, d]));
    return {
      definitions: this.definitions,
      impls:
        this.options.impls ??
        (await platformImpls(platform, this.options.serverCaPem, this.options.serverDownloads)),
      platform,
      store: this.store,
      context: {
        serverAddresses: [...this.serverAddresses],
        agentPid: process.pid,
        protectedPaths: this.protectedPaths,
        quarantineDir: this.quarantineDir,
        root: '/',
        log: (message) => this.options.log.info({}, message),
      },
      ...(this.options.commandRunner ? { commandRunner: this.options.commandRunner } : {}),
    };
  }

  /** Run one command in the background; its result goes to the outbox when it ends. */
  start(commandId: string, body: ActionRunBodyT, rule?: string): Promise<void> {
    const log = this.options.log;
    log.info({ command_id: commandId, action: body.action, dry_run: body.dry_run }, 'action started');
    const run = this.environment()
      .then((env) => runAction({ commandId, body, ...(rule ? { rule } : {}) }, env))
      .then((result) => {
        if (this.closed) return;
        this.reportPending();
        log.info(
          { command_id: commandId, action: body.action, status: result.status, changed: result.changed },
          'action finished',
        );
      })
      .catch((error: unknown) => log.error({ err: error, command_id: commandId }, 'action run failed'))
      .finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  /** Resolves when no action is running (tests, stop). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Wait a little for running actions, then close the store. */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    this.closed = true;
    this.store.close();
  }
}

/** Register action.run on the dispatcher; returns the service (for stop and tests). */
export function registerActionHandler(d: Dispatcher, options: ActionServiceOptions): ActionService {
  const service = new ActionService(options);
  d.register('action.run', {
    validator: validators.ActionRunBody,
    reportsResult: false,
    run: (body, ctx) => {
      void service.start(ctx.command.id, body as ActionRunBodyT);
    },
  });
  return service;
}
