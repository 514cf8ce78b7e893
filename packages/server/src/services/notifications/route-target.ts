/** A route's target: checked against its channel's schema, and shown with its secret parts hidden. */
import {
  compileValidator,
  EmailTarget,
  type NotificationChannelT,
  type RouteTargetT,
  SyslogTarget,
  VigilError,
  WebhookTarget,
} from '@vigil/protocol';

const VALIDATORS = {
  webhook: compileValidator(WebhookTarget),
  slack: compileValidator(WebhookTarget),
  email: compileValidator(EmailTarget),
  syslog: compileValidator(SyslogTarget),
} as const;

/** The target, if it has exactly what the channel needs; otherwise E_NOTIFICATION_TARGET saying what is wrong. */
export function checkTarget(channel: NotificationChannelT, target: RouteTargetT): Record<string, unknown> {
  try {
    VALIDATORS[channel].parse(target, 'E_NOTIFICATION_TARGET');
  } catch (error) {
    const e = error as VigilError;
    throw new VigilError(
      'E_NOTIFICATION_TARGET',
      `a ${channel} route's target: ${e.message.replace(/^the input /, '')}`,
    );
  }
  if (channel === 'syslog' && target.framing && target.transport !== 'tcp')
    throw new VigilError('E_NOTIFICATION_TARGET', "'framing' applies to syslog over tcp only");
  if (channel === 'email' && target.username && target.tls === 'none')
    throw new VigilError(
      'E_NOTIFICATION_TARGET',
      "an SMTP login needs TLS: use tls 'starttls' or 'implicit' so the password is not sent in clear",
    );
  return { ...target };
}

/** A URL without path, query or credentials: `https://hooks.example.com/…`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const more = u.pathname !== '/' || u.search ? '/…' : '';
    return `${u.protocol}//${u.host}${more}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The target as the API shows it (URLs redacted: a Slack URL is itself a secret). */
export function displayTarget(target: Record<string, unknown>): Record<string, unknown> {
  const shown = { ...target };
  if (typeof shown.url === 'string') shown.url = redactUrl(shown.url);
  return shown;
}
