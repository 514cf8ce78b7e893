/** `vigil users list|create|update` (admins): the account's console users. */

import { CreateUserBody, Id, UpdateUserBody, type UserT, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable, shortTime } from '../output.js';
import { readSecret } from '../prompt.js';
import { checkArg, checkBody, ID_HINT } from '../validate-args.js';
import { emit, withJson } from './common.js';

function userTable(users: UserT[]): string {
  return formatTable(
    ['id', 'email', 'name', 'role', 'disabled', 'created'],
    users.map((u) => [u.id, u.email, u.name, u.role, u.disabled ? 'yes' : 'no', shortTime(u.created_at)]),
  );
}

/** Register the users commands. */
export function registerUserCommands(program: Command, ctx: CliContext): void {
  const users = program.command('users').summary('console users (admin)');

  withJson(users.command('list').description('List the users of your account.')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const answer = await client.get<{ items: UserT[] }>('/api/v1/users');
      emit(ctx, flags.json, answer, () => userTable(answer.items));
    },
  );

  withJson(
    users
      .command('create')
      .description(
        'Create a user. The password is read from stdin (--password-stdin) or typed with echo off.',
      )
      .requiredOption('--email <EMAIL>', 'e-mail address (the login name)')
      .requiredOption('--role <ROLE>', 'viewer, analyst or admin')
      .option('--name <NAME>', 'display name')
      .option('--password-stdin', 'read the password from stdin'),
  ).action(
    async (flags: {
      email: string;
      role: string;
      name?: string;
      passwordStdin?: boolean;
      json?: boolean;
    }) => {
      checkBody(CreateUserBody, {
        email: flags.email,
        role: flags.role,
        password: 'x'.repeat(12),
        ...(flags.name ? { name: flags.name } : {}),
      });
      const password = await readSecret(
        ctx.stdin,
        flags.passwordStdin,
        `Password for ${flags.email}: `,
        ctx.io.err,
      );
      const body = checkBody(CreateUserBody, {
        email: flags.email,
        role: flags.role,
        password,
        ...(flags.name ? { name: flags.name } : {}),
      });
      const client = await ctx.connect();
      const user = await client.post<UserT>('/api/v1/users', body);
      emit(ctx, flags.json, user, () => `Created ${user.role} ${user.email} (${user.id}).\n`);
    },
  );

  withJson(
    users
      .command('update')
      .description("Change a user's role, disable or enable them, or set a new password.")
      .argument('<ID>', 'user id')
      .option('--role <ROLE>', 'viewer, analyst or admin')
      .option('--disable', 'disable the user (their sessions and tokens stop working)')
      .option('--enable', 'enable the user again')
      .option('--password-stdin', 'read a new password from stdin'),
  ).action(
    async (
      id: string,
      flags: { role?: string; disable?: boolean; enable?: boolean; passwordStdin?: boolean; json?: boolean },
    ) => {
      if (flags.disable && flags.enable)
        throw new VigilError('E_USAGE', 'give --disable or --enable, not both');
      const path = `/api/v1/users/${encodeURIComponent(checkArg(Id, id, 'user id', ID_HINT))}`;
      const patch = {
        ...(flags.role ? { role: flags.role } : {}),
        ...(flags.disable ? { disabled: true } : flags.enable ? { disabled: false } : {}),
        ...(flags.passwordStdin ? { password: await readSecret(ctx.stdin, true, '', ctx.io.err) } : {}),
      };
      if (Object.keys(patch).length === 0)
        throw new VigilError(
          'E_USAGE',
          'nothing to change: give --role, --disable, --enable or --password-stdin',
        );
      const body = checkBody(UpdateUserBody, patch);
      const client = await ctx.connect();
      const user = await client.patch<UserT>(path, body);
      emit(
        ctx,
        flags.json,
        user,
        () => `Updated ${user.email}: ${user.role}${user.disabled ? ', disabled' : ''}.\n`,
      );
    },
  );
}
