/**
 * The agent hub of one server node: live sessions, poll presence, command delivery and
 * presence bookkeeping (online / offline / lost / revoked). One sweep timer serves every agent
 * (a timer per connection does not scale to 100k).
 */
import { randomBytes } from 'node:crypto';
import {
  type CommandPayloadT,
  type DeviceStatusT,
  type EnvelopeT,
  type HeldSetsT,
  type HostFactsT,
  signCommand,
} from '@vigil/protocol';
import Type from 'typebox';
import type { Services } from '../services/index.js';
import { newId, nowIso } from '../store/ids.js';
import { Ingestor } from './ingest.js';

/** Told when an agent comes online, with the configuration sets it says it holds. */
export type AttachListener = (deviceId: string, accountId: string, held: HeldSetsT) => Promise<void>;

/** What the hub needs to know of a live connection. */
export interface LiveConnection {
  deviceId: string;
  accountId: string;
  machineId: string;
  /** Send one serialized message (campaigns serialize once for every target). */
  send(data: string): void;
  ping(): void;
  close(code: number, reason: string): void;
  /** Kill the connection without a close handshake (dead peer). */
  terminate(): void;
  lastSeen: number;
  /** Set when the agent said goodbye; decides offline vs lost when it closes. */
  goodbye?: string;
  /** The agent reads deflated command bodies (its status `accepts` `deflate`). */
  acceptsDeflate?: boolean;
}

/** Options of the hub. */
export interface HubOptions {
  heartbeatMs: number;
  pollMs: number;
  /** Refuse WebSocket upgrades (tests of the polling fallback). */
  refuseWebsocket?: boolean;
  /** Default command lifetime. */
  commandTtlMs?: number;
}

/** A command delivery summary. */
export interface Delivery {
  commandId: string;
  campaignId?: string;
  live: string[];
  queued: string[];
}

/** Live sessions and presence of this node's agents. */
export class AgentHub {
  readonly sessions = new Map<string, LiveConnection>();
  /** Poll-mode agents and when they last polled. */
  readonly pollers = new Map<string, { accountId: string; lastPoll: number }>();
  /** Devices that were online before this node started; lost if they do not come back in time. */
  private readonly awaiting = new Map<string, { accountId: string; deadline: number }>();
  readonly ingestor: Ingestor;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly attachListeners: Array<AttachListener> = [];
  private readonly factsListeners: Array<(deviceId: string, accountId: string) => Promise<void>> = [];
  private closing = false;

  constructor(
    private readonly services: Services,
    readonly options: HubOptions,
  ) {
    this.ingestor = new Ingestor(
      services.store.db,
      services.repos.agentMessages,
      services.alerts,
      services.events,
    );
    this.ingestor.register('test.event', Type.Unknown(), async () => {});
  }

  /** Start the sweeper and adopt devices left online by a previous run. */
  async start(now = Date.now()): Promise<void> {
    const online = await this.services.store.db
      .selectFrom('devices')
      .select(['id', 'account_id'])
      .where('status', '=', 'online')
      .execute();
    const grace = 2 * Math.max(this.options.heartbeatMs, this.options.pollMs) + 5_000;
    for (const d of online) this.awaiting.set(d.id, { accountId: d.account_id, deadline: now + grace });
    const every = Math.max(250, Math.min(this.options.heartbeatMs, this.options.pollMs) / 2);
    this.sweepEveryMs = every;
    // The first sweep is judged against the start, so one that runs late after a stalled start-up
    // only pings as well.
    this.lastSweepAt = now;
    this.sweepTimer = setInterval(
      () =>
        void this.sweep().catch((e: unknown) => this.services.log.error({ err: e }, 'presence sweep failed')),
      every,
    );
    this.sweepTimer.unref();
  }

