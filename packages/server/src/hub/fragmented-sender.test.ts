import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { FRAGMENT_BYTES, FragmentedSender } from './fragmented-sender.js';

/** One frame as it crossed the wire (server frames are unmasked). */
interface Frame {
  fin: boolean;
  opcode: number;
  length: number;
}

/**
 * Read frames off a raw connection until `expected` messages are complete: the frames exactly as
 * the server wrote them, and the messages reassembled from them (a text message and its
 * continuation frames).
 */
function readFrames(port: number, expected: number): Promise<{ frames: Frame[]; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const frames: Frame[] = [];
    const messages: string[] = [];
    let parts: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        buffer = buffer.subarray(end + 4);
      }
      for (;;) {
        if (buffer.length < 2) return;
        const b0 = buffer[0] as number;
        let length = (buffer[1] as number) & 0x7f;
        let header = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          header = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          header = 10;
        }
        if (buffer.length < header + length) return;
        const frame = { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, length };
        frames.push(frame);
        parts.push(buffer.subarray(header, header + length));
        buffer = buffer.subarray(header + length);
        if (frame.fin) {
          messages.push(Buffer.concat(parts).toString('utf8'));
          parts = [];
          if (messages.length === expected) {
            socket.destroy();
            resolve({ frames, messages });
            return;
          }
        }
      }
    });
  });
}

describe('FragmentedSender', () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  /** A real ws server that hands each connection's sender to `onServerSocket`, and a raw client reading its frames. */
  async function connect(
    onServerSocket: (send: (data: string) => void) => void,
    expected: number,
  ): Promise<{ messages: string[]; frames: Frame[] }> {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
    server.on('connection', (ws) => {
      const sender = new FragmentedSender(ws);
      onServerSocket((data) => sender.send(data));
    });
    return readFrames((server.address() as AddressInfo).port, expected);
  }

  it('writes a large message as text fragments under 16 KiB and keeps the order of messages sent meanwhile', async () => {
    const large = JSON.stringify({ t: 'command', pad: 'x'.repeat(100_000), end: 'é' });
    const second = JSON.stringify({ t: 'command', pad: 'y'.repeat(40_000) });
    const { messages, frames } = await connect((send) => {
      send('{"t":"first"}');
      send(large);
      send('{"t":"during"}');
      send(second);
      send('{"t":"last"}');
    }, 5);
    expect(messages).toEqual(['{"t":"first"}', large, '{"t":"during"}', second, '{"t":"last"}']);
    const largeBytes = Buffer.byteLength(large);
    // first, the large one in fragments, during, the second in fragments, last.
    const expectedFragments = Math.ceil(largeBytes / FRAGMENT_BYTES);
    const fragmentsOf = frames.slice(1, 1 + expectedFragments);
    expect(fragmentsOf[0]).toMatchObject({ opcode: 1, fin: false });
    expect(fragmentsOf.slice(1).every((f) => f.opcode === 0)).toBe(true);
    expect(fragmentsOf.at(-1)?.fin).toBe(true);
    expect(fragmentsOf.reduce((n, f) => n + f.length, 0)).toBe(largeBytes);
    expect(frames[1 + expectedFragments]).toMatchObject({ opcode: 1, fin: true, length: 14 });
    expect(frames.every((f) => f.length <= FRAGMENT_BYTES)).toBe(true);
    expect(frames).toHaveLength(
      1 + expectedFragments + 1 + Math.ceil(Buffer.byteLength(second) / FRAGMENT_BYTES) + 1,
    );
  });

  it('cuts a message of multi-byte characters without splitting any of them', async () => {
    const wide = JSON.stringify({ t: 'command', text: 'é😀€a'.repeat(8_000) });
    const { messages, frames } = await connect((send) => send(wide), 1);
    expect(messages).toEqual([wide]);
    expect(frames.length).toBeGreaterThan(Buffer.byteLength(wide) / FRAGMENT_BYTES);
    expect(frames.every((f) => f.length <= FRAGMENT_BYTES)).toBe(true);
    expect(frames.reduce((n, f) => n + f.length, 0)).toBe(Buffer.byteLength(wide));
  });

  it('sends a small message as one frame at once', async () => {
    const { messages, frames } = await connect((send) => send('{"t":"auth.challenge"}'), 1);
    expect(messages).toEqual(['{"t":"auth.challenge"}']);
    expect(frames).toEqual([{ fin: true, opcode: 1, length: 22 }]);
  });
});
