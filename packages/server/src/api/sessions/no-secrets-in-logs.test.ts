import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { type BareServer, startBareServer } from '../../test-support/bare-app.js';

describe('secrets never reach the log', () => {
  let s: BareServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    s = await startBareServer(createLogger('trace', sink));
  });
  afterAll(async () => s?.stop());

  it('keeps passwords, session, CSRF and API secrets out of every log line', async () => {
    const password = 'Pa55-word-that-must-not-leak';
    const wrongPassword = 'Wr0ng-guess-that-must-not-leak';
    const setup = await s.call('POST', '/api/v1/setup', { body: { email: 'logs@example.test', password } });
    expect(setup.status).toBe(201);
    const failed = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'logs@example.test', password: wrongPassword },
    });
    expect(failed.body.error.code).toBe('E_BAD_CREDENTIALS');
    const badShape = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'logs@example.test', password: wrongPassword, extra: password },
    });
    expect(badShape.body.error.code).toBe('E_VALIDATION');

    const login = await s.call('POST', '/api/v1/sessions', {
      body: { email: 'logs@example.test', password },
    });
    expect(login.status).toBe(201);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const sessionToken = cookie.slice('vigil_session='.length);
    const csrf = login.body.csrf_token as string;
    const created = await s.call('POST', '/api/v1/api-tokens', {
      headers: { cookie, 'x-csrf-token': csrf },
      body: { name: 'logged', role: 'admin' },
    });
    expect(created.status).toBe(201);
    const apiSecret = created.body.secret as string;
    expect(
      (await s.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${apiSecret}` } })).status,
    ).toBe(200);
    const reset = await s.call('PATCH', `/api/v1/users/${setup.body.id}`, {
      headers: { authorization: `Bearer ${apiSecret}` },
      body: { password: `${password}-2` },
    });
    expect(reset.status).toBe(200);
    const enroll = await s.call('POST', '/api/v1/enrollment-tokens', {
      headers: { authorization: `Bearer ${apiSecret}` },
      body: {},
    });
    expect(enroll.status).toBe(201);
    const enrollSecret = enroll.body.token as string;

    const text = lines.join('');
    // The log did capture these requests (so the assertions below are about real lines).
    expect(text).toContain('/api/v1/sessions');
    expect(text).toContain('/api/v1/api-tokens');
    for (const secret of [
      password,
      wrongPassword,
      `${password}-2`,
      sessionToken,
      csrf,
      apiSecret,
      enrollSecret,
    ]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(text.includes(secret), `a secret starting ${secret.slice(0, 6)} is in the log`).toBe(false);
    }
  });
});
