/**
 * `vigil responses list|rules|add|enable|disable|remove`: automated response rules (when a detection rule fires
 * on an agent, the agent runs actions itself, with parameters from the event) and the detection
 * rule catalogue they name.
 */

import {
  CreateResponseRuleBody,
  type DetectionRuleSummaryT,
  Name,
  type ResponseRuleDtoT,
  type ResponseStepT,
  type RuleSetConditionT,
  VigilError,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { checkArg, checkBody, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';

/** A value from the command line: whole numbers and true/false typed, `{{field}}` and text as text. */
export function typedValue(text: string): string | number | boolean {
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** `network.block_ip address={{source_ip}} expires_s=3600` → one response step. */
export function parseStep(text: string): ResponseStepT {
  const [action, ...pairs] = text.trim().split(/\s+/);
  if (!action || !/^[a-z]+\.[a-z_]+$/.test(action))
    throw new VigilError(
      'E_USAGE',
      `--action must start with an action name such as network.block_ip, got '${text}'`,
    );
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new VigilError('E_USAGE', `--action parameters are name=value, got '${pair}' in '${text}'`);
    params[pair.slice(0, eq)] = typedValue(pair.slice(eq + 1));
  }
  return { action, params };
}

/** `user=root` (equals) or `user!=root` (not equals) → one condition on the event. */
export function parseCondition(text: string): RuleSetConditionT {
  const m = /^([a-z_][a-z0-9_.]*)(!=|=)(.*)$/.exec(text.trim());
  if (!m) throw new VigilError('E_USAGE', `--when must be field=value or field!=value, got '${text}'`);
  const value = typedValue(m[3] as string);
  return m[2] === '='
    ? { field: m[1] as string, equals: value }
    : { field: m[1] as string, not_equals: value };
}

function stepText(s: ResponseStepT): string {
  const params = Object.entries(s.params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return params ? `${s.action} ${params}` : s.action;
}

function responsesTable(items: ResponseRuleDtoT[]): string {
  if (items.length === 0) return 'No response rules.\n';
  return formatTable(
    ['name', 'when rule', 'conditions', 'then', 'mode', 'max/h', 'scope', 'id'],
    items.map((r) => [
      r.name,
      r.rule,
      r.when.length
        ? r.when
            .map((c) => `${c.field}${c.equals !== undefined ? `=${c.equals}` : `!=${c.not_equals}`}`)
            .join(' ')
        : '-',
      r.actions.map(stepText).join('; '),
      `${r.dry_run ? 'dry run' : 'live'}${r.enabled ? '' : ', disabled'}`,
      r.max_per_hour,
      r.group ? `group ${r.group.name}` : 'all devices',
      r.id,
    ]),
  );
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Register the responses commands. */
export function registerResponseCommands(program: Command, ctx: CliContext): void {
  const responses = program
    .command('responses')
    .summary('automated responses the agents run when a detection rule fires');

  withJson(responses.command('list').description('List the response rules.')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const answer = await client.get<{ items: ResponseRuleDtoT[] }>('/api/v1/responses');
      emit(ctx, flags.json, answer, () => responsesTable(answer.items));
    },
  );

  withJson(responses.command('rules').description('List the detection rules responses can name.')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const answer = await client.get<{ items: DetectionRuleSummaryT[] }>('/api/v1/detection-rules');
      emit(ctx, flags.json, answer, () =>
        formatTable(
          ['name', 'severity', 'monitor', 'att&ck', 'title'],
          answer.items.map((r) => [r.name, r.severity, r.monitor, r.attack.join(' '), r.title]),
        ),
      );
    },
  );

  withJson(
    responses
      .command('add')
      .description(
        'Add a response rule: when RULE fires on an agent (and every --when holds), the agent runs each --action. ' +
          'A new rule is a dry run (it reports what it would do) unless --live is given.',
      )
      .argument('<NAME>', 'a name for the rule')
      .requiredOption(
        '--rule <RULE>',
        'a detection rule name or pattern with *, e.g. Linux.Auth.SshBruteForce',
      )
      .requiredOption(
        '--action <ACTION>',
        "an action and its parameters, e.g. 'network.block_ip address={{source_ip}} expires_s=3600' (repeat for several)",
        collect,
      )
      .option(
        '--when <CONDITION>',
        'field=value or field!=value on the event, e.g. user=root (repeatable)',
        collect,
      )
      .option('--group <NAME>', 'only for the devices of this group')
      .option('--max-per-hour <N>', 'executions allowed per hour (default 10)')
      .option('--live', 'act for real (default: dry run)'),
  ).action(
    async (
      name: string,
      flags: {
        rule: string;
        action: string[];
        when?: string[];
        group?: string;
        maxPerHour?: string;
        live?: boolean;
        json?: boolean;
      },
    ) => {
      const body = checkBody(CreateResponseRuleBody, {
        name,
        rule: flags.rule,
        actions: flags.action.map(parseStep),
        ...(flags.when ? { when: flags.when.map(parseCondition) } : {}),
        ...(flags.group ? { group: flags.group } : {}),
        ...(flags.maxPerHour
          ? { max_per_hour: parseIntArg(flags.maxPerHour, '--max-per-hour', 1, 1000) }
          : {}),
        dry_run: !flags.live,
      });
      const client = await ctx.connect();
      const r = await client.post<ResponseRuleDtoT>('/api/v1/responses', body);
      emit(
        ctx,
        flags.json,
        r,
        () =>
          `Added response rule ${r.name} (${r.id}): when ${r.rule} fires → ${r.actions.map(stepText).join('; ')}${r.dry_run ? ' [dry run: add --live to act]' : ''}.\n`,
      );
    },
  );

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    withJson(
      responses
        .command(verb)
        .description(
          enabled
            ? 'Enable a response rule: it is sent to the agents again.'
            : 'Disable a response rule: it is kept, but no longer sent to agents.',
        )
        .argument('<NAME>', 'the rule name or id'),
    ).action(async (name: string, flags: { json?: boolean }) => {
      const path = `/api/v1/responses/${encodeURIComponent(checkArg(Name, name, 'response rule name', 'a name or id'))}`;
      const client = await ctx.connect();
      const r = await client.patch<ResponseRuleDtoT>(path, { enabled });
      emit(ctx, flags.json, r, () => `${enabled ? 'Enabled' : 'Disabled'} response rule ${r.name}.\n`);
    });

  withJson(
    responses
      .command('remove')
      .description('Remove a response rule.')
      .argument('<NAME>', 'the rule name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const path = `/api/v1/responses/${encodeURIComponent(checkArg(Name, name, 'response rule name', 'a name or id'))}`;
    const client = await ctx.connect();
    const answer = await client.delete<{ ok: true }>(path);
    emit(ctx, flags.json, answer, () => `Removed response rule ${name}.\n`);
  });
}
