/**
 * The software library: package files uploaded for `software.deploy`. The bytes live in the data
 * directory, named by their SHA-256 (content-addressed, so two accounts uploading the same file
 * share it on disk); each account has its own row per file, so listing, deleting and deploying
 * never cross tenants.
 */
import type { Kysely } from 'kysely';

/** Create the software library table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('software_packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    // deb or rpm
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('arch', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('original_filename', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('software_packages_account_sha256', ['account_id', 'sha256'])
    .execute();
  await db.schema
    .createIndex('software_packages_account_created')
    .on('software_packages')
    .columns(['account_id', 'created_at', 'id'])
    .execute();
  // The download route and file clean-up look a file up by hash across accounts.
  await db.schema.createIndex('software_packages_sha256').on('software_packages').column('sha256').execute();
}
