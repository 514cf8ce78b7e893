/** A JSON POST with a timeout, no redirects, and errors that never echo the URL's secret parts. */
import { redactUrl } from '../route-target.js';
import { ChannelError, SEND_TIMEOUT_MS } from './channel.js';

/** POST `body` to `url`; any answer but 2xx is a failure. */
export async function postJson(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'Vigil-Notifier/1', ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${SEND_TIMEOUT_MS / 1000} s`
        : (e.cause?.code ?? 'network error');
    throw new ChannelError(`cannot reach ${redactUrl(url)}: ${why}`);
  }
  // Drain the body so the connection can be reused; its content is not needed.
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299)
    throw new ChannelError(`${redactUrl(url)} answered HTTP ${res.status}`);
}
