/**
 * user.lock / user.unlock / user.logout on Linux. Lock = `usermod -L` plus an expiry in the past
 * (so SSH keys stop working too); the state before is reported and becomes the undo, so unlock
 * puts back exactly what was there. Logout = `loginctl terminate-user` where logind runs, else
 * `pkill -KILL` of the user's processes. Root and the agent's own user are refused.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VigilError } from '@vigil/protocol/agent-runtime';
import { findProgram } from '../../tables/collectors/command-runner.js';
import type { ActionContext, ActionImpls, ActionOutcome } from '../types.js';
import { lookupUser, type UserEntry } from '../users.js';
import { refuse, runChecked, runProgram } from './action-failure.js';
import { listProcesses } from './proc-scan.js';
import { systemdRunning } from './systemd.js';

const execFileAsync = promisify(execFile);

/** The expiry lock sets: the first day after the epoch, i.e. long expired. */
export const EXPIRED_DATE = '1970-01-02';

/** The password-lock and expiry state of an account. */
export interface AccountState {
  password_locked: boolean;
  /** YYYY-MM-DD, or null when the account never expires. */
  expire_date: string | null;
}

/** Parse a shadow line (`name:hash:lastchg:min:max:warn:inactive:expire:`). */
export function parseShadowLine(line: string): AccountState {
  const f = line.trim().split(':');
  const expire = f[7] ?? '';
  return {
    password_locked: (f[1] ?? '').startsWith('!'),
    expire_date: /^\d+$/.test(expire)
      ? new Date(Number(expire) * 86_400_000).toISOString().slice(0, 10)
      : null,
  };
}

/** usermod argv for a lock. */
export function lockArgv(username: string, expire: boolean): string[] {
  return ['-L', ...(expire ? ['-e', EXPIRED_DATE] : []), '--', username];
}

/** usermod argv for an unlock; an empty -e removes the expiry. */
export function unlockArgv(username: string, unlockPassword: boolean, expireDate: string | null): string[] {
  return [...(unlockPassword ? ['-U'] : []), '-e', expireDate ?? '', '--', username];
}

async function accountState(username: string): Promise<AccountState> {
  const getent = findProgram('getent');
  if (!getent) throw new VigilError('E_ACTION_UNSUPPORTED', 'getent is not installed');
  const { stdout } = await execFileAsync(getent, ['shadow', username], {
    env: { LC_ALL: 'C' },
    timeout: 10_000,
  });
  return parseShadowLine(stdout);
}

async function target(params: Record<string, unknown>, verb: string): Promise<UserEntry> {
  const username = String(params.username);
  const user = await lookupUser(username);
  if (!user) throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `there is no user ${username} on this device`);
  if (user.uid === 0) refuse(`refusing to ${verb} ${username}: it is a root account (uid 0)`);
  if (user.uid === process.getuid?.())
    refuse(`refusing to ${verb} ${username}: the Vigil agent runs as this user`);
  return user;
}

async function lock(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const user = await target(params, 'lock');
  const expire = params.expire !== false;
  const before = await accountState(user.name);
  const undo = {
    action: 'user.unlock',
    params: {
      username: user.name,
      unlock_password: !before.password_locked,
      ...(before.expire_date ? { expire_date: before.expire_date } : {}),
    },
  };
  const already = before.password_locked && (!expire || before.expire_date === EXPIRED_DATE);
  const argv = lockArgv(user.name, expire);
  if (already)
    return {
      ok: true,
      changed: false,
      summary: `${user.name} is already locked`,
      details: { username: user.name, uid: user.uid, before, after: before },
    };
  if (ctx.dryRun)
    return {
      ok: true,
      changed: false,
      summary: `would lock ${user.name}${expire ? ' and expire the account' : ''}`,
      details: { username: user.name, uid: user.uid, command: ['usermod', ...argv], before },
    };
  await runChecked(ctx, 'usermod', argv);
  const after = await accountState(user.name);
  return {
    ok: true,
    changed: true,
    summary: `locked ${user.name}${expire ? ' and expired the account' : ''}; existing sessions continue until user.logout`,
    details: { username: user.name, uid: user.uid, before, after },
    undo,
  };
}

async function unlock(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const user = await target(params, 'unlock');
  const unlockPassword = params.unlock_password !== false;
  const expireDate = typeof params.expire_date === 'string' ? params.expire_date : null;
  const before = await accountState(user.name);
  const argv = unlockArgv(user.name, unlockPassword && before.password_locked, expireDate);
  const wanted = {
    password_locked: unlockPassword ? false : before.password_locked,
    expire_date: expireDate,
  };
  if (before.password_locked === wanted.password_locked && before.expire_date === wanted.expire_date)
    return {
      ok: true,
      changed: false,
      summary: `${user.name} is already unlocked`,
      details: { username: user.name, uid: user.uid, before, after: before },
    };
  if (ctx.dryRun)
    return {
      ok: true,
      changed: false,
      summary: `would unlock ${user.name}`,
      details: { username: user.name, uid: user.uid, command: ['usermod', ...argv], before },
    };
  await runChecked(ctx, 'usermod', argv);
  const after = await accountState(user.name);
  return {
    ok: true,
    changed: true,
    summary: `unlocked ${user.name}`,
    details: { username: user.name, uid: user.uid, before, after },
    undo: {
      action: 'user.lock',
      params: { username: user.name, expire: before.expire_date === EXPIRED_DATE },
    },
  };
}

function countProcesses(uid: number, root: string): number {
  return listProcesses(root).filter((p) => (p.uid === uid || p.euid === uid) && p.state !== 'Z').length;
}

/** The pkill argv pair that kills every process of a uid (real, then effective). */
export function pkillArgvs(uid: number): string[][] {
  return [
    ['-KILL', '-U', String(uid)],
    ['-KILL', '-u', String(uid)],
  ];
}

async function logout(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const user = await target(params, 'log out');
  const before = countProcesses(user.uid, ctx.root);
  const method = systemdRunning(ctx.root) && findProgram('loginctl') ? 'loginctl' : 'pkill';
  const base = { username: user.name, uid: user.uid, method, processes_before: before };
  if (ctx.dryRun)
    return {
      ok: true,
      changed: false,
      summary: `would end ${user.name}'s sessions (${before} processes) with ${method}`,
      details: base,
    };
  if (before === 0)
    return {
      ok: true,
      changed: false,
      summary: `${user.name} has no processes`,
      details: { ...base, processes_after: 0 },
    };
  if (method === 'loginctl') await runChecked(ctx, 'loginctl', ['terminate-user', '--', user.name]);
  else
    for (const argv of pkillArgvs(user.uid)) {
      // pkill exits 1 when nothing matched (the first call may have killed them all): not an error.
      const out = await runProgram(ctx, 'pkill', argv);
      if (out.code > 1) await runChecked(ctx, 'pkill', argv);
    }
  let after = countProcesses(user.uid, ctx.root);
  for (let i = 0; i < 40 && after > 0 && !ctx.signal.aborted; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = countProcesses(user.uid, ctx.root);
  }
  return {
    ok: true,
    changed: true,
    summary: `ended ${user.name}'s sessions with ${method}: ${before} processes before, ${after} after`,
    details: { ...base, processes_after: after },
  };
}

/** The Linux user actions. */
export const linuxUserActions: ActionImpls = {
  'user.lock': lock,
  'user.unlock': unlock,
  'user.logout': logout,
};
