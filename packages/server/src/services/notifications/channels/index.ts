/** The channel registry: route channel name → sender. */
import type { NotificationChannelT } from '@vigil/protocol';
import type { ChannelSend } from './channel.js';
import { sendEmail } from './email.js';
import { sendSlack } from './slack.js';
import { sendSyslog } from './syslog.js';
import { sendWebhook } from './webhook.js';

/** Every channel's sender. */
export const CHANNELS: Record<NotificationChannelT, ChannelSend> = {
  webhook: sendWebhook,
  slack: sendSlack,
  email: sendEmail,
  syslog: sendSyslog,
};
