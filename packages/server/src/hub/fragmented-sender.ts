/**
 * Sends a live agent's messages so that no single TLS write reaches 16 KiB.
 *
 * Why: Node's TLS socket keeps the encrypted output in a buffer ring (NodeBIO) that it never
 * shrinks while the connection lives, and a write of 16 KiB or more allocates one buffer as
 * large as the whole write (its "allocate hint"). A rule set pushed on connect is ~100 KB, so
 * every connection that ever received one kept ~130 KiB of native memory for its lifetime:
 * 160 KiB per idle agent instead of ~40 KiB (bench/capacity.bench.ts, docs/benchmarks.md
 * "Capacity"). A large message therefore goes out as WebSocket fragments of FRAGMENT_BYTES, the
 * next one only after the previous was written (queued writes would be merged into one large
 * write again); messages sent meanwhile wait behind it, since data frames of another message may
 * not be interleaved with fragments (RFC 6455 §5.4; pings and pongs may, and ws sends them
 * directly). The agent's WebSocket reassembles the fragments: nothing changes on the wire above
 * the frames.
 */
import type { WebSocket } from 'ws';

/** Payload bytes per fragment: with the frame header and a ping or two merged in, still under 16 KiB. */
export const FRAGMENT_BYTES = 12 * 1024;

/**
 * The sender of one socket: small messages at once, large ones fragmented and paced. A class, so
 * that each of 100k idle connections holds one small object rather than a set of closures.
 */
export class FragmentedSender {
  // Messages sent while a fragmented one is being written; undefined when none is in progress.
  private queue: string[] | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly fragmentBytes = FRAGMENT_BYTES,
  ) {}

  /** Send one message now, or after the large message being written. */
  send(data: string): void {
    if (this.queue) this.queue.push(data);
    else this.write(data);
  }

  private write(data: string): void {
    const { ws, fragmentBytes } = this;
    if (ws.readyState !== ws.OPEN) return;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most messages need no byte count.
    if (data.length * 3 <= fragmentBytes || Buffer.byteLength(data) <= fragmentBytes) {
      ws.send(data);
      return;
    }
    this.queue = [];
    // The message is cut as a string, each piece encoded on its own: encoding it whole was one
    // more ~130 KB allocation per push, and such short-lived large blocks fragment the C heap.
    let offset = 0;
    const next = (error?: Error) => {
      if (error || ws.readyState !== ws.OPEN) {
        // The socket is going away: nothing more can be delivered on it (the store keeps what was queued).
        this.queue = undefined;
        return;
      }
      if (offset >= data.length) {
        this.flush();
        return;
      }
      // Mostly ASCII (JSON around base64): a unit is a byte. Otherwise fewer units, at most 3 bytes each.
      let end = Math.min(offset + fragmentBytes, data.length);
      let chunk = Buffer.from(data.slice(offset, end), 'utf8');
      if (chunk.length > fragmentBytes) {
        end = Math.min(offset + Math.floor(fragmentBytes / 3), data.length);
        // A surrogate pair cut in two would encode as two replacement characters.
        if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1))) end -= 1;
        chunk = Buffer.from(data.slice(offset, end), 'utf8');
      } else if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1))) {
        end -= 1;
        chunk = Buffer.from(data.slice(offset, end), 'utf8');
      }
      offset = end;
      ws.send(chunk, { binary: false, fin: end === data.length }, next);
    };
    next();
  }

  // Send what waited, in order, until it is empty or another large message starts.
  private flush(): void {
    const waiting = this.queue ?? [];
    this.queue = undefined;
    while (waiting.length > 0 && !this.queue) this.write(waiting.shift() as string);
    // A large message started: the rest waits behind it (nothing can have joined the new queue yet).
    if (this.queue) this.queue = waiting;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
