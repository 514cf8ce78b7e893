/**
 * How the Linux network, package and clean-up actions fail: one error class carrying a stable
 * code, a message a person can act on and the failing command's exit code and stderr tail, plus
 * the wrapper that turns it into an `ActionOutcome` so every implementation reports alike.
 */
import type { ActionContext, ActionImpl, ActionOutcome, CommandOutput, RunOptions } from '../types.js';

/** Stable codes carried in `ActionOutcome.error.code` by these implementations. */
export const ACTION_ERROR = {
  /** A safety rule refused the parameters (server address, loopback, bad IP, unsafe path …). */
  refused: 'E_ACTION_REFUSED',
  /** A command the action ran exited non-zero. */
  commandFailed: 'E_ACTION_COMMAND_FAILED',
  /** A program the action needs is not installed (nft, apt-get/dnf, ss …). */
  unsupported: 'E_ACTION_UNSUPPORTED',
  /** The thing to act on does not exist (an interface, a package). */
  targetNotFound: 'E_ACTION_TARGET_NOT_FOUND',
  /** A downloaded file did not match the SHA-256 it was sent with. */
  integrity: 'E_ACTION_INTEGRITY',
  /** A download failed (HTTP status, TLS, size limit). */
  download: 'E_ACTION_DOWNLOAD',
} as const;
export type ActionErrorCode = (typeof ACTION_ERROR)[keyof typeof ACTION_ERROR];

const TAIL_CHARS = 2000;

/** The last characters of a command's output: enough to see why it failed, never the whole log. */
export function outputTail(text: string, chars = TAIL_CHARS): string {
  const trimmed = text.trimEnd();
  return trimmed.length <= chars ? trimmed : trimmed.slice(trimmed.length - chars);
}

/** A failure an action reports rather than throws past the runner. */
export class ActionFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly output?: CommandOutput,
    /** Whether the device changed before the failure (a package transaction that stopped half-way). */
    readonly changed = false,
  ) {
    super(message);
    this.name = 'ActionFailure';
  }
}

/** Throws a refusal: nothing was changed. */
export function refuse(message: string, details: Record<string, unknown> = {}): never {
  throw new ActionFailure(ACTION_ERROR.refused, message, details);
}

/**
 * Runs a program through the context's runner. A program that cannot be started becomes
 * `E_ACTION_UNSUPPORTED`; an abort (the action's timeout) is rethrown for the runner to map.
 */
export async function runProgram(
  ctx: ActionContext,
  program: string,
  args: string[],
  options?: RunOptions,
): Promise<CommandOutput> {
  try {
    return await ctx.run(program, args, options);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    // The runner says why it could not start the program (E_ACTION_UNSUPPORTED when it is missing).
    const code = (error as { code?: unknown }).code;
    throw new ActionFailure(
      typeof code === 'string' && code.startsWith('E_ACTION_') ? code : ACTION_ERROR.unsupported,
      `${program} could not be started (${(error as Error).message})`,
    );
  }
}

/** Runs a program and throws `E_ACTION_COMMAND_FAILED` with its stderr tail when it exits non-zero. */
export async function runChecked(
  ctx: ActionContext,
  program: string,
  args: string[],
  options?: RunOptions,
): Promise<CommandOutput> {
  const output = await runProgram(ctx, program, args, options);
  if (output.code !== 0) {
    throw new ActionFailure(
      ACTION_ERROR.commandFailed,
      `${program} ${args.slice(0, 3).join(' ')} exited with code ${output.code}`,
      {},
      output,
    );
  }
  return output;
}

/** The outcome for a failure: the device is reported unchanged unless the failure says otherwise. */
export function failureOutcome(failure: ActionFailure, changed = false): ActionOutcome {
  const stderr = failure.output ? outputTail(failure.output.stderr || failure.output.stdout) : undefined;
  return {
    ok: false,
    changed,
    summary: failure.message,
    details: failure.details,
    error: {
      code: failure.code,
      message: failure.message,
      ...(failure.output ? { exit_code: failure.output.code } : {}),
      ...(stderr ? { stderr_tail: stderr } : {}),
    },
  };
}

/** Wraps an implementation so an `ActionFailure` it throws becomes a failed outcome. */
export function reportingFailures(impl: ActionImpl): ActionImpl {
  return async (params, ctx) => {
    try {
      return await impl(params, ctx);
    } catch (error) {
      if (error instanceof ActionFailure) return failureOutcome(error, error.changed);
      throw error;
    }
  };
}
