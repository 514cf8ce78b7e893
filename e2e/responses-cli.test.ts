/**
 * `vigil responses enable|disable` against a real server on loopback: a disabled rule stays in
 * `vigil responses list`, marked, and the API reports it disabled until it is enabled again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { runCliInProcess } from './helpers/cli-in-process.js';

describe('vigil responses enable and disable', () => {
  let s: TestServer;
  let env: Record<string, string>;
  const vigil = (args: string[]) => runCliInProcess(args, env);
  const enabled = async () =>
    (await s.call('GET', '/api/v1/responses/kill-miners', { token: s.adminToken })).body.enabled;

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    env = {
      VIGIL_SERVER: s.url,
      VIGIL_TOKEN: s.adminToken,
      VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
      VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    };
    const add = await vigil([
      'responses',
      'add',
      'kill-miners',
      '--rule',
      'Linux.Processes.*',
      '--action',
      'process.kill pid={{pid}}',
    ]);
    expect(add.code, add.stderr).toBe(0);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('disables a rule, lists it as disabled, and enables it again', async () => {
    const off = await vigil(['responses', 'disable', 'kill-miners']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toBe('Disabled response rule kill-miners.\n');
    expect(await enabled()).toBe(false);
    const list = await vigil(['responses', 'list']);
    expect(list.stdout).toMatch(
      /kill-miners\s+Linux\.Processes\.\*\s+-\s+process\.kill pid=\{\{pid\}\}\s+dry run, disabled\s/,
    );

    const on = await vigil(['responses', 'enable', 'kill-miners', '--json']);
    expect(on.code, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ name: 'kill-miners', enabled: true });
    expect(await enabled()).toBe(true);
    expect((await vigil(['responses', 'list'])).stdout).not.toContain('disabled');
  });

  it('says which rule does not exist', async () => {
    const missing = await vigil(['responses', 'disable', 'no-such-rule']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('E_RESPONSE_RULE_NOT_FOUND');
  });
});
