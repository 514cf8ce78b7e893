/**
 * Running one action command on the agent: idempotency by command id, the declaration looked up
 * and the parameters validated again, platform and dry-run support checked, the timeout enforced
 * with an AbortSignal, and every outcome — success, refusal, failure, timeout, a bug — turned into
 * an `action.result` body with a stable error code, the exit code and the tail of stderr.
 */
import type {
  ActionDefinitionT,
  ActionErrorT,
  ActionPlatformT,
  ActionResultBodyT,
  ActionResultStatusT,
  ActionRunBodyT,
} from '@vigil/protocol';
import { validators } from '@vigil/protocol/agent-runtime';
import { validateActionParamsOnDemand } from './load-on-demand.js';
import { createCommandRunner } from './run-command.js';
import type { ActionStore } from './store.js';
import type { ActionContext, ActionImpls, ActionOutcome, CommandOutput, CommandRunner } from './types.js';

/** The largest `details` kept in a result (the agent channel carries messages up to 1 MiB). */
export const MAX_DETAILS_BYTES = 700_000;
const TAIL_CHARS = 4000;

/** One action command to run. */
export interface ActionRequest {
  /** The signed command's id: the idempotency key. */
  commandId: string;
  body: ActionRunBodyT;
  /** The automated response rule that asked for it, when it did not come from the server. */
  rule?: string;
}

/** What the runner needs besides the request. */
export interface ActionEnvironment {
  /** The catalogue, by name. */
  definitions: ReadonlyMap<string, ActionDefinitionT>;
  /** This platform's implementations, by action name. */
  impls: ActionImpls;
  platform: ActionPlatformT;
  store: ActionStore;
  /** The parts of the action context that do not change from run to run. */
  context: Omit<ActionContext, 'dryRun' | 'signal' | 'run'>;
  /** Builds the command runner for one run (default: the real one); tests may run in a namespace. */
  commandRunner?: (signal: AbortSignal) => CommandRunner;
  now?: () => number;
}

/** The platform name the catalogue uses for this process's OS. */
export function currentPlatform(): ActionPlatformT {
  if (process.platform === 'win32') return 'windows';
  if (process.platform === 'darwin') return 'darwin';
  return 'linux';
}

/** Codes meaning the agent declined before changing anything. */
const REFUSAL_CODES = new Set([
  'E_ACTION_UNKNOWN',
  'E_ACTION_PARAMS',
  'E_ACTION_PLATFORM',
  'E_ACTION_NO_DRY_RUN',
  'E_ACTION_REFUSED',
  'E_ACTION_UNSUPPORTED',
]);

function statusFor(code: string): ActionResultStatusT {
  if (code === 'E_ACTION_TIMEOUT') return 'timed_out';
  return REFUSAL_CODES.has(code) ? 'refused' : 'failed';
}

function tail(text: string, chars = TAIL_CHARS): string {
  const t = text.trimEnd();
  return t.length <= chars ? t : t.slice(t.length - chars);
}

/** A stable code and an actionable message for anything an implementation threw. */
export function errorFromThrown(error: unknown, action: string): ActionErrorT {
  const e = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    syscall?: unknown;
    path?: unknown;
    output?: CommandOutput;
    details?: { exit_code?: unknown; stderr_tail?: unknown };
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const out: ActionErrorT = { code: 'E_INTERNAL', message: '' };
  if (typeof e.code === 'string' && /^E_[A-Z_]+$/.test(e.code)) {
    out.code = e.code;
    out.message = message;
  } else if (typeof e.code === 'string' && typeof e.syscall === 'string') {
    // A failed system call (EACCES, EROFS, EXDEV …): the operator can act on it, so say which.
    out.code = e.code === 'ENOENT' ? 'E_ACTION_TARGET_NOT_FOUND' : 'E_ACTION_COMMAND_FAILED';
    out.message = `${action}: ${e.syscall} failed with ${e.code}${typeof e.path === 'string' ? ` on ${e.path}` : ''}`;
  } else {
    out.message = `${action} failed unexpectedly; the agent log has the details`;
  }
  const exit = e.output?.code ?? e.details?.exit_code;
  if (typeof exit === 'number' && Number.isInteger(exit)) out.exit_code = exit;
  const stderr = e.output ? e.output.stderr || e.output.stdout : e.details?.stderr_tail;
  if (typeof stderr === 'string' && stderr.trim() !== '') out.stderr_tail = tail(stderr);
  out.message = out.message.slice(0, 4000);
  return out;
}

