import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionTestContext } from '../test-context.js';
import { EXPIRED_DATE, linuxUserActions, lockArgv, parseShadowLine, pkillArgvs, unlockArgv } from './user.js';

const lock = linuxUserActions['user.lock']!;
const unlock = linuxUserActions['user.unlock']!;
const logout = linuxUserActions['user.logout']!;

const isRoot = process.getuid?.() === 0;
const username = `vgt${randomBytes(3).toString('hex')}`;
// A real SHA-512 crypt hash (of "x"): unlocking must give back exactly this.
const HASH =
  '$6$saltsalt$Ixg8T5H6xk3VVOjxFY0kXNvAyppQkXb5rhCdIjNUEn1AFcYG5/CMMhdNgpmMuOvrGmVHx8VRZaf6tbGxxC/k2/';

const shadow = () => execFileSync('getent', ['shadow', username], { encoding: 'utf8' }).trim().split(':');

describe('user action argv and parsing', () => {
  it('builds usermod and pkill argument arrays with the name after --', () => {
    expect(lockArgv('alice', true)).toEqual(['-L', '-e', '1970-01-02', '--', 'alice']);
    expect(lockArgv('alice', false)).toEqual(['-L', '--', 'alice']);
    expect(unlockArgv('alice', true, null)).toEqual(['-U', '-e', '', '--', 'alice']);
    expect(unlockArgv('alice', false, '2030-01-01')).toEqual(['-e', '2030-01-01', '--', 'alice']);
    expect(pkillArgvs(1001)).toEqual([
      ['-KILL', '-U', '1001'],
      ['-KILL', '-u', '1001'],
    ]);
  });

  it('reads lock and expiry from a shadow line', () => {
    expect(parseShadowLine('a:!$6$x:19000:0:99999:7:::')).toEqual({
      password_locked: true,
      expire_date: null,
    });
    expect(parseShadowLine('a:$6$x:19000:0:99999:7::1:')).toEqual({
      password_locked: false,
      expire_date: EXPIRED_DATE,
    });
    expect(parseShadowLine('a:*:19000:0:99999:7::20454:')).toEqual({
      password_locked: false,
      expire_date: '2026-01-01',
    });
  });
});

describe.skipIf(!isRoot)('user.lock / unlock / logout on a real test user (needs root)', () => {
  beforeAll(() => {
    execFileSync('useradd', ['-M', '-s', '/bin/sh', '-p', HASH, '-e', '2031-05-06', username]);
  });
  afterAll(() => {
    execFileSync('userdel', ['-f', username], { stdio: 'ignore' });
  });

  it('locks and expires the account, then the undo puts back exactly the previous state', async () => {
    const ctx = actionTestContext();
    const dry = await lock({ username, expire: true }, { ...ctx, dryRun: true });
    expect(dry).toMatchObject({ ok: true, changed: false });
    expect(shadow()[1]).toBe(HASH);

    const locked = await lock({ username, expire: true }, ctx);
    expect(locked).toMatchObject({
      ok: true,
      changed: true,
      details: {
        before: { password_locked: false, expire_date: '2031-05-06' },
        after: { password_locked: true, expire_date: EXPIRED_DATE },
      },
      undo: { action: 'user.unlock', params: { username, unlock_password: true, expire_date: '2031-05-06' } },
    });
    expect(shadow()[1]).toBe(`!${HASH}`);
    expect(shadow()[7]).toBe('1');
    expect(await lock({ username, expire: true }, ctx)).toMatchObject({ ok: true, changed: false });

    const dryUnlock = await unlock(locked.undo!.params, { ...ctx, dryRun: true });
    expect(dryUnlock).toMatchObject({ changed: false });
    expect(shadow()[1]).toBe(`!${HASH}`);

    const unlocked = await unlock(locked.undo!.params, ctx);
    expect(unlocked).toMatchObject({
      ok: true,
      changed: true,
      details: { after: { password_locked: false, expire_date: '2031-05-06' } },
    });
    expect(shadow()[1]).toBe(HASH);
    expect(Number(shadow()[7])).toBe(Date.parse('2031-05-06') / 86_400_000);
  });

  it('ends every process of the user (pkill where logind does not run) and changes nothing in a dry run', async () => {
    const uid = Number(execFileSync('id', ['-u', username], { encoding: 'utf8' }));
    const child = spawn('/bin/sleep', ['300'], { uid, gid: uid, stdio: 'ignore', detached: true });
    const exited = new Promise<string>((r) => child.on('exit', (_c, s) => r(String(s))));
    await new Promise((r) => setTimeout(r, 150));
    const dry = await logout({ username }, actionTestContext({ dryRun: true }));
    expect(dry).toMatchObject({ ok: true, changed: false, details: { processes_before: 1 } });
    expect(child.exitCode === null && child.signalCode === null).toBe(true);
    const out = await logout({ username }, actionTestContext());
    expect(out).toMatchObject({
      ok: true,
      changed: true,
      details: { processes_before: 1, processes_after: 0 },
    });
    expect(await exited).toBe('SIGKILL');
  });

  it('refuses root and unknown users', async () => {
    const rootBefore = execFileSync('getent', ['shadow', 'root'], { encoding: 'utf8' });
    for (const impl of [lock, unlock, logout])
      await expect(impl({ username: 'root' }, actionTestContext())).rejects.toMatchObject({
        code: 'E_ACTION_REFUSED',
      });
    await expect(lock({ username: 'no_such_user_vigil' }, actionTestContext())).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
    expect(execFileSync('getent', ['shadow', 'root'], { encoding: 'utf8' })).toBe(rootBefore);
  });
});
