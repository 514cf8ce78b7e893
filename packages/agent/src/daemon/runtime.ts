/**
 * The running agent: one outbound channel (live WebSocket, or signed HTTPS polling when a proxy
 * refuses the upgrade or the server asks for it), reconnect with full-jitter backoff, the durable
 * outbox flushed whenever connected, and signed commands dispatched to handlers.
 */
import type { KeyObject } from 'node:crypto';
import type { HeldSetsT } from '@vigil/protocol';
import { CLOSE_CODES, DEFLATE_ENCODING, ed25519PublicKeyFromRaw } from '@vigil/protocol/agent-runtime';
import { type BackoffOptions, backoffDelay, reconnectDelay } from './backoff.js';
import { Dispatcher, type Log } from './dispatch.js';
import { AGENT_VERSION, hostFacts } from './facts.js';
import { type AgentState, loadIdentity, saveState } from './identity.js';
import { type LiveSession, openLive } from './live.js';
import { Outbox } from './outbox.js';
import type { Poller } from './poll.js';

/**
 * How long a sent batch may wait for its ack before it is sent again on the same connection (the
 * server leaves a batch unacknowledged when storing it failed; it ingests a re-sent item once).
 */
const ACK_TIMEOUT_MS = 30_000;

/** Options of a running agent. */
export interface AgentOptions {
  stateDir: string;
  log: Log;
  backoff?: BackoffOptions;
  /** Outbox size limit in bytes (default 100 MB). */
  outboxMaxBytes?: number;
  /** Extra facts (the fingerprint) reported with the host facts. */
  extraFacts?: () => Record<string, unknown>;
  /** How long a live batch may wait for its ack before it is sent again (default 30 s). */
  ackTimeoutMs?: number;
}

/** An agent process's state and channel. */
export class AgentRuntime {
  readonly state: AgentState;
  readonly key: KeyObject;
  readonly outbox: Outbox;
  readonly dispatcher: Dispatcher;
  private live: LiveSession | undefined;
  private poller: Promise<Poller> | undefined;
  private stopping = false;
  private mode: 'live' | 'poll';
  private inFlight = new Set<string>();
  private inFlightSince = 0;
  private wake: (() => void) | undefined;
  private readonly backoff: BackoffOptions;
  private liveRetryAt = 0;
  private readonly started = Date.now();
  /** Settles when the channel loop ends (stop, or revocation). */
  done: Promise<void> = Promise.resolve();
  private readonly channelListeners: Array<(up: boolean) => void> = [];
  private heldSets: () => HeldSetsT = () => ({});

  constructor(private readonly options: AgentOptions) {
    const { privateKey, state } = loadIdentity(options.stateDir);
    this.key = privateKey;
    this.state = state;
    this.mode = state.mode ?? 'live';
    this.backoff = options.backoff ?? { baseMs: 1000, capMs: 60_000 };
    this.outbox = new Outbox(options.stateDir, options.outboxMaxBytes);
    this.outbox.onEnqueue = () => this.flush();
    this.dispatcher = new Dispatcher(
      {
        serverKey: ed25519PublicKeyFromRaw(state.signing_public_key),
        accountId: state.account_id,
        agentId: state.agent_id,
      },
      this.outbox,
      options.log,
    );
  }

  /** The agent's live status as it reports it. */
  status() {
    return {
      mode: this.mode,
      version: AGENT_VERSION,
      outbox_depth: this.outbox.depth(),
      outbox_evicted: this.outbox.evicted(),
      held: this.heldSets(),
      accepts: [DEFLATE_ENCODING],
    };
  }

  /** Where the digests of the configuration sets this agent holds come from (reported on connect). */
  reportHeldSets(source: () => HeldSetsT): void {
    this.heldSets = source;
  }

  /** Seconds since the process started. */
  uptime(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }

  /** Start the channel loop. */
  start(): void {
    this.done = this.loop().catch((error: unknown) =>
      this.options.log.error({ err: error }, 'agent channel loop failed'),
    );
  }

  /** Call `listener` when the channel to the server comes up or drops (what the server asked for while watching ends then). */
  onChannel(listener: (up: boolean) => void): void {
    this.channelListeners.push(listener);
  }

  private channelChanged(up: boolean): void {
    for (const listener of this.channelListeners) {
      try {
        listener(up);
      } catch (error) {
        this.options.log.error({ err: error }, 'channel listener failed');
      }
    }
  }

  /** Switch mode on the server's signed request; persisted for restarts. */
  setMode(mode: 'live' | 'poll', pollS?: number): void {
    this.state.mode = mode;
    if (pollS) this.state.poll_s = pollS;
    saveState(this.options.stateDir, this.state);
    if (mode === this.mode) return;
    this.mode = mode;
    this.options.log.info({ mode }, 'switching mode');
    if (mode === 'poll') void this.live?.goodbye('mode_change');
    else this.wake?.();
  }

