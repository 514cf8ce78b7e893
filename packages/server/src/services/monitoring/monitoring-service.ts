/**
 * Threat monitoring on the server: the detection rule catalogue (definitions/rules), each device's
 * rule set — the rules for its platform, rendered with their parameters, and the automated
 * responses and file-monitor watch paths of its account and groups — pushed signed as `rules.set` when the device connects,
 * when its facts change and when a response changes; and the ingest of the agents' `alert.event`
 * items into the alert inbox.
 */
import { createHash } from 'node:crypto';
import { loadRules, renderRule } from '@vigil/agent';
import {
  AlertEventBody,
  type AlertEventBodyT,
  type ResponseRuleT,
  type RuleDefinitionT,
  type RuleSetRuleT,
  type RulesSetBodyT,
  VigilError,
  type WatchConfigT,
} from '@vigil/protocol';
import type { AgentHub } from '../../hub/hub.js';
import { DetectionRuleParamsRepo } from '../../store/repos/detection-rule-params.js';
import { MonitoringPathsRepo } from '../../store/repos/monitoring-paths.js';
import { type ResponseRuleRow, ResponseRulesRepo } from '../../store/repos/response-rules.js';
import { BoundedCache } from '../bounded-cache.js';
import type { Services } from '../index.js';
import { ingestAlertEvent } from './ingest-alert-event.js';

/** The agent's form of a stored response rule. */
export function responseRuleOf(row: ResponseRuleRow): ResponseRuleT {
  return {
    id: row.id,
    name: row.name,
    rule: row.rule,
    when: JSON.parse(row.conditions) as ResponseRuleT['when'],
    actions: JSON.parse(row.actions) as ResponseRuleT['actions'],
    dry_run: row.dry_run === 1,
    max_per_hour: Number(row.max_per_hour),
  };
}

/** Detection rules, rule sets and monitor alerts. */
export class MonitoringService {
  private library: RuleDefinitionT[] | undefined;
  /**
   * Rendered rules by platform and the account's parameter values: rendering every rule again
   * for each connecting agent cost server CPU for the same result. Shared, never mutated.
   */
  /** Rendered rules per distinct input, with their JSON (hashed into every device's digest). */
  private readonly renderedRules = new BoundedCache<string, { rules: RuleSetRuleT[]; json: string }>(64);
  /** The digest last pushed to each device by this node (a changed set is pushed again). */
  private readonly pushed = new Map<string, string>();
  readonly responses: ResponseRulesRepo;
  readonly paths: MonitoringPathsRepo;
  readonly ruleParams: DetectionRuleParamsRepo;

  constructor(
    private readonly services: Services,
    private readonly hub: AgentHub,
    private readonly rulesDir?: string,
  ) {
    this.responses = new ResponseRulesRepo(services.store.db);
    this.paths = new MonitoringPathsRepo(services.store.db);
    this.ruleParams = new DetectionRuleParamsRepo(services.store.db);
    hub.ingestor.register('alert.event', AlertEventBody, (trx, source, body) =>
      ingestAlertEvent(services.alerts, trx, source, body as AlertEventBodyT),
    );
    hub.onAttach((deviceId, accountId, held) =>
      this.pushRuleSet(accountId, deviceId, held.rules_set ?? null),
    );
    hub.onFactsChanged((deviceId, accountId) => this.pushRuleSet(accountId, deviceId));
    // Responses and watch paths can be per group: a device that joins or leaves one gets its new set.
    services.groups.onMembershipChanged((accountId) =>
      this.pushAll(accountId).catch((e: unknown) =>
        services.log.error({ err: e }, 'pushing rule sets after a group change failed'),
      ),
    );
  }

  /** The shipped detection rules (loaded once). */
  catalogue(): RuleDefinitionT[] {
    if (!this.library) this.library = this.rulesDir ? loadRules(this.rulesDir) : loadRules();
    return this.library;
  }

