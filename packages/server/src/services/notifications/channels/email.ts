/** E-mail over SMTP (nodemailer): plain STARTTLS-required, implicit TLS, or plain SMTP for loopback relays. */
import nodemailer from 'nodemailer';
import { type NotificationMessage, plainText, subjectOf } from '../message.js';
import { ChannelError, type ChannelSend, SEND_TIMEOUT_MS } from './channel.js';

/** The e-mail of a message. */
export function emailContent(m: NotificationMessage): { subject: string; text: string } {
  return { subject: subjectOf(m).slice(0, 250), text: plainText(m) };
}

/** Send an e-mail through the route's SMTP server. */
export const sendEmail: ChannelSend = async (target, secret, m) => {
  const tls = String(target.tls ?? 'starttls');
  const transport = nodemailer.createTransport({
    host: String(target.host),
    port: Number(target.port),
    secure: tls === 'implicit',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    ...(target.username ? { auth: { user: String(target.username), pass: secret ?? '' } } : {}),
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const { subject, text } = emailContent(m);
  try {
    await transport.sendMail({
      from: String(target.from),
      to: (target.to as string[]).join(', '),
      subject,
      text,
      headers: { 'X-Vigil-Delivery': m.delivery_id, 'X-Vigil-Event': m.kind },
    });
  } catch (error) {
    const e = error as { code?: string; responseCode?: number; message?: string };
    const detail = [e.code, e.responseCode, (e.message ?? '').slice(0, 200)].filter(Boolean).join(' ');
    throw new ChannelError(`SMTP ${String(target.host)}:${String(target.port)} refused or failed: ${detail}`);
  } finally {
    transport.close();
  }
};
