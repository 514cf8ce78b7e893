/**
 * Enrollment: admins create scoped, expiring, use-limited tokens; an agent presents one with its
 * public key and a proof that it holds the private key. Everything happens in one transaction so
 * a refused enrollment leaves nothing half-done. The agent id is derived from the public key.
 */
import { createHash, type KeyObject, verify } from 'node:crypto';
import {
  type EnrollRequestT,
  type EnrollResponseT,
  ed25519PublicKeyFromRaw,
  enrollProofBytes,
  VigilError,
} from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { ConsoleEvents } from '../bus/console-events.js';
import type { ServerConfig } from '../config.js';
import type { ServerKeys } from '../pki/server-keys.js';
import { newId, nowIso } from '../store/ids.js';
import type { Repos } from '../store/repos/index.js';
import type { Database } from '../store/schema.js';
import type { AlertService } from './alerts/alert-service.js';
import type { AuditService } from './audit-service.js';
import type { DeviceService } from './device-service.js';
import type { Principal, RequestContext } from './principal.js';
import { newSecret, sha256Hex } from './secrets.js';

/** Largest tolerated difference between agent and server clocks at enrollment. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The agent id for a raw Ed25519 public key: first 128 bits of its SHA-256, hex. */
export function agentIdFor(publicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex').slice(0, 32);
}

/** The shape an enrollment token takes in the API (never its hash). */
export interface EnrollmentTokenDto {
  id: string;
  group_id: string | null;
  tags: string[];
  expires_at: string;
  max_uses: number | null;
  uses: number;
  revoked: boolean;
  created_at: string;
}

