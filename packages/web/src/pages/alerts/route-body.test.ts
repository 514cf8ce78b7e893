import { type NotificationRouteT, SYSLOG_FACILITIES } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import {
  createRouteBody,
  draftFromRoute,
  emptyRouteDraft,
  FACILITIES,
  updateRouteBody,
} from './route-body.js';

const stored: NotificationRouteT = {
  id: 'r1',
  name: 'mail-ops',
  channel: 'email',
  enabled: true,
  min_severity: 'high',
  rule: 'agent.*',
  group: { id: 'g1', name: 'prod' },
  target: {
    host: 'smtp.example.test',
    port: 587,
    tls: 'starttls',
    from: 'vigil@example.test',
    to: ['a@example.test', 'b@example.test'],
    username: 'vigil',
  },
  has_secret: true,
  rate_limit: { count: 5, window_s: 60 },
  digest_window_s: null,
  max_attempts: 7,
  created_by: 'admin@example.test',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

describe('notification route bodies', () => {
  it('offers exactly the syslog facilities the protocol accepts', () => {
    expect([...FACILITIES]).toEqual([...SYSLOG_FACILITIES]);
  });

  it('creates a webhook with the typed secret, defaults and immediate delivery', () => {
    const body = createRouteBody({
      ...emptyRouteDraft(),
      name: ' ops ',
      url: ' http://127.0.0.1:9/hook ',
      secret: 'a-secret-of-sixteen-chars',
    });
    expect(body).toEqual({
      name: 'ops',
      channel: 'webhook',
      target: { url: 'http://127.0.0.1:9/hook' },
      enabled: true,
      min_severity: 'medium',
      rule: '*',
      max_attempts: 5,
      secret: 'a-secret-of-sixteen-chars',
    });
  });

  it('refuses a webhook without a signing secret of 16+ characters, and never sends a password to a webhook', () => {
    const draft = { ...emptyRouteDraft(), name: 'x', url: 'https://h.test/', password: 'pw' };
    expect(() => createRouteBody(draft)).toThrow(/signing secret/);
    expect(() => createRouteBody({ ...draft, secret: 'fifteen-chars-x' })).toThrow(/signing secret/);
    expect(createRouteBody({ ...draft, secret: 'sixteen-chars-xx' })).not.toHaveProperty('password');
  });

  it('creates a syslog route over TCP with framing, a group and a digest window', () => {
    const body = createRouteBody({
      ...emptyRouteDraft(),
      name: 'siem',
      channel: 'syslog',
      host: '10.0.0.5',
      port: '6514',
      transport: 'tcp',
      framing: 'lf',
      facility: 'local3',
      group: 'prod',
      delivery: 'digest',
      digestWindow: '600',
    });
    expect(body).toMatchObject({
      target: { host: '10.0.0.5', port: 6514, transport: 'tcp', framing: 'lf', facility: 'local3' },
      group: 'prod',
      digest_window_s: 600,
    });
    expect(body).not.toHaveProperty('rate_limit');
  });

  it('refuses a webhook without a URL', () => {
    expect(() => createRouteBody({ ...emptyRouteDraft(), name: 'x', secret: 'sixteen-chars-xx' })).toThrow(
      /URL/,
    );
  });

  it('edits a stored e-mail route: fields come back, the password stays unless retyped', () => {
    const draft = draftFromRoute(stored);
    expect(draft).toMatchObject({
      channel: 'email',
      host: 'smtp.example.test',
      port: '587',
      to: 'a@example.test, b@example.test',
      username: 'vigil',
      password: '',
      group: 'prod',
      delivery: 'rate',
      rateCount: '5',
      maxAttempts: '7',
    });
    const body = updateRouteBody(draft);
    expect(body).not.toHaveProperty('password');
    expect(body).toMatchObject({
      target: { host: 'smtp.example.test', port: 587, to: ['a@example.test', 'b@example.test'] },
      rate_limit: { count: 5, window_s: 60 },
      digest_window_s: null,
      group: 'prod',
    });
    expect(updateRouteBody({ ...draft, password: 'new pw', group: '', delivery: 'immediate' })).toMatchObject(
      {
        password: 'new pw',
        group: null,
        rate_limit: null,
      },
    );
  });

  it('keeps a webhook URL unless retyped, and never asks for a new secret', () => {
    const hook = draftFromRoute({ ...stored, channel: 'webhook', target: { url: 'http://127.0.0.1:9/…' } });
    expect(hook.url).toBe('');
    expect(hook.secret).toBe('');
    const body = updateRouteBody(hook);
    expect(body).not.toHaveProperty('target');
    expect(body).not.toHaveProperty('rotate_secret');
    expect(updateRouteBody({ ...hook, url: 'http://127.0.0.1:10/new' })).toMatchObject({
      target: { url: 'http://127.0.0.1:10/new' },
    });
  });
});
