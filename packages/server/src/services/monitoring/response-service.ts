/**
 * Automated response rules: list, create, switch on/off and delete (admins), every change audited and pushed to
 * the connected devices it concerns. A rule is checked when it is stored — its detection pattern
 * names at least one rule of the catalogue, each action exists, runs on Linux, is not a
 * high-risk action that needs a second admin, and its literal parameters match the action's
 * schema — so a mistake is refused here rather than discovered on an endpoint under attack.
 */

import { checkResponseStep, responseNames } from '@vigil/agent';
import {
  type CreateResponseRuleBodyT,
  type ResponseRuleDtoT,
  type UpdateResponseRuleBodyT,
  VigilError,
} from '@vigil/protocol';
import { newId, nowIso } from '../../store/ids.js';
import { groupRef } from '../../store/repos/groups.js';
import type { ResponseRuleRow } from '../../store/repos/response-rules.js';
import type { ActionCatalogue } from '../actions/catalogue.js';
import type { Services } from '../index.js';
import type { Principal, RequestContext } from '../principal.js';
import type { MonitoringService } from './monitoring-service.js';

type Ctx = RequestContext & { principal: Principal };

/** Executions per hour a rule allows when the request does not say. */
export const DEFAULT_MAX_PER_HOUR = 10;

/** Response rule use cases. */
export class ResponseService {
  constructor(
    private readonly services: Services,
    private readonly monitoring: MonitoringService,
    private readonly actions: ActionCatalogue,
  ) {}

  private async dto(r: ResponseRuleRow): Promise<ResponseRuleDtoT> {
    const group = await groupRef(this.services.store.db, r.group_id);
    return {
      id: r.id,
      name: r.name,
      rule: r.rule,
      group,
      when: JSON.parse(r.conditions) as ResponseRuleDtoT['when'],
      actions: JSON.parse(r.actions) as ResponseRuleDtoT['actions'],
      dry_run: r.dry_run === 1,
      max_per_hour: Number(r.max_per_hour),
      enabled: Number(r.enabled) === 1,
      created_by: r.created_by,
      created_at: r.created_at,
    };
  }

  private async row(p: Principal, idOrName: string): Promise<ResponseRuleRow> {
    const r = await this.monitoring.responses.byIdOrName(p.accountId, idOrName);
    if (!r)
      throw new VigilError(
        'E_RESPONSE_RULE_NOT_FOUND',
        `no response rule ${idOrName} in this account: vigil responses list shows them`,
      );
    return r;
  }

  /** The account's response rules. */
  async list(p: Principal): Promise<ResponseRuleDtoT[]> {
    return Promise.all((await this.monitoring.responses.list(p.accountId)).map((r) => this.dto(r)));
  }

  /** One rule by id or name. */
  async get(p: Principal, idOrName: string): Promise<ResponseRuleDtoT> {
    return this.dto(await this.row(p, idOrName));
  }

  /** Check and store a rule, audit it and push it to the connected devices. */
  async create(ctx: Ctx, input: CreateResponseRuleBodyT): Promise<ResponseRuleDtoT> {
    const matching = this.monitoring.catalogue().filter((r) => responseNames(input.rule, r.name));
    if (matching.length === 0)
      throw new VigilError(
        'E_VALIDATION',
        `no detection rule matches '${input.rule}': GET /api/v1/detection-rules (vigil responses rules) lists them`,
      );
    for (const step of input.actions) checkResponseStep(this.actions.get(step.action), step);
    if (await this.monitoring.responses.byIdOrName(ctx.principal.accountId, input.name))
      throw new VigilError('E_ALREADY_EXISTS', `a response rule named '${input.name}' already exists`);
    const group = input.group ? await this.services.groups.getRow(ctx.principal, input.group) : undefined;
    const row: ResponseRuleRow = {
      id: newId(),
      account_id: ctx.principal.accountId,
      name: input.name,
      rule: input.rule,
      group_id: group?.id ?? null,
      conditions: JSON.stringify(input.when ?? []),
      actions: JSON.stringify(input.actions),
      dry_run: input.dry_run === false ? 0 : 1,
      max_per_hour: input.max_per_hour ?? DEFAULT_MAX_PER_HOUR,
      enabled: input.enabled === false ? 0 : 1,
      created_by: ctx.principal.email,
      created_at: nowIso(),
    };
    await this.monitoring.responses.insert(row);
    await this.services.audit.record(ctx, 'response_rule.create', `response_rule:${row.id}`, 'success', {
      name: row.name,
      rule: row.rule,
      group_id: row.group_id,
      actions: input.actions,
      dry_run: row.dry_run === 1,
      max_per_hour: row.max_per_hour,
      enabled: row.enabled === 1,
      matches: matching.map((r) => r.name),
    });
    await this.push(ctx.principal.accountId);
    return this.dto(row);
  }

  /** Switch a rule on or off, between dry run and live, or change its cap; audit it and push the change. */
  async update(ctx: Ctx, idOrName: string, input: UpdateResponseRuleBodyT): Promise<ResponseRuleDtoT> {
    const r = await this.row(ctx.principal, idOrName);
    const patch: Partial<Pick<ResponseRuleRow, 'enabled' | 'dry_run' | 'max_per_hour'>> = {};
    if (input.enabled !== undefined) patch.enabled = input.enabled ? 1 : 0;
    if (input.dry_run !== undefined) patch.dry_run = input.dry_run ? 1 : 0;
    if (input.max_per_hour !== undefined) patch.max_per_hour = input.max_per_hour;
    await this.monitoring.responses.update(r.id, patch);
    await this.services.audit.record(ctx, 'response_rule.update', `response_rule:${r.id}`, 'success', {
      name: r.name,
      ...input,
    });
    await this.push(ctx.principal.accountId);
    return this.dto({ ...r, ...patch });
  }

  /** Delete a rule, audit it and push the change. */
  async delete(ctx: Ctx, idOrName: string): Promise<void> {
    const r = await this.row(ctx.principal, idOrName);
    await this.monitoring.responses.delete(r.id);
    await this.services.audit.record(ctx, 'response_rule.delete', `response_rule:${r.id}`, 'success', {
      name: r.name,
      rule: r.rule,
    });
    await this.push(ctx.principal.accountId);
  }

  private async push(accountId: string): Promise<void> {
    await this.monitoring
      .pushAll(accountId)
      .catch((e: unknown) => this.services.log.error({ err: e }, 'pushing rule sets failed'));
  }
}
