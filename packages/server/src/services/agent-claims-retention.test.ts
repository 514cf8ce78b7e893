/**
 * Ingest-claim retention on SQLite and PostgreSQL: claims older than the window go only when their
 * agent can no longer re-send the item, in bounded batches; a repeat refreshes a claim.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentMessagesRepo } from '../store/repos/agent-messages.js';
import { createRepos } from '../store/repos/index.js';
import { freshStore, storeEngines } from '../store/test-stores.js';
import { AgentClaimsRetention, CLAIM_SETTLE_MS } from './agent-claims-retention.js';
import { runTaskAlone } from './retention-task.js';

const engines = await storeEngines();
const NOW = new Date('2025-06-01T00:00:00.000Z');
const DAY = 86_400_000;
const MINUTE = 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe.each(engines)('ingest claim retention on %s', (kind) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let repo: AgentMessagesRepo;
  let accountId: string;
  beforeAll(async () => {
    store = await freshStore(kind);
    repo = new AgentMessagesRepo(store.db);
    accountId = (await createRepos(store.db).accounts.create('claims')).id;
  });
  afterAll(async () => store?.dispose());
  afterEach(async () => {
    await store.db.deleteFrom('agent_messages').execute();
    await store.db.deleteFrom('devices').execute();
  });

  async function device(
    id: string,
    status: string,
    lastSeen: string | null,
    revokedAt: string | null = null,
  ): Promise<void> {
    await store.db
      .insertInto('devices')
      .values({
        id,
        account_id: accountId,
        hostname: id,
        os_platform: 'linux',
        os_name: '',
        os_version: '',
        os_kernel: '',
        os_arch: '',
        agent_version: '',
        status,
        mode: 'live',
        ip: null,
        public_key: `key-${id}`,
        facts: '{}',
        enrolled_at: ago(400 * DAY),
        last_seen_at: lastSeen,
        revoked_at: revokedAt,
        machine_id: id,
      })
      .execute();
  }

  async function claims(rows: Array<[deviceId: string, msgId: string, receivedAt: string]>): Promise<void> {
    await store.db
      .insertInto('agent_messages')
      .values(
        rows.map(([device_id, msg_id, received_at]) => ({
          device_id,
          msg_id,
          kind: 'query.result',
          received_at,
        })),
      )
      .execute();
  }

  const left = async () =>
    (await store.db.selectFrom('agent_messages').select('msg_id').orderBy('msg_id').execute()).map(
      (r) => r.msg_id,
    );

  it('forgets old claims whose agent cannot send them again, and keeps the rest', async () => {
    // Connected without a break since before its claims: their acks went over this connection.
    await device('connected', 'online', ago(100 * DAY));
    // Back in contact (then gone) long after its old claims: it re-sent anything unacknowledged then.
    await device('returned', 'offline', ago(DAY));
    // Away since about its last claims: its outbox may still hold them, unacknowledged.
    await device('away', 'offline', ago(60 * DAY));
    // Connected only a little after the window's edge: too soon after the claim to count as settled.
    await device('edge', 'lost', ago(30 * DAY - 30 * MINUTE));
    await device('revoked', 'revoked', ago(60 * DAY), ago(50 * DAY));
    await claims([
      ['connected', 'connected-old', ago(40 * DAY)],
      ['connected', 'connected-recent', ago(10 * DAY)],
      ['returned', 'returned-old', ago(45 * DAY)],
      ['returned', 'returned-recent', ago(29 * DAY)],
      ['away', 'away-old', ago(61 * DAY)],
      ['edge', 'edge-old', ago(30 * DAY + MINUTE)],
      ['revoked', 'revoked-old', ago(61 * DAY)],
      ['deleted-device', 'deleted-old', ago(31 * DAY)],
    ]);

    const run = await runTaskAlone(new AgentClaimsRetention(store, { days: 30 }), NOW);

    expect(run.deletedByKind.agent_message_claims).toBe(4);
    expect(await left()).toEqual(['away-old', 'connected-recent', 'edge-old', 'returned-recent']);
    expect(CLAIM_SETTLE_MS).toBeGreaterThanOrEqual(30 * MINUTE);
  });

  it('deletes in batches no larger than the batch size and stops at its statement budget', async () => {
    await device('d', 'online', ago(100 * DAY));
    await claims(
      Array.from({ length: 25 }, (_, i) => ['d', `m-${String(i).padStart(2, '0')}`, ago((40 + i) * DAY)]),
    );
    const capped = await runTaskAlone(
      new AgentClaimsRetention(store, { days: 30, batchSize: 4, maxStatements: 3 }),
      NOW,
    );
    expect(capped.statements).toBe(3);
    expect(capped.largestStatement).toBe(4);
    expect(capped.cut).toBe(true);
    expect(await left()).toHaveLength(13);

    const rest = await runTaskAlone(new AgentClaimsRetention(store, { days: 30, batchSize: 4 }), NOW);
    expect(rest.deletedByKind.agent_message_claims).toBe(13);
    expect(rest.largestStatement).toBe(4);
    // 13 rows at 4 a statement: 3 full statements and a short last one.
    expect(rest.statements).toBe(4);
    expect(rest.cut).toBe(false);
    expect(await left()).toEqual([]);
  });

  it('keeps everything when the window is 0', async () => {
    const task = new AgentClaimsRetention(store, { days: 0 });
    expect(task.enabled).toBe(false);
    expect(new AgentClaimsRetention(store, { days: 30 }).enabled).toBe(true);
  });

  it('a repeat of a claimed id is refused and refreshes the claim, so a re-send restarts its window', async () => {
    await device('d', 'online', ago(100 * DAY));
    const claim = (id: string) =>
      store.db.transaction().execute((trx) => repo.claim(trx, 'd', id, 'query.result'));
    expect(await claim('m-1')).toBe(true);
    await store.db
      .updateTable('agent_messages')
      .set({ received_at: ago(40 * DAY) })
      .execute();
    expect(await claim('m-1')).toBe(false);
    const row = await store.db.selectFrom('agent_messages').select('received_at').executeTakeFirstOrThrow();
    expect(Date.parse(row.received_at)).toBeGreaterThan(Date.now() - MINUTE);
    // Seen again just now, the claim is young and stays.
    const run = await runTaskAlone(new AgentClaimsRetention(store, { days: 30 }), new Date());
    expect(run.deletedByKind.agent_message_claims).toBe(0);
    expect(await left()).toEqual(['m-1']);
  });
});
