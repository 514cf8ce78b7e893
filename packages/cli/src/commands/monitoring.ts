/**
 * `vigil monitoring paths list|add|ignore|remove`: paths the agents' file monitor watches besides
 * its default list, and patterns it never reports — for the account or one group, pushed signed
 * with each device's rule set. Paths are checked here as the server and the agent check them.
 * `vigil monitoring rules list|set`: the detection rules' parameters for the account (a block list,
 * known-bad hashes, thresholds).
 */
import {
  CreateMonitoringPathBody,
  Id,
  ignorePatternProblem,
  type MonitoringPathDtoT,
  type MonitoringRuleDtoT,
  RULE_NAME_PATTERN,
  VigilError,
  watchPathProblem,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { checkArg, checkBody, ID_HINT } from '../validate-args.js';
import { emit, withJson } from './common.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function pathsTable(items: MonitoringPathDtoT[]): string {
  if (items.length === 0) return 'No watch paths or ignore patterns: the agents watch their default list.\n';
  return formatTable(
    ['kind', 'path', 'scope', 'added by', 'id'],
    items.map((p) => [p.kind, p.path, p.group ? `group ${p.group.name}` : 'all devices', p.created_by, p.id]),
  );
}

/**
 * `name=value` pairs typed by the rule's declared parameters: a string_list is comma-separated
 * (empty: an empty list), numbers and booleans are parsed, anything undeclared is left as text for
 * the server to refuse with its reason.
 */
export function parseRuleParams(rule: MonitoringRuleDtoT, pairs: string[]): Record<string, unknown> {
  const types = new Map(rule.parameters.map((p) => [p.name, p.type]));
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new VigilError('E_USAGE', `--param must be name=value, got '${pair}'`);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    switch (types.get(name)) {
      case 'string_list':
        out[name] = raw.trim() === '' ? [] : raw.split(',').map((v) => v.trim());
        break;
      case 'integer':
      case 'number':
        out[name] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
        break;
      case 'boolean':
        out[name] = raw === 'true' ? true : raw === 'false' ? false : raw;
        break;
      default:
        out[name] = raw;
    }
  }
  return out;
}

const shown = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(',') : '(none)') : String(v));

