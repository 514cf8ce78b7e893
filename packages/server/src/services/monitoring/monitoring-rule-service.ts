/**
 * Parameters of detection rules per account: list the rules with their declared parameters and
 * the account's values (viewers), set or reset a rule's values (admins), audited and pushed to
 * the account's connected devices. Values are checked by rendering the rule with them — unknown
 * names, wrong types, numbers out of range and list entries that are no address or network are
 * refused here, not discovered on an endpoint.
 */
import { effectiveParams, renderRule } from '@vigil/agent';
import { type MonitoringRuleDtoT, type RuleDefinitionT, VigilError } from '@vigil/protocol';
import { nowIso } from '../../store/ids.js';
import type { Services } from '../index.js';
import type { Principal, RequestContext } from '../principal.js';
import type { MonitoringService } from './monitoring-service.js';

type Ctx = RequestContext & { principal: Principal };

/** Detection rule parameter use cases. */
export class MonitoringRuleService {
  constructor(
    private readonly services: Services,
    private readonly monitoring: MonitoringService,
  ) {}

  private rule(name: string): RuleDefinitionT {
    const rule = this.monitoring.catalogue().find((r) => r.name === name);
    if (!rule)
      throw new VigilError(
        'E_DETECTION_RULE_NOT_FOUND',
        `no detection rule ${name}: vigil monitoring rules list shows them`,
      );
    return rule;
  }

  /** Every detection rule with its parameters and the account's values. */
  async list(p: Principal): Promise<MonitoringRuleDtoT[]> {
    const rows = new Map((await this.monitoring.ruleParams.list(p.accountId)).map((r) => [r.rule, r]));
    return this.monitoring.catalogue().map((rule) => {
      const row = rows.get(rule.name);
      const params = row ? (JSON.parse(row.params) as Record<string, unknown>) : {};
      let effective: Record<string, unknown>;
      try {
        effective = effectiveParams(rule, params);
      } catch {
        effective = effectiveParams(rule, {});
      }
      return {
        name: rule.name,
        title: rule.title,
        severity: rule.severity,
        monitor: rule.monitor,
        parameters: rule.parameters ?? [],
        params,
        effective,
        updated_by: row?.updated_by ?? null,
        updated_at: row?.updated_at ?? null,
      };
    });
  }

  /** Set a rule's values for the account (`{}`: back to the defaults), audit it and push the rule sets. */
  async set(ctx: Ctx, name: string, params: Record<string, unknown>): Promise<MonitoringRuleDtoT> {
    const rule = this.rule(name);
    if ((rule.parameters ?? []).length === 0 && Object.keys(params).length > 0)
      throw new VigilError('E_VALIDATION', `${rule.name} has no parameters`);
    // Rendering is the check: the agent will evaluate exactly this.
    renderRule(rule, params);
    const accountId = ctx.principal.accountId;
    if (Object.keys(params).length === 0) await this.monitoring.ruleParams.delete(accountId, rule.name);
    else
      await this.monitoring.ruleParams.put({
        account_id: accountId,
        rule: rule.name,
        params: JSON.stringify(params),
        updated_by: ctx.principal.email,
        updated_at: nowIso(),
      });
    await this.services.audit.record(ctx, 'detection_rule.params', `detection_rule:${rule.name}`, 'success', {
      params,
    });
    await this.monitoring
      .pushAll(accountId)
      .catch((e: unknown) => this.services.log.error({ err: e }, 'pushing rule sets failed'));
    const dto = (await this.list(ctx.principal)).find((r) => r.name === rule.name);
    return dto as MonitoringRuleDtoT;
  }
}
