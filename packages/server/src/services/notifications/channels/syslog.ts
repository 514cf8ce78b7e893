/**
 * Syslog channel: RFC 5424 messages over UDP (RFC 5426, one datagram per message, cut to 2048
 * bytes, the size every receiver must accept) or TCP (RFC 6587 octet counting, or LF framing).
 * A digest is one message too (a flood must not become a flood of syslog lines): a summary,
 * the alert ids in its structured data and the most severe alerts in its text.
 */
import { createSocket } from 'node:dgram';
import { isIPv6, connect as netConnect } from 'node:net';
import { alertLine, type NotificationMessage, severitySummary } from '../message.js';
import { ChannelError, type ChannelSend, SEND_TIMEOUT_MS } from './channel.js';
import { formatRfc5424, truncateUtf8 } from './rfc5424.js';

/** UDP messages are cut to this many bytes. */
export const UDP_MAX_BYTES = 2048;

/** The RFC 5424 messages a notification becomes. */
export function syslogMessages(
  m: NotificationMessage,
  opts: { facility: string; appName: string },
): string[] {
  const base = { facility: opts.facility, timestamp: m.sent_at, hostname: m.server, appName: opts.appName };
  if (m.kind === 'test')
    return [
      formatRfc5424({
        ...base,
        severity: 'info',
        msgId: 'test',
        params: { delivery_id: m.delivery_id, route: m.route.name },
        msg: `Vigil test notification for route ${m.route.name}`,
      }),
    ];
  const one = (a: NotificationMessage['alerts'][number], msgId: string) =>
    formatRfc5424({
      ...base,
      severity: a.severity,
      msgId,
      params: {
        alert_id: a.id,
        rule: a.rule,
        severity: a.severity,
        status: a.status,
        device_id: a.device?.id,
        hostname: a.device?.hostname,
        count: a.count,
        first_seen: a.first_seen,
        last_seen: a.last_seen,
        delivery_id: m.delivery_id,
      },
      msg: alertLine(a),
    });
  if (m.kind === 'alert' && m.alert) return [one(m.alert, 'alert')];
  const top = m.alerts.reduce(
    (s, a) => (severityRankOf(a.severity) > severityRankOf(s) ? a.severity : s),
    'info',
  );
  return [
    formatRfc5424({
      ...base,
      severity: top,
      msgId: 'digest',
      params: {
        delivery_id: m.delivery_id,
        route: m.route.name,
        total: m.total,
        alert_ids: m.alerts.map((a) => a.id).join(','),
      },
      msg: [
        `Vigil digest: ${m.total} alerts (${severitySummary(m.by_severity)})`,
        ...m.alerts.slice(0, 20).map(alertLine),
      ].join('; '),
    }),
  ];
}

function severityRankOf(s: string): number {
  return ['info', 'low', 'medium', 'high', 'critical'].indexOf(s);
}

async function sendUdp(host: string, port: number, messages: string[]): Promise<void> {
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  try {
    for (const msg of messages) {
      const data = Buffer.from(truncateUtf8(msg, UDP_MAX_BYTES), 'utf8');
      await new Promise<void>((resolve, reject) =>
        socket.send(data, port, host, (err) => (err ? reject(err) : resolve())),
      );
    }
  } catch (error) {
    throw new ChannelError(
      `syslog udp ${host}:${port}: ${(error as { code?: string }).code ?? 'send failed'}`,
    );
  } finally {
    socket.close();
  }
}

async function sendTcp(host: string, port: number, messages: string[], framing: string): Promise<void> {
  const frames = messages.map((msg) =>
    framing === 'lf' ? `${msg.replace(/\n/g, ' ')}\n` : `${Buffer.byteLength(msg, 'utf8')} ${msg}`,
  );
  await new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new ChannelError(`syslog tcp ${host}:${port}: ${why}`));
    };
    socket.setTimeout(SEND_TIMEOUT_MS, () => fail(`no progress within ${SEND_TIMEOUT_MS / 1000} s`));
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? 'connection failed'));
    socket.once('connect', () => {
      socket.end(frames.join(''), 'utf8');
    });
    socket.once('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}

/** Send to a syslog collector. */
export const sendSyslog: ChannelSend = async (target, _secret, m) => {
  const messages = syslogMessages(m, {
    facility: String(target.facility ?? 'local0'),
    appName: String(target.app_name ?? 'vigil'),
  });
  const host = String(target.host);
  const port = Number(target.port);
  if (target.transport === 'tcp')
    await sendTcp(host, port, messages, String(target.framing ?? 'octet-counting'));
  else await sendUdp(host, port, messages);
};
