/** Enrollment tokens: scoped to an account (and optionally a group and tags), expiring, use-limited. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { nowIso } from '../ids.js';
import type { Database, EnrollmentTokensTable } from '../schema.js';

export type EnrollmentTokenRow = Selectable<EnrollmentTokensTable>;

/** SQL for enrollment tokens. */
export class EnrollmentTokensRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a token. */
  async create(row: EnrollmentTokenRow): Promise<void> {
    await this.db.insertInto('enrollment_tokens').values(row).execute();
  }

  /** A token by the hash of its secret (inside an enrollment transaction). */
  async byHash(trx: Transaction<Database>, tokenHash: string): Promise<EnrollmentTokenRow | undefined> {
    return trx
      .selectFrom('enrollment_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /**
   * Count one use, only while uses are left: the guard in the WHERE clause makes two concurrent
   * enrollments unable to overspend a token on either engine.
   */
  async consume(trx: Transaction<Database>, id: string): Promise<boolean> {
    const r = await trx
      .updateTable('enrollment_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', id)
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Tokens of an account, newest first. */
  async list(accountId: string): Promise<EnrollmentTokenRow[]> {
    return this.db
      .selectFrom('enrollment_tokens')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** One token of an account. */
  async get(accountId: string, id: string): Promise<EnrollmentTokenRow | undefined> {
    return this.db
      .selectFrom('enrollment_tokens')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Revoke a token. */
  async revoke(accountId: string, id: string): Promise<void> {
    await this.db
      .updateTable('enrollment_tokens')
      .set({ revoked_at: nowIso() })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }
}