/** Enrollment use cases. */
export class EnrollmentService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly repos: Repos,
    private readonly audit: AuditService,
    private readonly devices: DeviceService,
    private readonly config: ServerConfig,
    private readonly keys: ServerKeys,
    private readonly alerts: AlertService,
    private readonly events: ConsoleEvents,
  ) {}

  /** Create a token; the secret and a ready install line are returned once. */
  async createToken(
    ctx: RequestContext & { principal: Principal },
    input: { group?: string; tags?: string[]; expires_in_s?: number; uses?: number },
  ): Promise<
    EnrollmentTokenDto & {
      token: string;
      install_line: string;
      server_url: string;
      ca_fingerprint: string;
      signing_public_key: string;
    }
  > {
    let groupId: string | null = null;
    if (input.group) {
      const g = await this.repos.groups.find(ctx.principal.accountId, input.group);
      if (!g) throw new VigilError('E_GROUP_NOT_FOUND', `no group '${input.group}' in this account`);
      if (g.kind !== 'static')
        throw new VigilError(
          'E_VALIDATION',
          `group '${g.name}' is dynamic; enrollment can only place devices in a static group`,
        );
      groupId = g.id;
    }
    const token = newSecret('vge');
    const row = {
      id: newId(),
      account_id: ctx.principal.accountId,
      token_hash: sha256Hex(token),
      group_id: groupId,
      tags: JSON.stringify(input.tags ?? []),
      expires_at: nowIso(new Date(Date.now() + (input.expires_in_s ?? 86_400) * 1000)),
      max_uses: input.uses ?? null,
      uses: 0,
      revoked_at: null,
      created_by: ctx.principal.userId,
      created_at: nowIso(),
    };
    await this.repos.enrollmentTokens.create(row);
    await this.audit.record(ctx, 'enrollment_token.create', `enrollment_token:${row.id}`, 'success', {
      group_id: groupId,
      tags: input.tags ?? [],
      expires_at: row.expires_at,
      max_uses: row.max_uses,
    });
    const serverUrl = this.config.publicUrl;
    return {
      ...this.dto(row),
      token,
      server_url: serverUrl,
      ca_fingerprint: this.keys.caFingerprint,
      signing_public_key: this.keys.signingPublicKey,
      install_line: `vigil agent enroll --server ${serverUrl} --token ${token} --ca-fingerprint ${this.keys.caFingerprint}`,
    };
  }

  /** Tokens of the caller's account. */
  async listTokens(p: Principal): Promise<EnrollmentTokenDto[]> {
    return (await this.repos.enrollmentTokens.list(p.accountId)).map((r) => this.dto(r));
  }

  /** Revoke a token so no further agent can use it. */
  async revokeToken(ctx: RequestContext & { principal: Principal }, id: string): Promise<EnrollmentTokenDto> {
    const row = await this.repos.enrollmentTokens.get(ctx.principal.accountId, id);
    if (!row) throw new VigilError('E_NOT_FOUND', `no enrollment token ${id} in this account`);
    await this.repos.enrollmentTokens.revoke(ctx.principal.accountId, id);
    await this.audit.record(ctx, 'enrollment_token.revoke', `enrollment_token:${id}`, 'success');
    return this.dto((await this.repos.enrollmentTokens.get(ctx.principal.accountId, id))!);
  }

  /**
   * Enroll an agent. The same key again returns the same device; the same key from another host
   * is a conflict. Every refusal is audited, in the token's account when the token is known, so
   * that account's admins see failed attempts in their own audit log.
   */
  async enroll(req: EnrollRequestT, ip: string | null, now = Date.now()): Promise<EnrollResponseT> {
    const attempt: { accountId: string | null } = { accountId: null };
    try {
      return await this.enrollOnce(req, ip, now, attempt);
    } catch (error) {
      const code = error instanceof VigilError ? error.code : 'E_INTERNAL';
      await this.audit
        .record(
          { principal: null, ip },
          'device.enroll',
          null,
          'failure',
          { code, hostname: req.facts.hostname },
          attempt.accountId,
        )
        .catch(() => {});
      throw error;
    }
  }

  private async enrollOnce(
    req: EnrollRequestT,
    ip: string | null,
    now: number,
    attempt: { accountId: string | null },
  ): Promise<EnrollResponseT> {
    let publicKey: KeyObject;
    try {
      publicKey = ed25519PublicKeyFromRaw(req.public_key);
    } catch {
      throw new VigilError('E_VALIDATION', 'public_key must be the raw 32-byte Ed25519 public key, base64');
    }
    const proofOk = (() => {
      try {
        return verify(
          null,
          enrollProofBytes(req.token, req.public_key, req.time),
          publicKey,
          Buffer.from(req.proof, 'base64'),
        );
      } catch {
        return false;
      }
    })();
    if (!proofOk)
      throw new VigilError(
        'E_SIGNATURE_INVALID',
        'the enrollment proof does not verify with the public key sent',
      );
    if (Math.abs(req.time - now) > MAX_CLOCK_SKEW_MS) {
      throw new VigilError(
        'E_CLOCK_SKEW',
        `the agent's clock is ${Math.round((req.time - now) / 1000)} s off the server's; fix the time (NTP) and enroll again`,
      );
    }
    const agentId = agentIdFor(req.public_key);
    const conflict = { hit: false, accountId: '' };
    const result = await this.db
      .transaction()
      .execute(async (trx) => {
        const token = await this.repos.enrollmentTokens.byHash(trx, sha256Hex(req.token));
        if (!token)
          throw new VigilError(
            'E_ENROLLMENT_TOKEN_INVALID',
            'the enrollment token is not known to this server; create one with `vigil enrollment create`',
          );
        attempt.accountId = token.account_id;
        if (token.revoked_at)
          throw new VigilError(
            'E_ENROLLMENT_TOKEN_REVOKED',
            'the enrollment token was revoked; ask an admin for a new one',
          );
        if (token.expires_at <= nowIso(new Date(now)))
          throw new VigilError(
            'E_ENROLLMENT_TOKEN_EXPIRED',
            `the enrollment token expired at ${token.expires_at}; ask an admin for a new one`,
          );
        const existing = await trx
          .selectFrom('devices')
          .selectAll()
          .where('id', '=', agentId)
          .executeTakeFirst();
        if (existing) {
          if (existing.revoked_at)
            throw new VigilError(
              'E_AGENT_REVOKED',
              'this agent key was revoked and cannot enroll again; remove the state directory to enroll with a new key',
            );
          if (
            existing.account_id !== token.account_id ||
            (existing.machine_id && existing.machine_id !== req.facts.machine_id)
          ) {
            conflict.hit = true;
            conflict.accountId = existing.account_id;
            throw new VigilError(
              'E_KEY_CONFLICT',
              'this agent key is already enrolled by another host (a copied state directory?); remove the state directory on this host and enroll again to get a key of its own',
            );
          }
          return { created: false, accountId: existing.account_id };
        }
        if (!(await this.repos.enrollmentTokens.consume(trx, token.id))) {
          throw new VigilError(
            'E_ENROLLMENT_TOKEN_USED_UP',
            `the enrollment token has been used ${token.max_uses} time(s), its limit; ask an admin for a new one`,
          );
        }
        const at = nowIso(new Date(now));
        await trx
          .insertInto('devices')
          .values({
            id: agentId,
            account_id: token.account_id,
            hostname: req.facts.hostname,
            os_platform: req.facts.os.platform,
            os_name: req.facts.os.name,
            os_version: req.facts.os.version,
            os_kernel: req.facts.os.kernel,
            os_arch: req.facts.os.arch,
            agent_version: req.facts.agent_version,
            status: 'offline',
            mode: 'live',
            ip,
            public_key: req.public_key,
            facts: JSON.stringify(req.facts.extra ?? {}),
            enrolled_at: at,
            last_seen_at: null,
            revoked_at: null,
            machine_id: req.facts.machine_id,
          })
          .execute();
        const tags = JSON.parse(token.tags) as string[];
        if (tags.length > 0)
          await trx
            .insertInto('device_tags')
            .values(tags.map((tag) => ({ device_id: agentId, account_id: token.account_id, tag })))
            .execute();
        if (token.group_id)
          await trx
            .insertInto('group_members')
            .values({ group_id: token.group_id, device_id: agentId, account_id: token.account_id })
            .execute();
        return { created: true, accountId: token.account_id };
      })
      .catch(async (error: unknown) => {
        if (conflict.hit) {
          await this.alerts.raise({
            account_id: conflict.accountId,
            device_id: agentId,
            rule: 'agent.key_conflict',
            severity: 'high',
            title: 'An agent key was presented by a second host (cloned state directory?)',
            context: { machine_id: req.facts.machine_id, hostname: req.facts.hostname, ip },
          });
        }
        throw error;
      });
    if (result.created) {
      await this.devices.refreshDynamicGroups(result.accountId, [agentId]);
      this.events.publish(result.accountId, {
        type: 'device.enrolled',
        device_id: agentId,
        hostname: req.facts.hostname,
        at: nowIso(new Date(now)),
      });
    }
    await this.audit.record(
      { principal: null, ip },
      result.created ? 'device.enroll' : 'device.reenroll',
      `device:${agentId}`,
      'success',
      { hostname: req.facts.hostname },
      result.accountId,
    );
    return {
      agent_id: agentId,
      account_id: result.accountId,
      signing_public_key: this.keys.signingPublicKey,
      heartbeat_s: this.config.heartbeatSeconds,
      poll_s: this.config.pollSeconds,
      server_time: Date.now(),
      created: result.created,
    };
  }

  private dto(r: {
    id: string;
    group_id: string | null;
    tags: string;
    expires_at: string;
    max_uses: number | null;
    uses: number;
    revoked_at: string | null;
    created_at: string;
  }): EnrollmentTokenDto {
    return {
      id: r.id,
      group_id: r.group_id,
      tags: JSON.parse(r.tags) as string[],
      expires_at: r.expires_at,
      max_uses: r.max_uses,
      uses: r.uses,
      revoked: r.revoked_at !== null,
      created_at: r.created_at,
    };
  }
}