/** Plain-object details a thrown error carried (an ActionFailure's), without the output already reported. */
function thrownDetails(error: unknown): Record<string, unknown> {
  const d = (error as { details?: unknown })?.details;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return {};
  const { exit_code: _exit, stderr_tail: _tail, ...rest } = d as Record<string, unknown>;
  return rest;
}

/** Details cut down to what the channel can carry. */
function boundedDetails(details: Record<string, unknown>): Record<string, unknown> {
  let text: string;
  try {
    text = JSON.stringify(details);
  } catch {
    return { details_dropped: 'the details were not serialisable' };
  }
  if (Buffer.byteLength(text) <= MAX_DETAILS_BYTES) return JSON.parse(text) as Record<string, unknown>;
  return {
    details_dropped: `the details were ${Buffer.byteLength(text)} bytes, over the ${MAX_DETAILS_BYTES} limit`,
  };
}

const resultValidator = validators.ActionResultBody;

/**
 * Run one action command and return its result. The same command id never runs twice: a repeat
 * returns the stored result (or, when the agent died during the first run, an interrupted result).
 */
export function runAction(request: ActionRequest, env: ActionEnvironment): Promise<ActionResultBodyT> {
  const pending = env.store.inFlight.get(request.commandId);
  if (pending) return pending;
  const run = execute(request, env).finally(() => env.store.inFlight.delete(request.commandId));
  env.store.inFlight.set(request.commandId, run);
  return run;
}

