/** What every notification channel implements. */
import type { NotificationMessage } from '../message.js';

/** Give up on one attempt after this long. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * A failed send. Its message is stored on the delivery and shown in the API, so it names the
 * receiver only by its redacted address and never carries a secret.
 */
export class ChannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** Send one message to a route's target (with its opened secret, if it has one). */
export type ChannelSend = (
  target: Record<string, unknown>,
  secret: string | null,
  message: NotificationMessage,
) => Promise<void>;
