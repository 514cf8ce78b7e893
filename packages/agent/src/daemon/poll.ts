/** One signed poll round trip (the HTTPS fallback): outbox items out, acks and commands back. */
import { createHash, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import {
  AGENT_PATHS,
  type HostFactsT,
  isErrorCode,
  POLL_HEADERS,
  type PollResponseT,
  pollProofBytes,
  VigilError,
} from '@vigil/protocol';
import { Agent, request } from 'undici';
import { agentNow } from './facts.js';
import type { AgentState } from './identity.js';

/** The SHA-256 fingerprint of the server's leaf certificate, read once over a TLS probe. */
export function leafFingerprint(state: AgentState): Promise<string> {
  const url = new URL(state.server_url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: url.hostname, port: Number(url.port || 443), ca: state.ca_pem, servername: url.hostname },
      () => {
        const raw = socket.getPeerCertificate().raw;
        socket.end();
        resolve(`SHA256:${createHash('sha256').update(new X509Certificate(raw).raw).digest('hex')}`);
      },
    );
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS probe timed out')));
  });
}

/** A poller bound to one server. */
export class Poller {
  private readonly dispatcher: Agent;
  private fingerprint: string | undefined;

  constructor(
    private readonly state: AgentState,
    private readonly key: KeyObject,
  ) {
    this.dispatcher = new Agent({ connect: { ca: state.ca_pem } });
  }

  /** Send a batch and receive acks and pending commands. Errors carry the server's code. */
  async poll(body: {
    items: unknown[];
    facts?: HostFactsT;
    status: object;
    goodbye?: string;
  }): Promise<PollResponseT> {
    this.fingerprint ??= await leafFingerprint(this.state);
    const raw = Buffer.from(JSON.stringify(body));
    const time = agentNow();
    const nonce = randomBytes(16).toString('hex');
    const sig = sign(
      null,
      pollProofBytes(
        this.state.agent_id,
        time,
        nonce,
        createHash('sha256').update(raw).digest('hex'),
        this.fingerprint,
      ),
      this.key,
    ).toString('base64');
    const res = await request(new URL(AGENT_PATHS.poll, this.state.server_url), {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: {
        'content-type': 'application/json',
        [POLL_HEADERS.agent]: this.state.agent_id,
        [POLL_HEADERS.time]: String(time),
        [POLL_HEADERS.nonce]: nonce,
        [POLL_HEADERS.signature]: sig,
      },
      body: raw,
    });
    const answer = (await res.body.json()) as PollResponseT & { error?: { code?: string; message?: string } };
    if (res.statusCode !== 200) {
      const e = answer.error;
      throw new VigilError(
        isErrorCode(e?.code) ? e.code : 'E_INTERNAL',
        e?.message ?? `poll failed with HTTP ${res.statusCode}`,
      );
    }
    return answer;
  }

  /** Close the HTTP pool. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
