/** Evaluate a device filter against the store: the membership recomputation helper. */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { DeviceFilter } from './ast.js';
import { deviceFilterExpression, type StoreKind } from './compile.js';

/** Device ids per query when only some devices are asked about (far below both engines' limits). */
const CHUNK = 500;

/**
 * The ids (sorted) of the account's devices that match the filter; with `onlyDeviceIds`, only
 * those of the given devices, so one device's change re-evaluates one row, not the fleet.
 */
export async function matchingDeviceIds(
  db: Kysely<Database>,
  kind: StoreKind,
  accountId: string,
  ast: DeviceFilter,
  onlyDeviceIds?: string[],
): Promise<string[]> {
  const where = deviceFilterExpression(ast, kind);
  const base = db
    .selectFrom('devices')
    .select('devices.id')
    .where('devices.account_id', '=', accountId)
    .where(where);
  if (onlyDeviceIds === undefined) {
    return (await base.orderBy('devices.id').execute()).map((r) => r.id);
  }
  const wanted = [...new Set(onlyDeviceIds)];
  const out: string[] = [];
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const rows = await base.where('devices.id', 'in', wanted.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.push(r.id);
  }
  return out.sort();
}
