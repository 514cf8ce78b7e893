/**
 * Automated responses on the agent: when a detection rule fires (the leading occurrence of its
 * key), every response rule whose pattern names it and whose conditions hold on the event runs its
 * actions through the action runner — so they work while the server is unreachable — and each run
 * is reported as an `action.result` with `rule` set. Safety: a per-rule dry run, a cap on
 * executions per hour per rule, and never acting on the agent's own processes or the server's
 * address; a response that is held back is reported as refused, saying why.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionDefinitionT, ActionResultBodyT, ActionRunBodyT, ResponseRuleT } from '@vigil/protocol';
import { newMsgId } from '../../daemon/outbox.js';
import type { Detection } from '../rules/engine.js';
import { conditionHolds } from '../rules/match.js';
import { fillParams, MissingField } from './template.js';

const HOUR_MS = 3600_000;

/** What the responder needs from the agent. */
export interface ResponderOptions {
  stateDir: string;
  /** The action catalogue by name. */
  definitions(): ReadonlyMap<string, ActionDefinitionT> | Promise<ReadonlyMap<string, ActionDefinitionT>>;
  /** Run one action through the action runner (ActionService.start); its result reports itself. */
  start(commandId: string, body: ActionRunBodyT, rule: string): Promise<void>;
  /** Report a response that was held back (the outbox). */
  report(result: ActionResultBodyT): void;
  /** The server's addresses (never acted on). */
  serverAddresses(): Promise<string[]>;
  /** The agent's own pid (default this process). */
  agentPid?: number;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  now?: () => number;
}

/** Whether a response rule's pattern names a detection rule (`*` matches any run of characters). */
export function responseNames(pattern: string, rule: string): boolean {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`).test(rule);
}

/** Evaluates response rules for detections. */
export class Responder {
  private responses: ResponseRuleT[] = [];
  private executions: Record<string, number[]>;
  /** When the "cap reached" refusal was last reported, per response (once per hour, not per hit). */
  private capReported = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly statePath: string;

  constructor(private readonly options: ResponderOptions) {
    this.now = options.now ?? Date.now;
    this.statePath = join(options.stateDir, 'response-state.json');
    this.executions = this.load();
  }

  private load(): Record<string, number[]> {
    try {
      if (!existsSync(this.statePath)) return {};
      const data = JSON.parse(readFileSync(this.statePath, 'utf8')) as {
        executions?: Record<string, number[]>;
      };
      return data.executions ?? {};
    } catch {
      return {};
    }
  }

  private save(): void {
    writeFileSync(this.statePath, JSON.stringify({ executions: this.executions }), { mode: 0o600 });
  }

  /** Replace the response rules (from `rules.set`). */
  setResponses(responses: ResponseRuleT[]): void {
    this.responses = responses;
    const ids = new Set(responses.map((r) => r.id));
    for (const id of Object.keys(this.executions)) if (!ids.has(id)) delete this.executions[id];
  }

  /** The response rules in force. */
  list(): readonly ResponseRuleT[] {
    return this.responses;
  }

  /** Evaluate the responses for one detection (runs in the background). */
  onDetection(d: Detection): void {
    for (const response of this.responses) {
      if (!responseNames(response.rule, d.rule.name)) continue;
      if (!response.when.every((c) => conditionHolds(c, d.event.fields))) continue;
      const run = this.respond(response, d)
        .catch((error: unknown) =>
          this.options.log.warn({ err: String(error), response: response.name }, 'automated response failed'),
        )
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** Resolves when no response is being started (tests, stop). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private refuse(response: ResponseRuleT, d: Detection, action: string, why: string): void {
    const id = `auto-${newMsgId()}`;
    this.options.log.warn(
      { response: response.name, rule: d.rule.name, action, why },
      'automated response held back',
    );
    this.options.report({
      command_id: id,
      run_id: id,
      action,
      status: 'refused',
      dry_run: response.dry_run,
      changed: false,
      summary: why.slice(0, 2000),
      details: { response: response.name, detection: d.rule.name, key: d.key },
      error: { code: 'E_ACTION_REFUSED', message: why.slice(0, 4000) },
      rule: response.name.slice(0, 128),
      started_at: this.now(),
      duration_ms: 0,
    });
  }

  /** Why acting on this detection would touch the agent itself or the server, or null. */
  private async unsafe(d: Detection, params: Record<string, unknown>): Promise<string | null> {
    const agentPid = this.options.agentPid ?? process.pid;
    // The agent, its parent (the service manager or shell that runs it) and anything the agent
    // started itself (its event's process tree passes through the agent's pid).
    const lineage: number[] = [];
    for (const v of [d.event.fields.pid, d.event.fields.ppid]) if (typeof v === 'number') lineage.push(v);
    const tree = d.event.context.process_tree;
    if (Array.isArray(tree))
      for (const p of tree) {
        const pid = (p as { pid?: unknown }).pid;
        if (typeof pid === 'number') lineage.push(pid);
      }
    if (lineage.includes(agentPid))
      return `the process is the Vigil agent (pid ${agentPid}) or was started by it; the agent never acts on itself`;
    for (const v of [d.event.fields.pid, params.pid])
      if (typeof v === 'number' && (v === agentPid || v === process.ppid))
        return `pid ${v} is the Vigil agent or its parent; the agent never acts on itself`;
    const addresses = new Set(await this.options.serverAddresses().catch(() => [] as string[]));
    for (const key of ['address', 'ip', 'host']) {
      const v = params[key];
      if (typeof v === 'string' && addresses.has(v.replace(/\/(32|128)$/, '')))
        return `${v} is the Vigil server's address; the agent never blocks or acts on it`;
    }
    return null;
  }

  private async respond(response: ResponseRuleT, d: Detection): Promise<void> {
    const now = this.now();
    const recent = (this.executions[response.id] ?? []).filter((t) => now - t < HOUR_MS);
    this.executions[response.id] = recent;
    if (recent.length >= response.max_per_hour) {
      const last = this.capReported.get(response.id);
      if (last === undefined || now - last >= HOUR_MS) {
        this.capReported.set(response.id, now);
        this.refuse(
          response,
          d,
          response.actions[0]?.action ?? 'unknown.action',
          `response ${response.name} reached its cap of ${response.max_per_hour} executions per hour; further detections are not acted on until the hour has passed`,
        );
      }
      return;
    }
    recent.push(now);
    this.save();
    for (const step of response.actions) {
      const def = (await this.options.definitions()).get(step.action);
      let params: Record<string, unknown>;
      try {
        params = fillParams(step.params, d.event.fields);
      } catch (error) {
        if (!(error instanceof MissingField)) throw error;
        this.refuse(
          response,
          d,
          step.action,
          `${d.rule.name} fired but its event has no ${error.field} for ${step.action}`,
        );
        continue;
      }
      const unsafe = await this.unsafe(d, params);
      if (unsafe) {
        this.refuse(response, d, step.action, unsafe);
        continue;
      }
      const id = `auto-${newMsgId()}`;
      this.options.log.info(
        {
          response: response.name,
          rule: d.rule.name,
          key: d.key,
          action: step.action,
          dry_run: response.dry_run,
        },
        'automated response',
      );
      await this.options.start(
        id,
        {
          run_id: id,
          action: step.action,
          params,
          dry_run: response.dry_run,
          timeout_s: def?.timeout_s ?? 60,
        },
        response.name.slice(0, 128),
      );
    }
  }
}
