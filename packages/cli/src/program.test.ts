import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cliTokenName } from './commands/login.js';
import { bannerText } from './commands/server.js';
import { runCli } from './program.js';

async function run(argv: string[], input = '') {
  let stdout = '';
  let stderr = '';
  const env = { VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')) };
  const code = await runCli(argv, {
    io: {
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
    },
    env,
    stdin: Readable.from([input]),
  });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints help with exit code 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['server', 'setup', 'login', 'devices', 'groups', 'api-token', 'audit'])
      expect(r.stdout).toContain(command);
  });

  it('lists the server options, loaded on demand, in help for server', async () => {
    const r = await run(['help', 'server']);
    expect(r.code).toBe(0);
    // Help wraps to the terminal width; compare with line breaks folded back into spaces.
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('--tls-cert <FILE>');
    expect(text).toContain('[env VIGIL_DATA]');
    expect(text).toContain('--retention-live-results <DAYS>');
  });

  it('reports usage errors with E_USAGE and exit code 2', async () => {
    const unknown = await run(['devicez']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error E_USAGE: unknown command 'devicez'/);
    const missing = await run(['devices', 'show']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error E_USAGE: missing required argument 'ID'/);
  });

  it('validates arguments before looking for a server', async () => {
    const tag = await run(['devices', 'tag', 'dev1', 'ok', 'Bad Tag']);
    expect(tag).toMatchObject({ code: 1, stdout: '' });
    expect(tag.stderr).toMatch(/^error E_VALIDATION: tag 'Bad Tag' is not valid/);
    const role = await run(['api-token', 'create', '--name', 'x', '--role', 'root']);
    expect(role.stderr).toMatch(/^error E_VALIDATION: --role /);
    const pin = await run(
      [
        'login',
        '--server',
        'https://127.0.0.1:1',
        '--ca-fingerprint',
        'SHA256:12',
        '--email',
        'a@example.test',
        '--password-stdin',
      ],
      'pw\n',
    );
    expect(pin.stderr).toMatch(/^error E_VALIDATION: 'SHA256:12' is not a CA fingerprint/);
    const url = await run(
      ['setup', '--server', 'http://127.0.0.1:1', '--email', 'a@example.test', '--password-stdin'],
      'long enough password\n',
    );
    expect(url.stderr).toMatch(/^error E_VALIDATION: the server URL must start with https:\/\//);
  });

  it('needs --password-stdin when stdin is not a terminal', async () => {
    const r = await run(['setup', '--server', 'https://127.0.0.1:1', '--email', 'a@example.test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error E_USAGE: --password-stdin is required when stdin is not a terminal\n');
  });

  it('says how to log in when no server is configured', async () => {
    const r = await run(['devices', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error E_CONFIG: no server configured/);
  });
});

describe('helpers', () => {
  it('names CLI tokens after the host and date, within the API name pattern', () => {
    expect(cliTokenName('build box/01', new Date('2025-02-03T10:00:00Z'))).toBe(
      'cli-build-box-01-2025-02-03',
    );
    expect(cliTokenName('x'.repeat(100), new Date('2025-02-03T10:00:00Z'))).toHaveLength(4 + 40 + 11);
  });

  it('shows the password in the banner only when one was generated', () => {
    const withPassword = bannerText({
      url: 'https://127.0.0.1:1234',
      adminEmail: 'a@example.test',
      adminPassword: 'pw-123456789012',
      caFingerprint: 'SHA256:ab',
    });
    expect(withPassword).toContain('Console:          https://127.0.0.1:1234/');
    expect(withPassword).toContain('Admin password:   pw-123456789012');
    const without = bannerText({
      url: 'https://127.0.0.1:1234',
      adminEmail: 'a@example.test',
      caFingerprint: 'SHA256:ab',
    });
    expect(without).not.toMatch(/password/i);
    expect(without).toContain('vigil login --server https://127.0.0.1:1234 --ca-fingerprint SHA256:ab');
  });
});
