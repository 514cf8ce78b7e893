/** One signed poll round trip (the HTTPS fallback): outbox items out, acks and commands back. */
import { createHash, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { HostFactsT, PollResponseT } from '@vigil/protocol';
import {
  AGENT_PATHS,
  isErrorCode,
  POLL_HEADERS,
  pollProofBytes,
  VigilError,
} from '@vigil/protocol/agent-runtime';
import { Agent, request } from 'undici';
import { agentNow } from './facts.js';
import type { AgentState } from './identity.js';
import { leafFingerprint } from './leaf-fingerprint.js';

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
