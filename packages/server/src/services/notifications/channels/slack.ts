/** Slack-compatible incoming webhook: `{ text, blocks }` with mrkdwn (Mattermost and others accept it too). */
import { alertLine, type NotificationMessage, severitySummary } from '../message.js';
import type { ChannelSend } from './channel.js';
import { postJson } from './http-post.js';

/** Slack's three control characters in text. */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const ICON: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/** The incoming-webhook document. */
export function slackPayload(m: NotificationMessage): { text: string; blocks: unknown[] } {
  let text: string;
  let detail: string;
  if (m.kind === 'test') {
    text = `Vigil test notification for route ${slackEscape(m.route.name)}`;
    detail = 'If you can read this, the route works.';
  } else if (m.kind === 'alert' && m.alert) {
    const a = m.alert;
    text = `${ICON[a.severity] ?? ''} ${slackEscape(alertLine(a))}`.trim();
    detail = [
      `*Rule:* \`${slackEscape(a.rule)}\``,
      `*Device:* ${a.device ? slackEscape(a.device.hostname) : '-'}`,
      `*First seen:* ${a.first_seen}  *Last seen:* ${a.last_seen}  *Count:* ${a.count}`,
      `*Alert:* ${a.id}`,
    ].join('\n');
  } else {
    text = `Vigil digest: ${m.total} alerts (${severitySummary(m.by_severity)})`;
    const lines = m.alerts
      .slice(0, 20)
      .map((a) => `• ${ICON[a.severity] ?? ''} ${slackEscape(alertLine(a))}`);
    if (m.total > lines.length) lines.push(`… and ${m.total - lines.length} more`);
    detail = lines.join('\n');
  }
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: detail.slice(0, 2900) } },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `route ${slackEscape(m.route.name)} · delivery ${m.delivery_id}` },
        ],
      },
    ],
  };
}

/** Send to a Slack-compatible incoming webhook. */
export const sendSlack: ChannelSend = async (target, _secret, m) => {
  await postJson(String(target.url), JSON.stringify(slackPayload(m)), { 'x-vigil-delivery': m.delivery_id });
};
