/** `vigil enrollment create|list|revoke`: tokens that let agents join, with a ready install line. */
import { Id, Name, Tag } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable, shortTime } from '../output.js';
import { checkArg, ID_HINT, NAME_HINT, parseIntArg, TAG_HINT } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { parseDuration } from './targets.js';

interface TokenView {
  id: string;
  group_id: string | null;
  tags: string[];
  expires_at: string;
  max_uses: number | null;
  uses: number;
  revoked: boolean;
}

/** Register the enrollment commands. */
export function registerEnrollmentCommands(program: Command, ctx: CliContext): void {
  const cmd = program.command('enrollment').summary('create and manage enrollment tokens for new agents');
  withJson(
    cmd
      .command('create')
      .description('Create an enrollment token and print the install line for the agent (admin).')
      .option('--group <GROUP>', 'put new devices into this static group')
      .option('--tags <a,b>', 'tag new devices')
      .option('--expires <DURATION>', 'lifetime, e.g. 24h or 7d (default 24h)', '24h')
      .option('--uses <N>', 'how many agents may use it (default unlimited)'),
  ).action(
    async (flags: { group?: string; tags?: string; expires: string; uses?: string; json?: boolean }) => {
      const body = {
        ...(flags.group ? { group: checkArg(Name, flags.group, '--group', NAME_HINT) } : {}),
        ...(flags.tags
          ? { tags: [...new Set(flags.tags.split(',').map((t) => checkArg(Tag, t.trim(), 'tag', TAG_HINT)))] }
          : {}),
        expires_in_s: parseDuration(flags.expires, '--expires'),
        ...(flags.uses ? { uses: parseIntArg(flags.uses, '--uses', 1, 1_000_000) } : {}),
      };
      const client = await ctx.connect();
      const created = await client.post<
        TokenView & { token: string; install_line: string; ca_fingerprint: string }
      >('/api/v1/enrollment-tokens', body);
      emit(ctx, flags.json, created, () =>
        [
          `Enrollment token ${created.id} (expires ${shortTime(created.expires_at)}${created.max_uses ? `, ${created.max_uses} use(s)` : ''}).`,
          'Run on the device (the token is shown only now):',
          '',
          `  ${created.install_line}`,
          '  vigil agent run',
          '',
        ].join('\n'),
      );
    },
  );
  withJson(cmd.command('list').description('List enrollment tokens (admin).')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const page = await client.get<{ items: TokenView[] }>('/api/v1/enrollment-tokens');
      emit(ctx, flags.json, page, () =>
        page.items.length === 0
          ? 'No enrollment tokens.\n'
          : formatTable(
              ['id', 'tags', 'expires', 'uses', 'revoked'],
              page.items.map((t) => [
                t.id,
                t.tags,
                shortTime(t.expires_at),
                `${t.uses}/${t.max_uses ?? '∞'}`,
                t.revoked ? 'yes' : 'no',
              ]),
            ),
      );
    },
  );
  withJson(
    cmd.command('revoke').description('Revoke an enrollment token (admin).').argument('<ID>', 'token id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const t = await client.delete<TokenView>(
      `/api/v1/enrollment-tokens/${encodeURIComponent(checkArg(Id, id, 'token id', ID_HINT))}`,
    );
    emit(ctx, flags.json, t, () => `Revoked enrollment token ${t.id}.\n`);
  });
}
