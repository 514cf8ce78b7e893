/**
 * Signed-command dispatch. Every envelope is verified (signature over the exact bytes, audience,
 * expiry, replay) before its payload is used; refusals are logged and reported as security
 * events. Handlers plug in per kind with the schema their body must match; their results go to
 * the outbox, so a result survives a disconnect or restart.
 */
import type { KeyObject } from 'node:crypto';
import type { CommandPayloadT } from '@vigil/protocol';
import { verifyCommand } from '@vigil/protocol/agent-runtime';
import type { Outbox } from './outbox.js';

/** What a handler gets besides its body. */
export interface CommandContext {
  command: CommandPayloadT;
  campaign?: string;
}

/** A command handler: returns the result for `command.result`, or `undefined` when it reports by itself. */
export interface CommandHandler {
  /** The check of the body's schema: a generated validator from `@vigil/protocol/agent-runtime`. */
  validator: { check(body: unknown): boolean };
  run(body: unknown, ctx: CommandContext): Promise<unknown> | unknown;
  /** false when the handler enqueues its own outbox items (query.result, check.results). */
  reportsResult?: boolean;
}

/** A minimal logger interface (pino-compatible). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Verifies and routes signed commands. */
export class Dispatcher {
  private readonly handlers = new Map<string, CommandHandler>();

  constructor(
    private readonly identity: { serverKey: KeyObject; accountId: string; agentId: string },
    private readonly outbox: Outbox,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  /** Register the handler of one command kind. */
  register(kind: string, handler: CommandHandler): void {
    this.handlers.set(kind, handler);
  }

  private refuse(reason: string, detail: string, id?: string): void {
    this.log.warn({ reason, detail, command_id: id }, 'command refused');
    this.outbox.enqueue(
      'security.event',
      { type: 'command_refused', reason, detail: detail.slice(0, 4000), ...(id ? { command_id: id } : {}) },
      'high',
    );
  }

  /** Verify and run one envelope; resolves when the handler has finished (or the command was refused). */
  async handle(envelope: unknown): Promise<void> {
    const v = verifyCommand(envelope, {
      ...this.identity,
      now: this.now(),
      seen: (id) => this.outbox.seen(id),
    });
    if (!v.ok) {
      this.refuse(v.reason, v.detail, v.id);
      return;
    }
    const cmd = v.command;
    this.outbox.remember(cmd.id, cmd.exp);
    const handler = this.handlers.get(cmd.kind);
    if (!handler) return this.refuse('unknown_kind', `this agent has no handler for ${cmd.kind}`, cmd.id);
    if (!handler.validator.check(cmd.body))
      return this.refuse('invalid_body', `the body of ${cmd.kind} does not match its schema`, cmd.id);
    const campaign = 'campaign' in cmd.aud ? cmd.aud.campaign : undefined;
    const ctx: CommandContext = { command: cmd, ...(campaign ? { campaign } : {}) };
    try {
      const result = await handler.run(cmd.body, ctx);
      if (handler.reportsResult !== false) {
        this.outbox.enqueue('command.result', {
          command_id: cmd.id,
          kind: cmd.kind,
          ...(campaign ? { campaign } : {}),
          ok: true,
          result: result ?? null,
        });
      }
    } catch (error) {
      const e = error as { code?: string; message?: string };
      this.log.error({ err: error, kind: cmd.kind }, 'command failed');
      this.outbox.enqueue('command.result', {
        command_id: cmd.id,
        kind: cmd.kind,
        ...(campaign ? { campaign } : {}),
        ok: false,
        error: { code: e.code ?? 'E_INTERNAL', message: (e.message ?? String(error)).slice(0, 4000) },
      });
    }
  }
}
