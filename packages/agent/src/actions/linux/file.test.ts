import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionTestContext } from '../test-context.js';
import { linuxFileActions } from './file.js';

const quarantine = linuxFileActions['file.quarantine']!;
const restore = linuxFileActions['file.restore']!;
const remove = linuxFileActions['file.delete']!;

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A file with an unusual owner, mode and mtime, so a restore that loses any of them fails. */
function sample(content = `malware ${Math.random()}\n`, base = tmpdir()) {
  const dir = mkdtempSync(join(base, 'vigil-file-'));
  const path = join(dir, 'evil.bin');
  writeFileSync(path, content);
  chownSync(path, 65534, 65534);
  chmodSync(path, 0o4751);
  utimesSync(path, new Date('2021-03-04T05:06:07Z'), new Date('2021-03-04T05:06:07Z'));
  return { dir, path, content };
}

describe('file.quarantine and file.restore (real files)', () => {
  it('moves a file into the store with its metadata, and restores it exactly', async () => {
    const ctx = actionTestContext();
    const f = sample();
    const q = await quarantine({ path: f.path }, ctx);
    expect(q).toMatchObject({ ok: true, changed: true, undo: { action: 'file.restore' } });
    expect(existsSync(f.path)).toBe(false);
    const id = q.details.id as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    const entry = join(ctx.quarantineDir, id);
    const meta = JSON.parse(readFileSync(join(entry, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      id,
      original_path: f.path,
      sha256: sha(f.content),
      size: Buffer.byteLength(f.content),
      uid: 65534,
      gid: 65534,
      mode: 0o4751,
      mode_octal: '4751',
      mtime_ms: Date.parse('2021-03-04T05:06:07Z'),
    });
    expect(Date.parse(meta.quarantined_at)).toBeGreaterThan(Date.now() - 60_000);
    // Held inert: no permission bits, store and entry private to root.
    expect(statSync(join(entry, 'file')).mode & 0o7777).toBe(0);
    expect(statSync(ctx.quarantineDir).mode & 0o777).toBe(0o700);
    expect(statSync(entry).mode & 0o777).toBe(0o700);
    expect(statSync(join(entry, 'meta.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(entry, 'file'), 'utf8')).toBe(f.content);

    const r = await restore(q.undo!.params, ctx);
    expect(r).toMatchObject({
      ok: true,
      changed: true,
      undo: { action: 'file.quarantine', params: { path: f.path } },
    });
    const st = statSync(f.path);
    expect(readFileSync(f.path, 'utf8')).toBe(f.content);
    expect([st.uid, st.gid, st.mode & 0o7777, st.mtimeMs]).toEqual([
      65534,
      65534,
      0o4751,
      Date.parse('2021-03-04T05:06:07Z'),
    ]);
    expect(existsSync(entry)).toBe(false);
    expect(readdirSync(f.dir)).toEqual(['evil.bin']);
  });

  it.skipIf(statSync('/dev/shm').dev === statSync(tmpdir()).dev)(
    'quarantines and restores across filesystems (copy, verify, remove) when /dev/shm is another one',
    async () => {
      const ctx = actionTestContext();
      const f = sample(`cross-device ${Math.random()}`, '/dev/shm');
      const q = await quarantine({ path: f.path }, ctx);
      expect(existsSync(f.path)).toBe(false);
      expect(q.details.sha256).toBe(sha(f.content));
      await restore({ id: q.details.id }, ctx);
      expect(readFileSync(f.path, 'utf8')).toBe(f.content);
      expect(statSync(f.path).mode & 0o7777).toBe(0o4751);
      expect(readdirSync(f.dir)).toEqual(['evil.bin']);
      rmSync(f.dir, { recursive: true, force: true });
    },
  );

  it('refuses to restore a file whose quarantined copy no longer matches its hash', async () => {
    const ctx = actionTestContext();
    const f = sample();
    const q = await quarantine({ path: f.path }, ctx);
    const stored = join(ctx.quarantineDir, q.details.id as string, 'file');
    chmodSync(stored, 0o600);
    writeFileSync(stored, 'tampered');
    await expect(restore({ id: q.details.id }, ctx)).rejects.toMatchObject({ code: 'E_ACTION_INTEGRITY' });
    expect(existsSync(f.path)).toBe(false);
  });

  it('does not clobber a file that appeared at the original path unless overwrite is set', async () => {
    const ctx = actionTestContext();
    const f = sample();
    const q = await quarantine({ path: f.path }, ctx);
    writeFileSync(f.path, 'new legitimate file');
    await expect(restore({ id: q.details.id }, ctx)).rejects.toMatchObject({ code: 'E_ACTION_REFUSED' });
    expect(readFileSync(f.path, 'utf8')).toBe('new legitimate file');
    await restore({ id: q.details.id, overwrite: true }, ctx);
    expect(readFileSync(f.path, 'utf8')).toBe(f.content);
  });

  it('acts only on the expected hash when one is given', async () => {
    const ctx = actionTestContext();
    const f = sample();
    await expect(quarantine({ path: f.path, sha256: sha('other') }, ctx)).rejects.toMatchObject({
      code: 'E_ACTION_INTEGRITY',
    });
    expect(existsSync(f.path)).toBe(true);
    expect((await quarantine({ path: f.path, sha256: sha(f.content).toUpperCase() }, ctx)).ok).toBe(true);
  });

  it('changes nothing in a dry run', async () => {
    const ctx = actionTestContext({ dryRun: true });
    const f = sample();
    const q = await quarantine({ path: f.path }, ctx);
    expect(q).toMatchObject({ ok: true, changed: false, details: { sha256: sha(f.content) } });
    expect(readFileSync(f.path, 'utf8')).toBe(f.content);
    expect(readdirSync(ctx.quarantineDir)).toEqual([]);
    const d = await remove({ path: f.path }, ctx);
    expect(d).toMatchObject({ ok: true, changed: false });
    expect(existsSync(f.path)).toBe(true);
    const live = actionTestContext();
    const real = await quarantine({ path: f.path }, live);
    const dry = await restore({ id: real.details.id }, { ...live, dryRun: true });
    expect(dry).toMatchObject({ ok: true, changed: false });
    expect(existsSync(f.path)).toBe(false);
    expect(existsSync(join(live.quarantineDir, real.details.id as string, 'file'))).toBe(true);
  });

  it('refuses directories, devices, unknown ids and the agent’s own files', async () => {
    const ctx = actionTestContext();
    const f = sample();
    await expect(quarantine({ path: f.dir }, ctx)).rejects.toMatchObject({ code: 'E_ACTION_REFUSED' });
    await expect(quarantine({ path: '/dev/null' }, ctx)).rejects.toMatchObject({ code: 'E_ACTION_REFUSED' });
    await expect(quarantine({ path: join(f.dir, 'missing') }, ctx)).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
    await expect(restore({ id: 'AAAAAAAAAAAA' }, ctx)).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
    writeFileSync(join(ctx.stateDir, 'agent.key'), 'secret');
    await expect(quarantine({ path: join(ctx.stateDir, 'agent.key') }, ctx)).rejects.toMatchObject({
      code: 'E_ACTION_REFUSED',
    });
    expect(readFileSync(join(ctx.stateDir, 'agent.key'), 'utf8')).toBe('secret');
  });
});

describe('file.delete (real files)', () => {
  it('deletes a file and a symbolic link (not its target)', async () => {
    const ctx = actionTestContext();
    const f = sample();
    const link = join(f.dir, 'link');
    symlinkSync(f.path, link);
    expect(await remove({ path: link }, ctx)).toMatchObject({
      ok: true,
      changed: true,
      details: { kind: 'a symbolic link' },
    });
    expect(existsSync(f.path)).toBe(true);
    const d = await remove({ path: f.path, sha256: sha(f.content) }, ctx);
    expect(d).toMatchObject({ ok: true, changed: true, details: { sha256: sha(f.content) } });
    expect(readdirSync(f.dir)).toEqual([]);
  });

  it('refuses /, the state dir, the quarantine store, files inside them, directories, and a wrong hash', async () => {
    const ctx = actionTestContext();
    writeFileSync(join(ctx.stateDir, 'outbox.db'), 'db');
    mkdirSync(join(ctx.quarantineDir, 'abcdefgh'));
    writeFileSync(join(ctx.quarantineDir, 'abcdefgh', 'file'), 'held');
    const f = sample();
    for (const path of [
      '/',
      '/tmp/..',
      ctx.stateDir,
      join(ctx.stateDir, 'outbox.db'),
      ctx.quarantineDir,
      join(ctx.quarantineDir, 'abcdefgh', 'file'),
      join(ctx.quarantineDir, '..', 'outbox.db'),
      f.dir,
    ])
      await expect(remove({ path }, ctx), path).rejects.toMatchObject({ code: 'E_ACTION_REFUSED' });
    await expect(remove({ path: f.path, sha256: sha('x') }, ctx)).rejects.toMatchObject({
      code: 'E_ACTION_INTEGRITY',
    });
    expect(readFileSync(join(ctx.stateDir, 'outbox.db'), 'utf8')).toBe('db');
    expect(readFileSync(join(ctx.quarantineDir, 'abcdefgh', 'file'), 'utf8')).toBe('held');
    expect(existsSync(f.path)).toBe(true);
  });
});
