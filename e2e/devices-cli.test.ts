/**
 * `vigil devices list` by compliance, run in-process against a real server (TLS on loopback, real
 * SQLite store): --compliance-below lists the devices under a score with their compliance column,
 * --count prints how many match from the count endpoint, and a bad bound is refused before any
 * request. (How the server scores devices from real check results is tested in
 * packages/server/src/api/devices/devices-compliance.test.ts; here the stored scores are set.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../packages/cli/src/settings.js';
import { certificateFingerprint } from '../packages/server/src/pki/fingerprint.js';
import { enrollTestDevice } from '../packages/server/src/test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { runCliInProcess } from './helpers/cli-in-process.js';

describe('vigil devices list by compliance', () => {
  let s: TestServer;
  let env: Record<string, string>;
  const vigil = (...args: string[]) => runCliInProcess(args, env);

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    const scores: Record<string, number | null> = {
      'cli-low': 40,
      'cli-mid': 80,
      'cli-full': 100,
      'cli-none': null,
    };
    for (const [hostname, score] of Object.entries(scores)) {
      const d = await enrollTestDevice(s, { hostname, machineId: `m-${hostname}` });
      await s.store.db
        .updateTable('devices')
        .set({ compliance_score: score })
        .where('id', '=', d.deviceId)
        .execute();
    }
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const ca = s.vigil.services.keys.ca.certPem;
    writeSettings(dir, {
      server: s.url,
      ca_pem: ca,
      ca_fingerprint: certificateFingerprint(ca),
      token: s.adminToken,
      token_id: 'test-admin',
      email: 'admin@example.test',
      saved_at: new Date().toISOString(),
    });
    env = { VIGIL_CONFIG_DIR: dir };
  }, 60_000);
  afterAll(async () => s?.stop());

  it('lists the devices below a score, with their compliance', async () => {
    const r = await vigil('devices', 'list', '--compliance-below', '81');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/\bCOMPLIANCE\b/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['cli-low', 'cli-mid']);
    expect(r.stdout).toMatch(/cli-low .* 40 %/);
    const all = await vigil('devices', 'list', '--json');
    const byHost = Object.fromEntries(
      (JSON.parse(all.stdout).items as Array<{ hostname: string; compliance: number | null }>).map((d) => [
        d.hostname,
        d.compliance,
      ]),
    );
    expect(byHost).toEqual({ 'cli-full': 100, 'cli-low': 40, 'cli-mid': 80, 'cli-none': null });
  });

  it('counts the matching devices without listing them', async () => {
    expect((await vigil('devices', 'list', '--compliance-below', '100', '--count')).stdout).toBe(
      '2 devices match\n',
    );
    expect((await vigil('devices', 'list', '--compliance-below', '50', '--count')).stdout).toBe(
      '1 device matches\n',
    );
    const json = await vigil('devices', 'list', '--search', 'cli-', '--count', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ count: 4 });
  });

  it('refuses a bound that is not a score from 0 to 100, naming the flag', async () => {
    for (const bad of ['101', '-5', 'half']) {
      const r = await vigil('devices', 'list', '--compliance-below', bad);
      expect(r.code, bad).not.toBe(0);
      expect(r.stderr, bad).toMatch(/--compliance-below must be a number from 0 to 100/);
    }
  });
});
