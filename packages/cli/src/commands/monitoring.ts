/**
 * `vigil monitoring paths list|add|ignore|remove`: paths the agents' file monitor watches besides
 * its default list, and patterns it never reports — for the account or one group, pushed signed
 * with each device's rule set. Paths are checked here as the server and the agent check them.
 */
import {
  CreateMonitoringPathBody,
  Id,
  ignorePatternProblem,
  type MonitoringPathDtoT,
  VigilError,
  watchPathProblem,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { checkArg, checkBody, ID_HINT } from '../validate-args.js';
import { emit, withJson } from './common.js';

function pathsTable(items: MonitoringPathDtoT[]): string {
  if (items.length === 0) return 'No watch paths or ignore patterns: the agents watch their default list.\n';
  return formatTable(
    ['kind', 'path', 'scope', 'added by', 'id'],
    items.map((p) => [p.kind, p.path, p.group ? `group ${p.group.name}` : 'all devices', p.created_by, p.id]),
  );
}

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