/** Register the monitoring commands. */
export function registerMonitoringCommands(program: Command, ctx: CliContext): void {
  const monitoring = program.command('monitoring').summary('settings of the threat monitors on the agents');
  const paths = monitoring
    .command('paths')
    .summary('paths the file monitor watches besides its default list, and patterns it never reports');

  withJson(paths.command('list').description('List the watch paths and ignore patterns.')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const answer = await client.get<{ items: MonitoringPathDtoT[] }>('/api/v1/monitoring/paths');
      emit(ctx, flags.json, answer, () => pathsTable(answer.items));
    },
  );

  const add = async (kind: 'watch' | 'ignore', path: string, flags: { group?: string; json?: boolean }) => {
    const problem = kind === 'watch' ? watchPathProblem(path) : ignorePatternProblem(path);
    if (problem) throw new VigilError('E_VALIDATION', problem);
    const body = checkBody(CreateMonitoringPathBody, {
      kind,
      path,
      ...(flags.group ? { group: flags.group } : {}),
    });
    const client = await ctx.connect();
    const p = await client.post<MonitoringPathDtoT>('/api/v1/monitoring/paths', body);
    const scope = p.group ? `the devices of group ${p.group.name}` : 'every device';
    emit(ctx, flags.json, p, () =>
      kind === 'watch'
        ? `Watching ${p.path} on ${scope} (${p.id}); changes raise Linux.Files.WatchedPathChanged.\n`
        : `Ignoring ${p.path} on ${scope} (${p.id}).\n`,
    );
  };

  withJson(
    paths
      .command('add')
      .description(
        'Watch a file, or a directory three levels deep, on the agents (an absolute path such as /srv/app/config).',
      )
      .argument('<PATH>', 'an absolute path')
      .option('--group <NAME>', 'only on the devices of this group'),
  ).action((path: string, flags: { group?: string; json?: boolean }) => add('watch', path, flags));

  withJson(
    paths
      .command('ignore')
      .description(
        "Never report files matching a glob: without / it matches the file name ('*.log'), with / the whole path ('/srv/app/cache/*').",
      )
      .argument('<PATTERN>', 'a glob (* any run of characters, ? one character)')
      .option('--group <NAME>', 'only on the devices of this group'),
  ).action((pattern: string, flags: { group?: string; json?: boolean }) => add('ignore', pattern, flags));

  const rules = monitoring
    .command('rules')
    .summary("the detection rules' parameters for the account (block lists, known-bad hashes, thresholds)");

  withJson(
    rules
      .command('list')
      .description('List the detection rules with their parameters (* marks a value the account set).'),
  ).action(async (flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const answer = await client.get<{ items: MonitoringRuleDtoT[] }>('/api/v1/monitoring/rules');
    emit(ctx, flags.json, answer, () =>
      formatTable(
        ['name', 'monitor', 'severity', 'parameters'],
        answer.items.map((r) => [
          r.name,
          r.monitor,
          r.severity,
          r.parameters.length
            ? r.parameters
                .map((p) => `${p.name}=${shown(r.effective[p.name])}${p.name in r.params ? '*' : ''}`)
                .join(' ')
            : '-',
        ]),
      ),
    );
  });

  withJson(
    rules
      .command('set')
      .description(
        "Set a rule's parameters for the account, replacing what was set (the others keep their defaults), e.g. " +
          'vigil monitoring rules set Linux.Network.ConnectionToBlockedAddress --param block_list=203.0.113.0/24,198.51.100.9',
      )
      .argument('<RULE>', 'the detection rule name')
      .option('--param <NAME=VALUE>', 'a value (repeat); lists are comma-separated', collect, [])
      .option('--reset', 'back to the defaults'),
  ).action(async (name: string, flags: { param: string[]; reset?: boolean; json?: boolean }) => {
    if (!new RegExp(RULE_NAME_PATTERN).test(name))
      throw new VigilError(
        'E_VALIDATION',
        `rule '${name}' is not a rule name such as Linux.Auth.SshBruteForce`,
      );
    const rule = name;
    if (flags.reset === flags.param.length > 0)
      throw new VigilError('E_USAGE', 'give --param NAME=VALUE (repeatable) or --reset');
    const client = await ctx.connect();
    const catalogue = await client.get<{ items: MonitoringRuleDtoT[] }>('/api/v1/monitoring/rules');
    const def = catalogue.items.find((r) => r.name === rule);
    if (!def)
      throw new VigilError(
        'E_DETECTION_RULE_NOT_FOUND',
        `no detection rule ${rule}: vigil monitoring rules list shows them`,
      );
    const params = flags.reset ? {} : parseRuleParams(def, flags.param);
    const r = await client.request<MonitoringRuleDtoT>(
      'PUT',
      `/api/v1/monitoring/rules/${encodeURIComponent(rule)}/params`,
      { body: { params } },
    );
    emit(ctx, flags.json, r.body, () =>
      flags.reset
        ? `${rule}: back to its defaults; rule sets pushed.\n`
        : `${rule}: ${Object.entries(r.body.params)
            .map(([k, v]) => `${k}=${shown(v)}`)
            .join(' ')}; rule sets pushed.\n`,
    );
  });

  withJson(
    paths
      .command('remove')
      .description('Remove a watch path or ignore pattern (by its id, from vigil monitoring paths list).')
      .argument('<ID>', 'the id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const path = `/api/v1/monitoring/paths/${encodeURIComponent(checkArg(Id, id, 'id', ID_HINT))}`;
    const client = await ctx.connect();
    const answer = await client.delete<{ ok: true }>(path);
    emit(ctx, flags.json, answer, () => `Removed ${id}.\n`);
  });
}