  /** The rule set of one device: its platform's rules and the responses of its account and groups. */
  async ruleSetFor(accountId: string, deviceId: string): Promise<RulesSetBodyT> {
    const device = await this.services.repos.devices.byId(deviceId);
    if (!device || device.account_id !== accountId)
      throw new VigilError('E_DEVICE_NOT_FOUND', `no device ${deviceId} in this account`);
    const platform = device.os_platform as 'linux' | 'macos' | 'windows';
    const overrides = await this.paramsOf(accountId);
    const key = JSON.stringify([platform, [...overrides]]);
    let rendered = this.renderedRules.get(key);
    if (!rendered) {
      const rules = this.catalogue()
        .filter((r) => r.platforms.includes(platform))
        .map((r) => this.render(r, overrides.get(r.name)));
      rendered = { rules, json: JSON.stringify(rules) };
      this.renderedRules.set(key, rendered);
    }
    const { rules } = rendered;
    const responses = (await this.responses.forDevice(accountId, deviceId)).map(responseRuleOf);
    const watch = await this.watchConfigFor(accountId, deviceId);
    // The digest is over JSON.stringify({ rules, responses, watch? }), with the rules' JSON reused
    // (~12 KB that would otherwise be serialized again on every connect).
    const digest = createHash('sha256')
      .update(`{"rules":${rendered.json},"responses":${JSON.stringify(responses)}`)
      .update(watch ? `,"watch":${JSON.stringify(watch)}}` : '}')
      .digest('hex')
      .slice(0, 32);
    return { digest, rules, responses, ...(watch ? { watch } : {}) };
  }

  /** The parameter values an account set, by rule name. */
  async paramsOf(accountId: string): Promise<Map<string, Record<string, unknown>>> {
    const rows = await this.ruleParams.list(accountId);
    return new Map(rows.map((r) => [r.rule, JSON.parse(r.params) as Record<string, unknown>]));
  }

  /**
   * A rule rendered with the account's values; values a newer rule file no longer accepts (checked
   * when they were set, against the rule of that day) fall back to the defaults, logged, so one
   * stale value cannot keep a device from getting its rule set.
   */
  private render(rule: RuleDefinitionT, params: Record<string, unknown> | undefined): RuleSetRuleT {
    if (!params) return renderRule(rule);
    try {
      return renderRule(rule, params);
    } catch (error) {
      this.services.log.warn(
        { rule: rule.name, err: (error as Error).message },
        "the account's parameters of a detection rule no longer apply; its defaults are used",
      );
      return renderRule(rule);
    }
  }

  /** The watch paths and ignore patterns of a device (account-wide and its groups'), or undefined when there are none. */
  private async watchConfigFor(accountId: string, deviceId: string): Promise<WatchConfigT | undefined> {
    const rows = await this.paths.forDevice(accountId, deviceId);
    if (rows.length === 0) return undefined;
    // A path configured both account-wide and for a group is sent once.
    const of = (kind: string) => [...new Set(rows.filter((r) => r.kind === kind).map((r) => r.path))].sort();
    return { paths: of('watch'), ignore: of('ignore') };
  }

  /**
   * Push the rule set unless the agent holds it: on connect the agent says which set it holds
   * (`agentHolds`; null when none or unsaid, and then it is sent), later the digest this node last
   * pushed stands for it.
   */
  async pushRuleSet(accountId: string, deviceId: string, agentHolds?: string | null): Promise<void> {
    const set = await this.ruleSetFor(accountId, deviceId);
    const holds = agentHolds === undefined ? this.pushed.get(deviceId) : agentHolds;
    if (holds !== set.digest) await this.hub.sendToDevice(accountId, deviceId, 'rules.set', set);
    this.pushed.set(deviceId, set.digest);
  }

  /** Push again to every connected device of the account whose rule set changed. */
  async pushAll(accountId: string): Promise<void> {
    for (const id of await this.services.repos.devices.idsOf(accountId)) {
      if (this.hub.isConnected(id)) await this.pushRuleSet(accountId, id);
    }
  }
}