async function execute(request: ActionRequest, env: ActionEnvironment): Promise<ActionResultBodyT> {
  const now = env.now ?? Date.now;
  const { commandId, body } = request;
  const prior = env.store.get(commandId);
  if (prior.state === 'finished') return prior.result;
  const startedAt = now();
  const base = {
    command_id: commandId,
    run_id: body.run_id,
    action: body.action,
    dry_run: body.dry_run,
    ...(request.rule ? { rule: request.rule } : {}),
  };
  const finish = (
    fields: Pick<ActionResultBodyT, 'status' | 'changed' | 'summary' | 'details'> &
      Partial<Pick<ActionResultBodyT, 'undo' | 'error'>>,
    at = startedAt,
  ): ActionResultBodyT => {
    let result: ActionResultBodyT = {
      ...base,
      ...fields,
      summary: fields.summary.slice(0, 2000),
      details: boundedDetails(fields.details),
      started_at: at,
      duration_ms: Math.max(0, now() - at),
    };
    if (!resultValidator.check(result)) {
      env.context.log(`${body.action}: the implementation returned a malformed result; reporting E_INTERNAL`);
      result = {
        ...base,
        status: 'failed',
        changed: false,
        summary: `${body.action} returned a malformed result`,
        details: {},
        error: {
          code: 'E_INTERNAL',
          message: `${body.action} returned a malformed result; the agent log has it`,
        },
        started_at: at,
        duration_ms: Math.max(0, now() - at),
      };
    }
    env.store.finish(result);
    return result;
  };
  const decline = (code: string, message: string): ActionResultBodyT =>
    finish({
      status: statusFor(code),
      changed: false,
      summary: message,
      details: {},
      error: { code, message: message.slice(0, 4000) },
    });

  if (prior.state === 'started') {
    const result = interruptedResult({ commandId, ...prior, rule: request.rule }, now());
    env.store.finish(result);
    return result;
  }

  const def = env.definitions.get(body.action);
  if (!def) return decline('E_ACTION_UNKNOWN', `this agent does not know the action ${body.action}`);
  if (!def.platforms.some((p) => p.platform === env.platform))
    return decline(
      'E_ACTION_PLATFORM',
      `${body.action} is for ${def.platforms.map((p) => p.platform).join(', ')}, not ${env.platform}`,
    );
  const impl = env.impls[body.action];
  if (!impl)
    return decline(
      'E_ACTION_UNSUPPORTED',
      `${body.action} is not implemented by this agent on ${env.platform}`,
    );
  if (body.dry_run && !def.dry_run)
    return decline('E_ACTION_NO_DRY_RUN', `${body.action} has no dry run; nothing was done`);
  let params: Record<string, unknown>;
  try {
    params = await validateActionParamsOnDemand(def, body.params);
  } catch (error) {
    return decline('E_ACTION_PARAMS', (error as Error).message);
  }

  env.store.begin(commandId, body.run_id, body.action, startedAt, body.dry_run);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${body.timeout_s} s`)),
    body.timeout_s * 1000,
  );
  const ctx: ActionContext = {
    ...env.context,
    dryRun: body.dry_run,
    signal: controller.signal,
    run: (env.commandRunner ?? ((signal) => createCommandRunner({ signal })))(controller.signal),
  };
  const timedOut = (): ActionResultBodyT =>
    finish({
      status: 'timed_out',
      changed: false,
      summary: `${body.action} did not finish within ${body.timeout_s} s and was stopped`,
      details: {},
      error: {
        code: 'E_ACTION_TIMEOUT',
        message: `${body.action} did not finish within ${body.timeout_s} s; its processes were killed and the device may be partly changed`,
      },
    });
  try {
    const aborted = new Promise<'aborted'>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    );
    const outcome = await Promise.race([impl(params, ctx), aborted]);
    if (outcome === 'aborted') return timedOut();
    return finish(fromOutcome(outcome, body.dry_run, def));
  } catch (error) {
    if (controller.signal.aborted) return timedOut();
    const e = errorFromThrown(error, body.action);
    if (e.code === 'E_INTERNAL')
      env.context.log(`${body.action} threw: ${(error as Error)?.stack ?? String(error)}`);
    return finish({
      status: statusFor(e.code),
      changed: false,
      summary: e.message,
      details: thrownDetails(error),
      error: e,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The result of a run the agent stopped or crashed during: failed, not repeated, possibly partial. */
export function interruptedResult(
  run: {
    commandId: string;
    runId: string;
    action: string;
    startedAt: number;
    dryRun: boolean;
    rule?: string | undefined;
  },
  now: number,
): ActionResultBodyT {
  return {
    command_id: run.commandId,
    run_id: run.runId,
    action: run.action,
    status: 'failed',
    dry_run: run.dryRun,
    changed: false,
    summary: `the agent stopped while ${run.action} was running; it was not run again — check the device`,
    details: { interrupted: true },
    error: {
      code: 'E_ACTION_INTERRUPTED',
      message: `the agent stopped while ${run.action} was running; it was not run again, so the device may be partly changed`,
    },
    ...(run.rule ? { rule: run.rule } : {}),
    started_at: run.startedAt,
    duration_ms: Math.max(0, now - run.startedAt),
  };
}

/** Settle every run a previous agent process left unfinished; returns their (stored) results. */
export function settleInterrupted(store: ActionStore, now = Date.now()): ActionResultBodyT[] {
  return store.unfinished().map((run) => {
    const result = interruptedResult(run, now);
    store.finish(result);
    return result;
  });
}

/** The result fields for what an implementation returned. */
function fromOutcome(
  outcome: ActionOutcome,
  dryRun: boolean,
  def: ActionDefinitionT,
): Pick<ActionResultBodyT, 'status' | 'changed' | 'summary' | 'details'> &
  Partial<Pick<ActionResultBodyT, 'undo' | 'error'>> {
  // A dry run never reports a change, whatever the implementation says.
  const changed = !dryRun && outcome.changed;
  if (outcome.ok)
    return {
      status: 'succeeded',
      changed,
      summary: outcome.summary,
      details: outcome.details,
      ...(outcome.undo && def.undo && !dryRun && changed ? { undo: outcome.undo } : {}),
    };
  const error: ActionErrorT = outcome.error ?? { code: 'E_INTERNAL', message: outcome.summary };
  return {
    status: statusFor(error.code),
    changed,
    summary: outcome.summary,
    details: outcome.details,
    error: {
      ...error,
      message: error.message.slice(0, 4000),
      ...(error.stderr_tail ? { stderr_tail: tail(error.stderr_tail) } : {}),
    },
  };
}
