/** Console users. */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { newId, nowIso } from '../ids.js';
import type { Database, UsersTable } from '../schema.js';

export type UserRow = Selectable<UsersTable>;

/** SQL for users. */
export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a user; the e-mail is stored lower-cased. */
  async create(input: {
    account_id: string;
    email: string;
    name: string;
    role: string;
    password_hash: string;
  }): Promise<UserRow> {
    const now = nowIso();
    const row: UserRow = {
      id: newId(),
      ...input,
      email: input.email.toLowerCase(),
      disabled: 0,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('users').values(row).execute();
    return row;
  }

  /** A user by e-mail (case-insensitive). */
  async byEmail(email: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
  }

  /** A user by id within an account. */
  async get(accountId: string, id: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** A user by id, any account (for resolving a session or token owner). */
  async byId(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every user of an account, oldest first. */
  async list(accountId: string): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Change role, disabled flag or password hash. */
  async update(accountId: string, id: string, patch: Updateable<UsersTable>): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ ...patch, updated_at: nowIso() })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  /** How many users exist in all accounts. */
  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** How many active admins an account has (the last one may not be demoted or disabled). */
  async activeAdmins(accountId: string): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('account_id', '=', accountId)
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
