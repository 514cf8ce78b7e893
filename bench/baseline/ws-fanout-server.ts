/**
 * The bare baseline of the fleet benchmarks: a plain `ws` server over TLS (same certificate
 * kind as Vigil: ECDSA P-256 from the Vigil CA code) with no protocol, auth, signing or store.
 * A control client sends {"go": id}; the server sends a small message to every other client and
 * answers {"done": id, "replies": n} once every client has replied. Runs until stdin closes.
 *
 * Optional settings (environment), for the capacity and reconnect-storm benchmarks:
 * BASELINE_PING_MS pings every client at that interval from one timer (a heartbeat, as Vigil
 * does); BASELINE_PORT listens on a fixed port; BASELINE_TLS_DIR keeps the CA and certificate in
 * that directory so a restarted baseline presents the same certificate.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { createCa, createServerCertificate } from '../../packages/server/src/pki/certificates.js';

async function tlsMaterial(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const dir = process.env.BASELINE_TLS_DIR;
  const file = dir ? join(dir, 'baseline-tls.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const ca = await createCa('Baseline CA');
  const cert = await createServerCertificate(ca, ['127.0.0.1', 'localhost']);
  const material = { caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem };
  if (file) writeFileSync(file, JSON.stringify(material), { mode: 0o600 });
  return material;
}

const cert = await tlsMaterial();
const ca = { certPem: cert.caPem };
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

// Heartbeat: each client is pinged once per interval on its own phase (one slot per second),
// so the pings are spread like an agent fleet's rather than one burst per interval.
const pingMs = Number(process.env.BASELINE_PING_MS ?? 0);
const slots = Math.max(1, Math.round(pingMs / 1000));
let tick = 0;
const pinger =
  pingMs > 0
    ? setInterval(() => {
        const slot = tick++ % slots;
        let i = 0;
        for (const c of clients) if (i++ % slots === slot) c.ping();
      }, pingMs / slots)
    : undefined;

server.listen(Number(process.env.BASELINE_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(
    `${JSON.stringify({ url: `wss://127.0.0.1:${port}`, caPem: ca.certPem, pid: process.pid })}\n`,
  );
});
process.stdin.resume();
process.stdin.on('end', () => {
  if (pinger) clearInterval(pinger);
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
