import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from './config.js';
import { type StartedServer, startServer } from './start-server.js';

describe('startServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-start-'));
  let started: StartedServer | undefined;
  afterAll(async () => {
    await started?.vigil.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on an ephemeral port, prints and hands out install lines with the port it listens on', async () => {
    const config = resolveServerConfig({
      flags: { data: dir, listen: '127.0.0.1:0', logLevel: 'silent' },
      env: {},
    });
    started = await startServer(config);
    const { port } = started.vigil.app.server.address() as { port: number };
    expect(port).toBeGreaterThan(0);
    expect(started.url).toBe(`https://127.0.0.1:${port}`);
    const admin = await started.vigil.services.auth.createAccountWithAdmin(
      'A',
      'a@example.test',
      'a long password',
    );
    const token = await started.vigil.services.enrollment.createToken(
      {
        principal: {
          kind: 'session',
          userId: admin.id,
          accountId: admin.account_id,
          role: 'admin',
          email: 'a@example.test',
        },
        ip: null,
      },
      {},
    );
    expect(token.server_url).toBe(`https://127.0.0.1:${port}`);
    expect(token.install_line).toContain(`--server https://127.0.0.1:${port} `);
  });
});
