/** Accounts (tenants). */
import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../ids.js';
import type { AccountsTable, Database } from '../schema.js';

export type AccountRow = Selectable<AccountsTable>;

/** SQL for accounts. */
export class AccountsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Create an account. */
  async create(name: string): Promise<AccountRow> {
    const row = { id: newId(), name, created_at: nowIso() };
    await this.db.insertInto('accounts').values(row).execute();
    return row;
  }

  /** One account by id. */
  async get(id: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** How many accounts exist. */
  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
