/** Console login sessions; only hashes of the session and CSRF tokens are stored. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../ids.js';
import type { Database, SessionsTable } from '../schema.js';

export type SessionRow = Selectable<SessionsTable>;

/** SQL for sessions. */
export class SessionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a session. */
  async create(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** A session that has not expired, by the hash of its token. */
  async byTokenHash(tokenHash: string, now: Date = new Date()): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', nowIso(now))
      .executeTakeFirst();
  }

  /** End one session. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** End every session of a user (password change, disable). */
  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /** Remove expired sessions. */
  async purgeExpired(now: Date = new Date()): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', nowIso(now)).execute();
  }
}
