import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalTarget, isInside } from './paths.js';

function tree() {
  const root = mkdtempSync(join(tmpdir(), 'vigil-paths-'));
  const state = join(root, 'var/lib/vigil-agent');
  const quarantine = join(state, 'quarantine');
  const install = join(root, 'opt/vigil');
  for (const d of [quarantine, install, join(root, 'tmp/a'), join(root, 'etc')])
    mkdirSync(d, { recursive: true });
  writeFileSync(join(root, 'tmp/a/evil'), 'x');
  symlinkSync(state, join(root, 'tmp/to-state'));
  symlinkSync(join(root, 'etc'), join(root, 'tmp/to-etc'));
  return { ctx: { root: '/', protectedPaths: [state, install], quarantineDir: quarantine }, root, state };
}

describe('isInside', () => {
  it('tells children from siblings with a common prefix', () => {
    expect(isInside('/var/lib/vigil', '/var/lib/vigil')).toBe(true);
    expect(isInside('/var/lib/vigil/x', '/var/lib/vigil')).toBe(true);
    expect(isInside('/var/lib/vigil-other', '/var/lib/vigil')).toBe(false);
    expect(isInside('/var', '/var/lib/vigil')).toBe(false);
  });
});

describe('canonicalTarget', () => {
  it('resolves the parent but not the last component', async () => {
    const { ctx, root } = tree();
    expect(await canonicalTarget(join(root, 'tmp/a/../a/evil'), ctx)).toEqual({
      path: join(root, 'tmp/a/evil'),
      hostPath: join(root, 'tmp/a/evil'),
    });
    expect((await canonicalTarget(join(root, 'tmp/to-etc/passwd'), ctx)).path).toBe(join(root, 'etc/passwd'));
    // The link itself is the target, not the agent's state dir it points to.
    expect((await canonicalTarget(join(root, 'tmp/to-state'), ctx)).path).toBe(join(root, 'tmp/to-state'));
  });

  it('refuses /, relative paths and the agent’s own files, directly, via .. and via a symlinked parent', async () => {
    const { ctx, root, state } = tree();
    const refused: Array<[string, RegExp]> = [
      ['/', /\/ itself/],
      ['/tmp/..', /\/ itself/],
      ['//', /\/ itself/],
      ['etc/passwd', /must be absolute/],
      ['/etc/passwd\0x', /NUL/],
      [join(state, 'agent.key'), /belongs to the Vigil agent/],
      [join(state, 'quarantine/abc'), /belongs to the Vigil agent/],
      [join(root, 'opt/vigil/../vigil/bin'), /belongs to the Vigil agent/],
      [join(root, 'tmp/to-state/agent.key'), /belongs to the Vigil agent/],
      [join(root, 'var/lib'), /contains .* belongs to the Vigil agent/],
      [root, /contains/],
    ];
    for (const [path, why] of refused)
      await expect(canonicalTarget(path, ctx), path).rejects.toMatchObject({
        code: 'E_ACTION_REFUSED',
        message: expect.stringMatching(why),
      });
    await expect(canonicalTarget('/no/such/dir/file', ctx)).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
  });

  it('maps a device path into a fixture root and refuses escapes from it', async () => {
    const { root, state } = tree();
    const ctx = { root, protectedPaths: [state], quarantineDir: join(state, 'quarantine') };
    expect(await canonicalTarget('/tmp/a/evil', ctx)).toEqual({
      path: '/tmp/a/evil',
      hostPath: join(root, 'tmp/a/evil'),
    });
    expect((await canonicalTarget('/tmp/to-etc/x', ctx)).path).toBe('/etc/x');
    await expect(canonicalTarget('/var/lib/vigil-agent/agent.key', ctx)).rejects.toMatchObject({
      code: 'E_ACTION_REFUSED',
    });
    symlinkSync('/usr', join(root, 'tmp/out'));
    await expect(canonicalTarget('/tmp/out/bin', ctx)).rejects.toThrow(/outside the filesystem root/);
  });
});
