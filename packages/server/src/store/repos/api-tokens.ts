/** API tokens for scripts and the CLI; only a SHA-256 of the secret is stored. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../ids.js';
import type { ApiTokensTable, Database } from '../schema.js';

export type ApiTokenRow = Selectable<ApiTokensTable>;

/** SQL for API tokens. */
export class ApiTokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a token. */
  async create(row: ApiTokenRow): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute();
  }

  /** A live (not revoked, not expired) token by the hash of its secret. */
  async byHash(tokenHash: string, now: Date = new Date()): Promise<ApiTokenRow | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at && row.expires_at <= nowIso(now)) return undefined;
    return row;
  }

  /** Every token of an account. */
  async list(accountId: string): Promise<ApiTokenRow[]> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** One token of an account. */
  async get(accountId: string, id: string): Promise<ApiTokenRow | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Revoke a token. */
  async revoke(accountId: string, id: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso() })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  /** Record a use, at most once a minute per token to spare the store. */
  async touch(id: string, lastUsedAt: string | null, now: Date = new Date()): Promise<void> {
    if (lastUsedAt && now.getTime() - Date.parse(lastUsedAt) < 60_000) return;
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: nowIso(now) })
      .where('id', '=', id)
      .execute();
  }
}
