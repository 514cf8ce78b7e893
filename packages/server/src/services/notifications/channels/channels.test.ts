import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertT } from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationMessage } from '../message.js';
import {
  startHttpReceiver,
  startSmtpReceiver,
  startSyslogTcp,
  startSyslogUdp,
  until,
} from '../test-support/receivers.js';
import { ChannelError } from './channel.js';
import { sendEmail } from './email.js';
import { escapeParam, formatRfc5424, truncateUtf8 } from './rfc5424.js';
import { sendSlack } from './slack.js';
import { sendSyslog, UDP_MAX_BYTES } from './syslog.js';
import { SIGNATURE_HEADER, sendWebhook } from './webhook.js';

const alert: AlertT = {
  id: 'alert-0001',
  rule: 'agent.lost',
  severity: 'high',
  title: 'Agent on web-1 lost <without> goodbye & more',
  status: 'open',
  device: { id: 'dev-1', hostname: 'web-1' },
  first_seen: '2026-01-01T00:00:00.000Z',
  last_seen: '2026-01-01T00:05:00.000Z',
  count: 3,
  acknowledged_by: null,
  acknowledged_at: null,
  resolved_by: null,
  resolved_at: null,
  note: null,
  suppression_id: null,
  context: { reason: 'connection dropped', process: { pid: 42, cmdline: 'vigil-agent "x"]' } },
};

const message = (over: Partial<NotificationMessage> = {}): NotificationMessage => ({
  kind: 'alert',
  delivery_id: 'delivery-1',
  sent_at: '2026-01-01T00:06:00.000Z',
  route: { id: 'route-1', name: 'ops' },
  server: 'vigil-test',
  alert,
  alerts: [alert],
  total: 1,
  by_severity: { high: 1 },
  ...over,
});

/** Verify a webhook signature the way a receiver would (node:crypto, constant time). */
function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

describe('webhook channel', () => {
  it('POSTs the alert as JSON with an HMAC-SHA256 signature of the exact body', async () => {
    const r = await startHttpReceiver();
    closers.push(r.close);
    const secret = 'a-route-secret-of-enough-length';
    await sendWebhook({ url: r.url }, secret, message());
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-vigil-event']).toBe('alert');
    expect(req.headers['x-vigil-delivery']).toBe('delivery-1');
    expect(verifySignature(secret, req.body, req.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(
      verifySignature('another-secret-entirely-wrong', req.body, req.headers[SIGNATURE_HEADER] as string),
    ).toBe(false);
    // One changed byte breaks the signature.
    expect(
      verifySignature(secret, req.body.replace('web-1', 'web-2'), req.headers[SIGNATURE_HEADER] as string),
    ).toBe(false);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ type: 'alert', delivery_id: 'delivery-1', route: { name: 'ops' } });
    expect(body.alert).toMatchObject({ id: 'alert-0001', count: 3, context: { process: { pid: 42 } } });
  });

  it('sends a digest with totals and fails with a redacted error on a non-2xx answer', async () => {
    const r = await startHttpReceiver(() => 503);
    closers.push(r.close);
    const digest = message({ kind: 'digest', total: 250, alerts: [alert], by_severity: { high: 250 } });
    const error = await sendWebhook({ url: r.url }, 'a-route-secret-of-enough-length', digest).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.message).toBe(`http://127.0.0.1:${r.port}/… answered HTTP 503`);
    expect(error.message).not.toContain('secret-token-part');
    expect(JSON.parse(r.requests[0]!.body)).toMatchObject({ type: 'digest', total: 250, truncated: true });
  });

  it('reports an unreachable receiver without its path', async () => {
    const r = await startHttpReceiver();
    await r.close();
    const error = await sendWebhook({ url: r.url }, null, message()).catch((e) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/…: ECONNREFUSED$/);
  });
});

