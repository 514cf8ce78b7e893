/** `vigil api-token create|list|revoke`: tokens for scripts; the secret is shown exactly once. */

import { type ApiTokenT, CreateApiTokenBody, Id } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatDetails, formatTable, shortTime } from '../output.js';
import { checkArg, checkBody, ID_HINT, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';

function tokenTable(tokens: ApiTokenT[]): string {
  if (tokens.length === 0) return 'No API tokens.\n';
  return formatTable(
    ['id', 'name', 'role', 'created', 'last used', 'expires', 'revoked'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.role,
      shortTime(t.created_at),
      shortTime(t.last_used_at),
      shortTime(t.expires_at),
      t.revoked ? 'yes' : 'no',
    ]),
  );
}

/** Register the api-token commands. */
export function registerApiTokenCommands(program: Command, ctx: CliContext): void {
  const tokens = program
    .command('api-token')
    .alias('api-tokens')
    .summary('API tokens for scripts and the CLI');

  withJson(
    tokens
      .command('create')
      .description('Create an API token. Its secret is printed once and cannot be shown again.')
      .requiredOption('--name <NAME>', 'what the token is for')
      .requiredOption('--role <ROLE>', 'viewer, analyst or admin (at most your own role)')
      .option('--expires-days <DAYS>', 'expire after this many days (default: never)'),
  ).action(async (flags: { name: string; role: string; expiresDays?: string; json?: boolean }) => {
    const body = checkBody(CreateApiTokenBody, {
      name: flags.name,
      role: flags.role,
      ...(flags.expiresDays
        ? { expires_in_days: parseIntArg(flags.expiresDays, '--expires-days', 1, 3650) }
        : {}),
    });
    const client = await ctx.connect();
    const created = await client.post<{ token: ApiTokenT; secret: string }>('/api/v1/api-tokens', body);
    emit(
      ctx,
      flags.json,
      created,
      () =>
        formatDetails([
          ['ID', created.token.id],
          ['Name', created.token.name],
          ['Role', created.token.role],
          ['Expires', shortTime(created.token.expires_at) ?? 'never'],
          ['Secret', created.secret],
        ]) +
        'Store the secret now: it will not be shown again. Use it as VIGIL_TOKEN or an "Authorization: Bearer" header.\n',
    );
  });

  withJson(tokens.command('list').description("List the account's API tokens (never their secrets).")).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const answer = await client.get<{ items: ApiTokenT[] }>('/api/v1/api-tokens');
      emit(ctx, flags.json, answer, () => tokenTable(answer.items));
    },
  );

  withJson(
    tokens.command('revoke').description('Revoke an API token at once.').argument('<ID>', 'token id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const path = `/api/v1/api-tokens/${encodeURIComponent(checkArg(Id, id, 'token id', ID_HINT))}`;
    const client = await ctx.connect();
    const token = await client.delete<ApiTokenT>(path);
    emit(ctx, flags.json, token, () => `Revoked API token ${token.name} (${token.id}).\n`);
  });
}
