/** Assemble a running agent: channel, outbox, dispatcher, query worker, schedules, checks, fingerprint. */
import { computeFingerprint } from '../checks/fingerprint.js';
import { registerMetricsRateHandler } from '../metrics/rate-handler.js';
import { MetricsSampler } from '../metrics/sampler.js';
import { registerRulesHandler } from '../monitors/rules-handler.js';
import { type MonitorConfig, MonitorService } from '../monitors/service.js';
import { createQueryEngine } from '../sql/engine.js';
import { createQueryRunner, type QueryRunner } from '../sql/query-runner.js';
import type { BackoffOptions } from './backoff.js';
import type { Log } from './dispatch.js';
import { serverDownloads } from './download-signer.js';
import { AGENT_VERSION } from './facts.js';
import { type ActionService, registerActionHandler } from './handlers/actions.js';
import { registerBasicHandlers } from './handlers/basic.js';
import { CheckRunner, registerCheckHandlers } from './handlers/checks.js';
import { registerQueryHandler } from './handlers/query.js';
import { registerScheduleHandler, Scheduler } from './handlers/schedule.js';
import { RunMarker } from './run-marker.js';
import { AgentRuntime } from './runtime.js';

/** A started agent and how to stop it. */
export interface StartedAgent {
  runtime: AgentRuntime;
  checks: CheckRunner;
  metrics: MetricsSampler;
  actions: ActionService;
  /** Threat monitors, detection rules and automated responses (undefined when turned off). */
  monitors: MonitorService | undefined;
  stop(): Promise<void>;
}

/** The fingerprint of this host (computed on the main thread: a handful of file reads). */
function fingerprint(root: string, log: Log): Record<string, unknown> {
  const engine = createQueryEngine({ root });
  try {
    return computeFingerprint(engine) as unknown as Record<string, unknown>;
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'fingerprint failed');
    return {};
  } finally {
    engine.close();
  }
}

/** Start the agent in this process. */
export function startAgent(options: {
  stateDir: string;
  log: Log;
  backoff?: BackoffOptions;
  root?: string;
  checkTickMs?: number;
  /** Monitor settings, or false to run no monitors. */
  monitors?: MonitorConfig | false;
}): StartedAgent {
  const root = options.root ?? '/';
  let fp = fingerprint(root, options.log);
  const runtime = new AgentRuntime({
    stateDir: options.stateDir,
    log: options.log,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    extraFacts: () => ({ fingerprint: fp }),
  });
  // A marker left by the previous run means it never stopped cleanly: say so (a tamper sign).
  const marker = new RunMarker(options.stateDir, AGENT_VERSION);
  const restarted = marker.begin();
  if (restarted) {
    options.log.warn({ previous: restarted.context.previous_run }, 'the previous run did not stop cleanly');
    runtime.outbox.enqueue('alert.event', restarted, 'high');
  }
  let runner: QueryRunner | undefined;
  const getRunner = () => {
    runner ??= createQueryRunner({
      root,
      agentInfo: () => ({
        id: runtime.state.agent_id,
        version: AGENT_VERSION,
        mode: runtime.status().mode,
        outbox_depth: runtime.outbox.depth(),
        uptime: runtime.uptime(),
      }),
    });
    return runner;
  };
  registerBasicHandlers(runtime.dispatcher, (mode, pollS) => runtime.setMode(mode, pollS));
  registerQueryHandler(runtime.dispatcher, getRunner, runtime.outbox);
  const scheduler = new Scheduler(options.stateDir, getRunner, runtime.outbox, options.log);
  registerScheduleHandler(runtime.dispatcher, scheduler);
  const checks = new CheckRunner(
    options.stateDir,
    getRunner,
    runtime.outbox,
    options.log,
    options.checkTickMs,
  );
  registerCheckHandlers(runtime.dispatcher, checks);
  const actions = registerActionHandler(runtime.dispatcher, {
    stateDir: options.stateDir,
    serverUrl: runtime.state.server_url,
    serverCaPem: runtime.state.ca_pem,
    serverDownloads: serverDownloads(runtime.state, runtime.key),
    outbox: runtime.outbox,
    log: options.log,
  });
  const metrics = new MetricsSampler({ outbox: runtime.outbox, log: options.log, root });
  registerMetricsRateHandler(runtime.dispatcher, metrics);
  // A watcher's faster rate needs the server to renew it; without a channel it would never end.
  runtime.onChannel((up) => {
    if (!up) metrics.resetRate('the channel to the server dropped');
  });
  metrics.start();
  const monitors =
    options.monitors === false
      ? undefined
      : new MonitorService({
          stateDir: options.stateDir,
          root,
          outbox: runtime.outbox,
          log: options.log,
          serverUrl: runtime.state.server_url,
          actions,
          config: options.monitors ?? {},
        });
  registerRulesHandler(runtime.dispatcher, monitors);
  // Sets the agent already holds are not sent again when it reconnects.
  runtime.reportHeldSets(() => ({
    checks_set: checks.heldDigest(),
    rules_set: monitors?.heldDigest(),
    schedule_set: scheduler.heldDigest(),
  }));
  void monitors?.start().catch((e: unknown) => options.log.error({ err: e }, 'monitors failed to start'));
  const refresh = setInterval(() => {
    fp = fingerprint(root, options.log);
  }, 3600_000);
  refresh.unref();
  runtime.start();
  return {
    runtime,
    checks,
    metrics,
    actions,
    monitors,
    async stop() {
      clearInterval(refresh);
      await monitors?.stop();
      metrics.stop();
      scheduler.stop();
      checks.stop();
      await actions.stop();
      await runtime.stop();
      await runner?.close();
      marker.end();
    },
  };
}