describe('Slack-compatible channel', () => {
  it('posts { text, blocks } with mrkdwn, escaping Slack control characters', async () => {
    const r = await startHttpReceiver();
    closers.push(r.close);
    await sendSlack({ url: r.url }, null, message());
    const body = JSON.parse(r.requests[0]!.body);
    expect(body.text).toContain('[HIGH] Agent on web-1 lost &lt;without&gt; goodbye &amp; more');
    expect(body.text).not.toContain('<without>');
    expect(body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(body.blocks[1].text.text).toContain('*Count:* 3');
    expect(r.requests[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();
  });
});

describe('e-mail channel', () => {
  it('delivers to a real SMTP server with subject, recipients and context', async () => {
    const smtp = await startSmtpReceiver();
    closers.push(smtp.close);
    await sendEmail(
      {
        host: '127.0.0.1',
        port: smtp.port,
        tls: 'none',
        from: 'vigil@example.test',
        to: ['a@example.test', 'b@example.test'],
      },
      null,
      message(),
    );
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('vigil@example.test');
    expect(mail.to).toEqual(['a@example.test', 'b@example.test']);
    expect(mail.data).toMatch(/^Subject: \[Vigil\] HIGH: Agent on web-1 lost <without> goodbye & more/m);
    expect(mail.data).toMatch(/^X-Vigil-Delivery: delivery-1/m);
    expect(mail.data).toContain('Count:      3');
    expect(mail.data).toContain('"reason": "connection dropped"');
  });

  it('logs in with the route password over a server that demands it', async () => {
    const smtp = await startSmtpReceiver({ user: 'mailer', pass: 'smtp-pass-123' });
    closers.push(smtp.close);
    const target = {
      host: '127.0.0.1',
      port: smtp.port,
      tls: 'none',
      from: 'vigil@example.test',
      to: ['a@example.test'],
      username: 'mailer',
    };
    const bad = await sendEmail(target, 'wrong-password', message()).catch((e) => e);
    expect(bad).toBeInstanceOf(ChannelError);
    expect(bad.message).not.toContain('wrong-password');
    await sendEmail(target, 'smtp-pass-123', message());
    expect(smtp.mails.map((m) => m.user)).toEqual(['mailer']);
  });
});

describe('syslog channel', () => {
  const RFC5424 =
    /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[vigil@32473(?: [a-z_]+="(?:[^"\\\]]|\\["\\\]])*")*\]|-) \uFEFF(.*)$/s;

  it('sends RFC 5424 over UDP with priority, structured data and a BOM-prefixed message', async () => {
    const udp = await startSyslogUdp();
    closers.push(udp.close);
    await sendSyslog(
      { host: '127.0.0.1', port: udp.port, transport: 'udp', facility: 'auth' },
      null,
      message(),
    );
    expect(await until(() => udp.messages.length === 1)).toBe(true);
    const m = RFC5424.exec(udp.messages[0]!);
    expect(m, udp.messages[0]).not.toBeNull();
    // auth (4) * 8 + err (3) for a high alert
    expect(m![1]).toBe('35');
    expect(m![2]).toBe('2026-01-01T00:06:00.000Z');
    expect(m![3]).toBe('vigil-test');
    expect(m![4]).toBe('vigil');
    expect(m![6]).toBe('alert');
    expect(m![7]).toContain('alert_id="alert-0001"');
    expect(m![7]).toContain('rule="agent.lost"');
    expect(m![7]).toContain('count="3"');
    expect(m![8]).toBe('[HIGH] Agent on web-1 lost <without> goodbye & more — web-1 (agent.lost, 3×)');
  });

  it('sends octet-counted RFC 5424 frames over TCP, a digest as one message', async () => {
    const tcp = await startSyslogTcp();
    closers.push(tcp.close);
    const many = Array.from({ length: 30 }, (_, i) => ({ ...alert, id: `alert-${i}` }));
    await sendSyslog(
      { host: '127.0.0.1', port: tcp.port, transport: 'tcp', facility: 'local3', app_name: 'vigil-prod' },
      null,
      message({ kind: 'digest', alert: undefined, alerts: many, total: 30, by_severity: { high: 30 } }),
    );
    expect(await until(() => tcp.messages.length === 1)).toBe(true);
    const m = RFC5424.exec(tcp.messages[0]!);
    expect(m, tcp.messages[0]).not.toBeNull();
    expect(m![1]).toBe(String(19 * 8 + 3));
    expect(m![4]).toBe('vigil-prod');
    expect(m![6]).toBe('digest');
    expect(m![7]).toContain('total="30"');
    expect(m![7]).toContain('alert-29');
    expect(m![8]).toMatch(/^Vigil digest: 30 alerts \(30 high\)/);
  });

  it('fails clearly when the TCP collector is down', async () => {
    const tcp = await startSyslogTcp();
    await tcp.close();
    const error = await sendSyslog(
      { host: '127.0.0.1', port: tcp.port, transport: 'tcp' },
      null,
      message(),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.message).toBe(`syslog tcp 127.0.0.1:${tcp.port}: ECONNREFUSED`);
  });

  it('escapes structured-data values and cuts UDP messages on a character boundary', () => {
    expect(escapeParam('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const line = formatRfc5424({
      facility: 'local0',
      severity: 'critical',
      timestamp: '2026-01-01T00:00:00.000Z',
      hostname: 'host with space',
      appName: 'vigil',
      msgId: 'alert',
      params: { rule: 'x"]' },
      msg: 'é'.repeat(3000),
    });
    expect(
      line.startsWith(
        '<130>1 2026-01-01T00:00:00.000Z hostwithspace vigil - alert [vigil@32473 rule="x\\"\\]"] ',
      ),
    ).toBe(true);
    const cut = truncateUtf8(line, UDP_MAX_BYTES);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(UDP_MAX_BYTES);
    expect(cut.endsWith('é')).toBe(true);
  });
});
