/**
 * The bare baseline of the fleet benchmarks: a plain `ws` server over TLS (same certificate
 * kind as Vigil: ECDSA P-256 from the Vigil CA code) with no protocol, auth, signing or store.
 * A control client sends {"go": id}; the server sends a small message to every other client and
 * answers {"done": id, "replies": n} once every client has replied. Runs until stdin closes.
 */
import { createServer } from 'node:https';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { createCa, createServerCertificate } from '../../packages/server/src/pki/certificates.js';

const ca = await createCa('Baseline CA');
const cert = await createServerCertificate(ca, ['127.0.0.1', 'localhost']);
const server = createServer({ cert: cert.certPem, key: cert.keyPem });
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
const clients = new Set<WebSocket>();
let control: WebSocket | undefined;
let round: { id: string; expected: number; replies: number } | undefined;
// Roughly the size of a signed query.run envelope, so both sides send the same bytes out.
const padding = 'x'.repeat(400);

wss.on('connection', (ws, req) => {
  if (req.url === '/control') {
    control = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { go: string };
      round = { id: m.go, expected: clients.size, replies: 0 };
      const out = JSON.stringify({
        t: 'command',
        id: m.go,
        sql: 'SELECT pid, name, cmdline FROM processes',
        padding,
      });
      for (const c of clients) c.send(out);
    });
    return;
  }
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { id: string };
    if (!round || m.id !== round.id) return;
    round.replies += 1;
    if (round.replies === round.expected)
      control?.send(JSON.stringify({ done: round.id, replies: round.replies }));
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `wss://127.0.0.1:${port}`, caPem: ca.certPem })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
