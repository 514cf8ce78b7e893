/**
 * Real TCP traffic inside network namespaces for the network action tests: an echo server, a
 * one-shot probe (connect, send, expect the echo) and a long-lived client whose connection can
 * be checked and cut. Each runs as `ip netns exec NS node -e SCRIPT`; every wait is bounded.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const ECHO_SERVER = `
const net = require('node:net');
const [port, host] = process.argv.slice(1);
const server = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
server.listen(Number(port), host, () => console.log('listening'));
`;

const PROBE = `
const net = require('node:net');
const [host, port, ms, from] = process.argv.slice(1);
let done = false;
const finish = (r) => { if (!done) { done = true; console.log(r); process.exit(0); } };
const s = net.connect({ host, port: Number(port), ...(from ? { localAddress: from } : {}) }, () => s.write('ping'));
s.on('data', (d) => finish(String(d) === 'ping' ? 'ok' : 'garbled'));
s.on('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code));
setTimeout(() => finish('timeout'), Number(ms));
`;

const CLIENT = `
const net = require('node:net');
const readline = require('node:readline');
const [host, port] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) }, () => console.log('connected ' + s.localAddress + ' ' + s.localPort));
let waiting = null;
s.on('data', () => { if (waiting) { clearTimeout(waiting); waiting = null; console.log('echo'); } });
s.on('error', (e) => console.log('closed ' + e.code));
s.on('close', () => { console.log('closed'); process.exit(0); });
readline.createInterface({ input: process.stdin }).on('line', () => {
  s.write('x');
  waiting = setTimeout(() => { waiting = null; console.log('no-echo'); }, 1000);
});
`;

function nodeIn(ns: string, script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, '--', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Resolves with the child's next stdout line, or rejects after `ms`. */
function nextLine(lines: AsyncIterator<string>, ms: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    lines.next().then(
      (r) => {
        clearTimeout(timer);
        if (r.done) reject(new Error(`${what}: process ended`));
        else resolve(r.value);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export interface EchoServer {
  stop(): void;
}

/** Starts a TCP echo server in a namespace and waits until it listens. */
export async function startEchoServer(ns: string, host: string, port: number): Promise<EchoServer> {
  const child = nodeIn(ns, ECHO_SERVER, [String(port), host]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const line = await nextLine(lines, 10_000, `echo server ${host}:${port}`);
    if (line !== 'listening') throw new Error(`echo server said ${line}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { stop: () => child.kill('SIGKILL') };
}

export type ProbeResult = 'ok' | 'timeout' | 'refused' | 'garbled' | `error:${string}`;

/** Connects from a namespace (optionally from a given local address), sends a word and waits for its echo. */
export function probe(
  ns: string,
  host: string,
  port: number,
  options: { from?: string; timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const child = nodeIn(ns, PROBE, [
    host,
    String(port),
    String(timeoutMs),
    ...(options.from ? [options.from] : []),
  ]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('probe did not finish'));
    }, timeoutMs + 10_000);
    child.on('close', () => {
      clearTimeout(guard);
      resolve(out.trim() as ProbeResult);
    });
  });
}

export interface LongClient {
  pid: number;
  localAddress: string;
  localPort: number;
  /** Sends one byte and reports 'echo', 'no-echo' (nothing within 1 s) or the close reason. */
  roundTrip(): Promise<string>;
  /** Resolves when the connection closes, with the reason line. */
  closed: Promise<string>;
  stop(): void;
}

/** Opens a long-lived connection from a namespace to an echo server. */
export async function connectClient(ns: string, host: string, port: number): Promise<LongClient> {
  const child = nodeIn(ns, CLIENT, [host, String(port)]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await nextLine(lines, 10_000, 'client connect').catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  const [word, localAddress, localPort] = first.split(' ');
  if (word !== 'connected' || !localAddress || !localPort) {
    child.kill('SIGKILL');
    throw new Error(`client said ${first}`);
  }
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const closed = new Promise<string>((resolve) => {
    child.on('close', () => resolve(output.split('\n').find((l) => l.startsWith('closed')) ?? 'exited'));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('client has no pid');
  return {
    pid,
    localAddress,
    localPort: Number(localPort),
    roundTrip() {
      child.stdin.write('\n');
      return nextLine(lines, 5000, 'client round trip').catch(() => 'closed');
    },
    closed,
    stop: () => child.kill('SIGKILL'),
  };
}