  /** Stop: close every live connection with "going away"; presence is not changed (the server left, not the agents). */
  async stop(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const s of this.sessions.values()) s.close(1001, 'server shutting down');
    this.sessions.clear();
  }

  private sweepEveryMs = 250;
  private lastSweepAt: number | undefined;

  /**
   * How long a live session may stay silent before the sweep pings it. The agent pings every
   * heartbeat itself, so pinging such an agent on every sweep as well (every half heartbeat) only
   * multiplied idle traffic and CPU: 8 pings a minute per agent, 10k pings per sweep at 10k
   * agents. Only a session silent for one and a half heartbeats is pinged — an agent on a busy
   * host pings a little late at times, and pinging it then doubled its idle traffic (a quarter
   * second of slack was not enough) — but early enough that the pong has at least three sweeps
   * before the drop at two heartbeats.
   */
  private pingSilentAfterMs(): number {
    const h = this.options.heartbeatMs;
    return Math.max(this.sweepEveryMs, Math.min(h + h / 2, 2 * h - 3 * this.sweepEveryMs));
  }

  /** Whether the node is shutting down (closing sockets must not mark agents lost). */
  get isClosing(): boolean {
    return this.closing;
  }

  /** Ping live agents, drop the silent ones, and mark poll agents and non-returning agents lost. */
  async sweep(now = Date.now()): Promise<void> {
    // After the event loop stalled (a long GC, a burst of sync work, an overloaded host), the pongs
    // and polls that arrived meanwhile are still queued behind this timer: judging agents silent
    // now would drop healthy ones. Such a round only pings; the next one judges.
    const sincePrevious = this.lastSweepAt === undefined ? 0 : now - this.lastSweepAt;
    const stalled = sincePrevious > 3 * this.sweepEveryMs;
    this.lastSweepAt = now;
    if (stalled) this.services.log.warn({ since_previous_ms: sincePrevious }, 'presence sweep ran late');
    const pingAfter = this.pingSilentAfterMs();
    for (const s of this.sessions.values()) {
      if (!stalled && now - s.lastSeen > 2 * this.options.heartbeatMs) {
        this.services.log.info({ device: s.deviceId }, 'agent silent for two heartbeats: dropping');
        s.terminate();
        continue;
      }
      if (stalled || now - s.lastSeen >= pingAfter) s.ping();
    }
    if (stalled) return;
    const pollLimit = 2 * this.options.pollMs + 5_000;
    for (const [id, p] of this.pollers) {
      if (now - p.lastPoll > pollLimit) {
        this.pollers.delete(id);
        await this.markLost(id, p.accountId, 'poll-mode agent stopped polling');
      }
    }
    for (const [id, a] of this.awaiting) {
      if (now > a.deadline) {
        this.awaiting.delete(id);
        await this.markLost(id, a.accountId, 'agent did not reconnect after the server restarted');
      }
    }
  }

  /** A live connection authenticated: register it, replacing a stale one of the same host. */
  async attach(
    conn: LiveConnection,
    facts: HostFactsT,
    ip: string | null,
    mode: 'live' | 'poll',
    held: HeldSetsT = {},
  ): Promise<'ok' | 'conflict'> {
    const previous = this.sessions.get(conn.deviceId);
    if (previous) {
      if (previous.machineId && conn.machineId && previous.machineId !== conn.machineId) return 'conflict';
      previous.goodbye = 'replaced';
      previous.close(4410, 'replaced by a newer connection of the same agent');
    }
    this.sessions.set(conn.deviceId, conn);
    this.pollers.delete(conn.deviceId);
    this.awaiting.delete(conn.deviceId);
    await this.markOnline(conn.deviceId, facts, ip, mode);
    await this.flushQueued(conn);
    await this.notifyAttach(conn.deviceId, conn.accountId, held);
    return 'ok';
  }

  /**
   * Call `listener` whenever an agent comes online (features push its configuration then); `held`
   * names the configuration sets the agent already holds, which need not be sent again.
   */
  onAttach(listener: AttachListener): void {
    this.attachListeners.push(listener);
  }

  /** Call `listener` when a device reports changed facts (its fingerprint may have changed). */
  onFactsChanged(listener: (deviceId: string, accountId: string) => Promise<void>): void {
    this.factsListeners.push(listener);
  }

  private async notifyAttach(deviceId: string, accountId: string, held: HeldSetsT): Promise<void> {
    for (const l of this.attachListeners)
      await l(deviceId, accountId, held).catch((e: unknown) =>
        this.services.log.error({ err: e, device: deviceId }, 'on-attach push failed'),
      );
  }

  /** A live connection closed: offline after a goodbye, lost otherwise (unless this node is stopping). */
  async detach(conn: LiveConnection): Promise<void> {
    if (this.sessions.get(conn.deviceId) === conn) this.sessions.delete(conn.deviceId);
    else return;
    if (this.closing || conn.goodbye === 'replaced') return;
    if (conn.goodbye === 'mode_change') return;
    if (conn.goodbye) await this.markOffline(conn.deviceId, conn.goodbye);
    else await this.markLost(conn.deviceId, conn.accountId, 'connection dropped without goodbye');
  }

  /**
   * Whether a device is connected live and reads deflated command bodies. Only live sessions are
   * sent them: their socket lives on, and with it the TLS buffers a large message leaves behind.
   */
  acceptsDeflate(deviceId: string): boolean {
    return this.sessions.get(deviceId)?.acceptsDeflate === true;
  }

  /** A poll arrived: the agent is online in poll mode. */
  async polled(
    deviceId: string,
    accountId: string,
    facts: HostFactsT | undefined,
    ip: string | null,
    goodbye?: string,
    held: HeldSetsT = {},
  ): Promise<void> {
    const wasKnown = this.pollers.has(deviceId);
    this.awaiting.delete(deviceId);
    if (goodbye && goodbye !== 'mode_change') {
      this.pollers.delete(deviceId);
      await this.markOffline(deviceId, goodbye);
      return;
    }
    this.pollers.set(deviceId, { accountId, lastPoll: Date.now() });
    if (!wasKnown || facts) await this.markOnline(deviceId, facts, ip, 'poll');
    if (!wasKnown) await this.notifyAttach(deviceId, accountId, held);
  }

  /** Sign a command for one device and deliver it now (live) or queue it (poll, offline). */
  async sendToDevice(
    accountId: string,
    deviceId: string,
    kind: string,
    body: unknown,
    ttlMs?: number,
  ): Promise<Delivery> {
    const now = Date.now();
    const payload: CommandPayloadT = {
      id: newId(),
      kind,
      aud: { account: accountId, agent: deviceId },
      iat: now,
      exp: now + (ttlMs ?? this.options.commandTtlMs ?? 10 * 60_000),
      body,
    };
    const env = signCommand(payload, this.services.keys.signingKey);
    return this.deliver(accountId, [deviceId], payload, env);
  }

  /** Sign a command once for a campaign and deliver it to every target (one signature for N agents). */
  async sendCampaign(
    accountId: string,
    deviceIds: string[],
    kind: string,
    body: unknown,
    ttlMs?: number,
  ): Promise<Delivery> {
    return this.sendCampaignWithId(newId(), accountId, deviceIds, kind, body, ttlMs);
  }

  /**
   * As sendCampaign, for a campaign id the caller already recorded. With `answersElsewhere`
   * (the agents answer into the caller's own records, never into the command's rows, as a live
   * query's answers go to its campaign), live agents get the command before its rows are written.
   */
  async sendCampaignWithId(
    campaignId: string,
    accountId: string,
    deviceIds: string[],
    kind: string,
    body: unknown,
    ttlMs?: number,
    options: { answersElsewhere?: boolean } = {},
  ): Promise<Delivery> {
    const now = Date.now();
    const payload: CommandPayloadT = {
      id: newId(),
      kind,
      aud: { account: accountId, campaign: campaignId },
      iat: now,
      exp: now + (ttlMs ?? this.options.commandTtlMs ?? 10 * 60_000),
      body,
    };
    const env = signCommand(payload, this.services.keys.signingKey);
    const delivery = options.answersElsewhere
      ? await this.deliverThenRecord(accountId, deviceIds, payload, env, campaignId)
      : await this.deliver(accountId, deviceIds, payload, env, campaignId);
    return { ...delivery, campaignId };
  }

  /** Revoke a device: mark it, and close its live connection at once. */
  async revoke(accountId: string, deviceId: string): Promise<void> {
    await this.services.repos.devices.update(deviceId, { status: 'revoked', revoked_at: nowIso() });
    this.announcePresence(accountId, deviceId, 'revoked');
    const s = this.sessions.get(deviceId);
    if (s && s.accountId === accountId) {
      s.goodbye = 'revoked';
      this.sessions.delete(deviceId);
      s.close(4403, 'this agent was revoked');
    }
    this.pollers.delete(deviceId);
  }

  /** Whether a device is connected to this node right now. */
  isConnected(deviceId: string): boolean {
    return this.sessions.has(deviceId) || this.pollers.has(deviceId);
  }

  private async deliver(
    accountId: string,
    deviceIds: string[],
    payload: CommandPayloadT,
    env: EnvelopeT,
    campaignId?: string,
  ): Promise<Delivery> {
    const live: string[] = [];
    const queued: string[] = [];
    const at = nowIso();
    // Rows of devices with a live session are written as delivered: marking them afterwards
    // rewrote each row, and a pushed rule set is ~80 KB (as costly as inserting it).
    const connected = new Set(deviceIds.filter((id) => this.sessions.get(id)?.accountId === accountId));
    const envelope = JSON.stringify(env);
    const rows = deviceIds.map((deviceId) => ({
      id: payload.id,
      device_id: deviceId,
      account_id: accountId,
      kind: payload.kind,
      campaign_id: campaignId ?? null,
      // Only a queued row is ever sent from the store: a row sent live keeps no envelope. Each
      // agent's rule sets (~130 KB signed) on every connect wrote 1.3 GB per 10k agents.
      envelope: connected.has(deviceId) ? '' : envelope,
      created_at: at,
      expires_at: nowIso(new Date(payload.exp)),
      delivered_at: connected.has(deviceId) ? at : null,
      completed_at: null,
      ok: null,
      result: null,
    }));
    await this.services.repos.agentCommands.enqueue(rows);
    const message = `{"t":"command","env":${envelope}}`;
    for (const deviceId of deviceIds) {
      const s = this.sessions.get(deviceId);
      if (s && s.accountId === accountId) {
        s.send(message);
        live.push(deviceId);
      } else queued.push(deviceId);
    }
    // Sessions that came or went while the rows were written: correct just those rows.
    const cameOnline = live.filter((id) => !connected.has(id));
    const wentAway = queued.filter((id) => connected.has(id));
    if (cameOnline.length > 0) await this.services.repos.agentCommands.markDelivered(payload.id, cameOnline);
    for (let i = 0; i < wentAway.length; i += 500) {
      await this.services.store.db
        .updateTable('agent_commands')
        .set({ delivered_at: null, envelope })
        .where('id', '=', payload.id)
        .where('device_id', 'in', wentAway.slice(i, i + 500))
        .execute();
    }
    return { commandId: payload.id, live, queued };
  }

  /**
   * Send to the live agents first, then write the rows (those sent as delivered): writing 1,000
   * rows took about as long as the whole bare fan-out and held up every agent's answer. Only for
   * commands whose answers do not update these rows (one could arrive before its row exists).
   * An agent that connected while the rows were written may have missed its queued command
   * (its connect read the queue before the row was there): it gets it now.
   */
  private async deliverThenRecord(
    accountId: string,
    deviceIds: string[],
    payload: CommandPayloadT,
    env: EnvelopeT,
    campaignId: string,
  ): Promise<Delivery> {
    const envelope = JSON.stringify(env);
    const message = `{"t":"command","env":${envelope}}`;
    const live: string[] = [];
    const queued: string[] = [];
    for (const deviceId of deviceIds) {
      const s = this.sessions.get(deviceId);
      if (s && s.accountId === accountId) {
        s.send(message);
        live.push(deviceId);
      } else queued.push(deviceId);
    }
    const sent = new Set(live);
    const at = nowIso();
    const expiresAt = nowIso(new Date(payload.exp));
    await this.services.repos.agentCommands.enqueue(
      deviceIds.map((deviceId) => ({
        id: payload.id,
        device_id: deviceId,
        account_id: accountId,
        kind: payload.kind,
        campaign_id: campaignId,
        // As in deliver: a row sent live is never sent from the store again, so it keeps no copy
        // of the envelope (a fleet-wide query otherwise wrote the same ~600 B into every row).
        envelope: sent.has(deviceId) ? '' : envelope,
        created_at: at,
        expires_at: expiresAt,
        delivered_at: sent.has(deviceId) ? at : null,
        completed_at: null,
        ok: null,
        result: null,
      })),
    );
    const cameOnline = queued.filter((id) => this.sessions.get(id)?.accountId === accountId);
    if (cameOnline.length > 0) {
      for (const id of cameOnline) this.sessions.get(id)?.send(message);
      await this.services.repos.agentCommands.markDelivered(payload.id, cameOnline);
    }
    const late = new Set(cameOnline);
    return {
      commandId: payload.id,
      live: [...live, ...cameOnline],
      queued: queued.filter((id) => !late.has(id)),
    };
  }

  private async flushQueued(conn: LiveConnection): Promise<void> {
    const pending = await this.services.repos.agentCommands.pending(conn.deviceId);
    for (const row of pending) conn.send(`{"t":"command","env":${row.envelope}}`);
    await this.services.repos.agentCommands.markDeliveredIds(
      conn.deviceId,
      pending.map((r) => r.id),
    );
  }

  private async markOnline(
    deviceId: string,
    facts: HostFactsT | undefined,
    ip: string | null,
    mode: 'live' | 'poll',
  ): Promise<void> {
    const before = await this.services.repos.devices.byId(deviceId);
    await this.services.repos.devices.update(deviceId, {
      status: 'online',
      mode,
      ip,
      last_seen_at: nowIso(),
    });
    if (facts) await this.updateFacts(deviceId, facts, false);
    else if (before && before.status !== 'online')
      await this.services.devices.refreshDynamicGroups(before.account_id, [deviceId]);
    if (before && before.status !== 'online') this.announcePresence(before.account_id, deviceId, 'online');
  }

  /** Tell the account's consoles that a device's presence changed. */
  private announcePresence(accountId: string, deviceId: string, status: DeviceStatusT): void {
    this.services.events.publish(accountId, {
      type: 'device.presence',
      device_id: deviceId,
      status,
      at: nowIso(),
    });
  }

  /** Store reported host facts and re-evaluate dynamic groups (facts drive membership). */
  async updateFacts(deviceId: string, facts: HostFactsT, notify = true): Promise<void> {
    const d = await this.services.repos.devices.byId(deviceId);
    if (!d) return;
    await this.services.repos.devices.update(deviceId, {
      hostname: facts.hostname,
      os_platform: facts.os.platform,
      os_name: facts.os.name,
      os_version: facts.os.version,
      os_kernel: facts.os.kernel,
      os_arch: facts.os.arch,
      agent_version: facts.agent_version,
      facts: JSON.stringify(facts.extra ?? {}),
    });
    await this.services.devices.refreshDynamicGroups(d.account_id, [deviceId]);
    // On connect the attach listeners push configuration anyway; later changes notify here.
    if (notify && d.facts !== JSON.stringify(facts.extra ?? {})) {
      for (const l of this.factsListeners)
        await l(deviceId, d.account_id).catch((e: unknown) =>
          this.services.log.error({ err: e, device: deviceId }, 'facts-changed push failed'),
        );
    }
  }

  private async markOffline(deviceId: string, reason: string): Promise<void> {
    const d = await this.services.repos.devices.byId(deviceId);
    if (!d || d.status === 'revoked') return;
    await this.services.repos.devices.update(deviceId, { status: 'offline', last_seen_at: nowIso() });
    this.announcePresence(d.account_id, deviceId, 'offline');
    await this.services.audit.record(
      { principal: null, ip: null },
      'device.offline',
      `device:${deviceId}`,
      'success',
      { reason },
      d.account_id,
    );
    // A clean stop is worth knowing (who stops the agent?) but is no tamper sign: an info alert,
    // which routes (medium and up by default) do not notify.
    if (CLEAN_STOP_REASONS.has(reason))
      await this.services.alerts.raise({
        account_id: d.account_id,
        device_id: deviceId,
        rule: 'agent.stopped',
        severity: 'info',
        title: `Agent on ${d.hostname} stopped cleanly (${reason})`,
        context: { reason, hostname: d.hostname, last_seen_at: d.last_seen_at, ip: d.ip },
      });
  }

  /** Lost means the agent vanished without a goodbye: a tamper signal, raised as an alert. */
  private async markLost(deviceId: string, accountId: string, reason: string): Promise<void> {
    const d = await this.services.repos.devices.byId(deviceId);
    if (!d || d.status === 'revoked' || d.status === 'offline') return;
    await this.services.repos.devices.update(deviceId, { status: 'lost' });
    this.announcePresence(accountId, deviceId, 'lost');
    await this.services.alerts.raise({
      account_id: accountId,
      device_id: deviceId,
      rule: 'agent.lost',
      severity: 'high',
      title: `Agent on ${d.hostname} lost without goodbye (killed or cut off?)`,
      context: { reason, hostname: d.hostname, last_seen_at: d.last_seen_at, ip: d.ip },
    });
    this.services.log.warn({ device: deviceId, reason }, 'agent lost');
  }
}

/** Goodbye reasons of an agent that stopped cleanly (a mode change or a revocation is none). */
const CLEAN_STOP_REASONS: ReadonlySet<string> = new Set(['stop', 'uninstall', 'restart']);

/** A random challenge nonce for the live handshake. */
export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}