  private facts() {
    return hostFacts(this.options.extraFacts?.() ?? {});
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    let silentCloses = 0;
    while (!this.stopping) {
      const wantLive = this.mode === 'live' && Date.now() >= this.liveRetryAt;
      if (wantLive) {
        const result = await this.runLive();
        if (this.stopping) return;
        if (result.code === CLOSE_CODES.revoked) {
          this.options.log.error(
            { code: result.code, reason: result.reason },
            'this agent was revoked: stopping',
          );
          return;
        }
        // Upgraded but closed before the server spoke, twice in a row: something in the way eats WebSockets.
        silentCloses =
          result.code !== 1006 && !result.challenged && !result.upgradeFailed ? silentCloses + 1 : 0;
        if (result.upgradeFailed || silentCloses >= 2) {
          silentCloses = 0;
          this.options.log.warn(
            {},
            'WebSocket unavailable: falling back to polling, will retry live in the background',
          );
          this.liveRetryAt = Date.now() + 4 * this.state.poll_s * 1000;
          continue;
        }
        if (result.code === CLOSE_CODES.modeChange || this.mode === 'poll') continue;
        const wasUp = result.authenticated;
        if (wasUp) attempt = 0;
        if (result.code === CLOSE_CODES.authFailed || result.code === CLOSE_CODES.conflict) {
          this.options.log.error(
            { code: result.code, reason: result.reason },
            'the server refused this agent',
          );
        }
        // Refused outright (unknown key, conflict): no point hammering the server, wait the longest.
        const refused = result.code === CLOSE_CODES.authFailed || result.code === CLOSE_CODES.conflict;
        const delay = refused ? this.backoff.capMs : reconnectDelay(attempt++, wasUp, this.backoff);
        this.options.log.info(
          { code: result.code, reason: result.reason, retry_ms: delay },
          'live channel closed',
        );
        await this.sleep(delay);
      } else {
        const ok = await this.pollOnce();
        if (ok === 'revoked') return;
        attempt = ok ? 0 : attempt + 1;
        await this.sleep(ok ? this.state.poll_s * 1000 : backoffDelay(attempt, this.backoff));
      }
    }
  }

  private async runLive() {
    this.inFlight.clear();
    const session = openLive(this.state, this.key, {
      facts: () => this.facts(),
      status: () => this.status(),
      onCommand: (env) => void this.dispatcher.handle(env),
      onAck: (ids) => {
        this.outbox.ack(ids);
        for (const id of ids) this.inFlight.delete(id);
        this.flush();
      },
      onAuthenticated: (heartbeatS, pollS) => {
        this.state.heartbeat_s = heartbeatS;
        this.state.poll_s = pollS;
        this.options.log.info({ heartbeat_s: heartbeatS }, 'live channel up');
        this.channelChanged(true);
        this.flush();
      },
      log: this.options.log,
    });
    this.live = session;
    const ackTimeoutMs = this.options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    const resend = setInterval(() => this.resendUnacknowledged(ackTimeoutMs), ackTimeoutMs / 2);
    resend.unref();
    const result = await session.closed.finally(() => clearInterval(resend));
    this.live = undefined;
    this.channelChanged(false);
    return result;
  }

  /** A batch the server did not acknowledge in time goes out again (the outbox still holds it). */
  private resendUnacknowledged(ackTimeoutMs: number): void {
    if (this.inFlight.size === 0 || Date.now() - this.inFlightSince < ackTimeoutMs) return;
    this.options.log.warn(
      { items: this.inFlight.size },
      'no acknowledgement in time: sending the batch again',
    );
    this.inFlight.clear();
    this.flush();
  }

  /** Send the next outbox batch over the live channel when nothing is in flight. */
  private flush(): void {
    if (!this.live || this.inFlight.size > 0) return;
    const items = this.outbox.peek();
    if (items.length === 0) return;
    if (this.live.send({ t: 'outbox.deliver', items })) {
      for (const i of items) this.inFlight.add(i.id);
      this.inFlightSince = Date.now();
    }
  }

  private async pollOnce(goodbye?: 'stop'): Promise<boolean | 'revoked'> {
    // Loaded on first use: polling pulls in undici (~5 MB of heap), which a live agent never needs.
    this.poller ??= import('./poll.js').then(({ Poller }) => new Poller(this.state, this.key));
    const poller = await this.poller;
    try {
      const items = this.outbox.peek();
      const res = await poller.poll({
        items,
        facts: this.facts(),
        status: this.status(),
        ...(goodbye ? { goodbye } : {}),
      });
      this.outbox.ack(res.acks);
      this.state.poll_s = res.poll_s;
      this.channelChanged(true);
      for (const env of res.commands) await this.dispatcher.handle(env);
      return true;
    } catch (error) {
      this.channelChanged(false);
      const code = (error as { code?: string }).code;
      this.options.log.warn({ err: (error as Error).message, code }, 'poll failed');
      if (code === 'E_AGENT_REVOKED') return 'revoked';
      return false;
    }
  }

  /** Stop: say goodbye (service stop), flush what can be flushed, close. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (this.live) await this.live.goodbye('stop');
    else if (this.mode === 'poll') await this.pollOnce('stop').catch(() => {});
    await this.done;
    await (await this.poller)?.close();
    this.outbox.close();
  }
}
