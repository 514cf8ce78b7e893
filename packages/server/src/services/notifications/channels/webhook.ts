/**
 * Webhook channel: the message as JSON, POSTed with an HMAC-SHA256 signature of the exact body
 * bytes under the route's secret, in the `X-Vigil-Signature-256: sha256=<hex>` header.
 */
import { createHmac } from 'node:crypto';
import type { NotificationMessage } from '../message.js';
import type { ChannelSend } from './channel.js';
import { postJson } from './http-post.js';

/** The signature header (lower-case, as Node presents it). */
export const SIGNATURE_HEADER = 'x-vigil-signature-256';

/** `sha256=<hex HMAC-SHA256 of body under secret>`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The JSON document a webhook receives. */
export function webhookPayload(m: NotificationMessage): Record<string, unknown> {
  const common = { type: m.kind, delivery_id: m.delivery_id, sent_at: m.sent_at, route: m.route };
  if (m.kind === 'alert') return { ...common, alert: m.alert };
  if (m.kind === 'test') return { ...common, message: `Test notification for route ${m.route.name}` };
  return {
    ...common,
    total: m.total,
    by_severity: m.by_severity,
    alerts: m.alerts,
    truncated: m.total > m.alerts.length,
  };
}

/** Send a webhook. */
export const sendWebhook: ChannelSend = async (target, secret, m) => {
  const body = JSON.stringify(webhookPayload(m));
  await postJson(String(target.url), body, {
    'x-vigil-event': m.kind,
    'x-vigil-delivery': m.delivery_id,
    ...(secret ? { [SIGNATURE_HEADER]: signBody(secret, body) } : {}),
  });
};
