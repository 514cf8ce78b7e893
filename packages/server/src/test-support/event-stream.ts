/** Test helper: follow a server-sent events endpoint, collect its events, and close it on demand. */
import { type Dispatcher, request } from 'undici';

/** One event of the stream. */
export interface StreamEvent {
  event: string;
  data: any;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** An open stream. */
export interface EventStream {
  status: number;
  contentType: string;
  events: StreamEvent[];
  /** The first event (already received or coming) that matches, within `timeoutMs`. */
  next(pred: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  /** Disconnect, as a browser tab that closes. */
  close(): void;
  /** Settles when the stream ended (closed by either side). */
  ended: Promise<void>;
}

/** Open `url` with a bearer token (or other credentials in `headers`) and parse its events as they arrive. */
export async function openEventStream(
  url: string,
  token: string | null,
  dispatcher: Dispatcher,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  const abort = new AbortController();
  const res = await request(url, {
    dispatcher,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      accept: 'text/event-stream',
      ...headers,
    },
    signal: abort.signal,
  });
  const events: StreamEvent[] = [];
  const waiters: Array<{ pred: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }> = [];
  const ended = (async () => {
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += chunk.toString();
        let idx = buffer.indexOf('\n\n');
        while (idx >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          idx = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === undefined || data === undefined) continue;
          const e = { event, data: JSON.parse(data), at: Date.now() };
          events.push(e);
          for (const w of [...waiters])
            if (w.pred(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
        }
      }
    } catch {
      // Aborted by close(): the stream simply ends.
    }
  })();
  return {
    status: res.statusCode,
    contentType: String(res.headers['content-type'] ?? ''),
    events,
    next: (pred, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const found = events.find(pred);
        if (found) return resolve(found);
        const t = setTimeout(() => reject(new Error('timed out waiting for a stream event')), timeoutMs);
        waiters.push({
          pred,
          resolve: (e) => {
            clearTimeout(t);
            resolve(e);
          },
        });
      }),
    close: () => abort.abort(),
    ended,
  };
}
