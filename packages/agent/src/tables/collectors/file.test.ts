import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot, pick } from '../test-context.js';
import { file } from './file.js';

const root = fixtureRoot('file');
const paths = (hints: Parameters<typeof collectAll>[2]) =>
  collectAll(file, root, hints).rows.map((r) => r.path);

describe('file', () => {
  it('describes an exact path', () => {
    const { rows } = collectAll(file, root, { equals: { path: ['/etc/app.conf'] } });
    expect(pick(rows, ['path', 'directory', 'filename', 'size', 'type', 'symlink', 'mode'])).toEqual([
      {
        path: '/etc/app.conf',
        directory: '/etc',
        filename: 'app.conf',
        size: 4,
        type: 'regular',
        symlink: 0,
        mode: expect.stringMatching(/^0[0-7]{3}$/),
      },
    ]);
  });

  it('lists one level for directory = and for a trailing % (osquery semantics)', () => {
    const expected = ['/etc/app.conf', '/etc/link.conf', '/etc/sub'];
    expect(paths({ equals: { directory: ['/etc'] } })).toEqual(expected);
    expect(paths({ like: { path: ['/etc/%'] } })).toEqual(expected);
  });

  it('walks recursively for %% and matches % inside a level', () => {
    expect(paths({ like: { path: ['/etc/%%'] } })).toEqual([
      '/etc/app.conf',
      '/etc/link.conf',
      '/etc/sub',
      '/etc/sub/b.conf',
      '/etc/sub/deeper',
      '/etc/sub/deeper/c.conf',
    ]);
    expect(paths({ like: { path: ['/etc/%/b.%'] } })).toEqual(['/etc/sub/b.conf']);
    expect(paths({ like: { path: ['/etc/app._onf'] } })).toEqual(['/etc/app.conf']);
  });

  it('never descends into /proc unless the pattern names it', () => {
    expect(paths({ like: { path: ['/%%'] } }).some((p) => String(p).startsWith('/proc/'))).toBe(false);
    expect(paths({ like: { path: ['/proc/%%'] } })).toEqual(['/proc/1', '/proc/1/status']);
  });

  it('reports a symlink as itself with its target', () => {
    const { rows } = collectAll(file, root, { equals: { path: ['/etc/link.conf'] } });
    expect(pick(rows, ['type', 'symlink', 'symlink_target_path'])).toEqual([
      { type: 'symlink', symlink: 1, symlink_target_path: '/etc/app.conf' },
    ]);
  });

  it('stops at the walk limit with a warning', async () => {
    const { DEFAULT_WALK_LIMITS } = await import('../path-patterns.js');
    const { expandPattern } = await import('../path-patterns.js');
    const { testContext } = await import('../test-context.js');
    const { ctx, warnings } = testContext(root);
    expect(expandPattern(ctx, '/etc/%%', { ...DEFAULT_WALK_LIMITS, maxPaths: 2 })).toHaveLength(2);
    expect(warnings).toEqual(['stopped after 2 paths (walk limit)']);
  });

  it('reports real metadata on the real machine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-file-'));
    try {
      const target = join(dir, 'x.txt');
      writeFileSync(target, 'twelve bytes');
      const st = statSync(target);
      const { rows } = collectAll(file, '/', { equals: { directory: [dir] } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        path: target,
        size: 12,
        inode: st.ino,
        uid: st.uid,
        mtime: Math.floor(st.mtimeMs / 1000),
        type: 'regular',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
