/** Resolve what an action, query or scan is aimed at into device ids of one account. */
import { type TargetsT, VigilError } from '@vigil/protocol';
import type { Store } from '../store/db.js';
import type { Repos } from '../store/repos/index.js';
import { matchingDeviceIds, parseDeviceFilter } from './device-filter/index.js';

/** The union of every target kind given; an empty target is an error, not "nothing". */
export async function resolveTargets(
  store: Store,
  repos: Repos,
  accountId: string,
  t: TargetsT,
): Promise<string[]> {
  if (!t.all && !t.groups?.length && !t.devices?.length && !t.filter) {
    throw new VigilError('E_VALIDATION', 'targets is empty: give all, groups, devices or filter');
  }
  if (t.all) return repos.devices.idsOf(accountId);
  const out = new Set<string>();
  for (const name of t.groups ?? []) {
    const g = await repos.groups.find(accountId, name);
    if (!g) throw new VigilError('E_GROUP_NOT_FOUND', `no group '${name}' in this account`);
    for (const id of await repos.groups.memberIds(g.id)) out.add(id);
  }
  for (const id of t.devices ?? []) {
    if (!(await repos.devices.get(accountId, id)))
      throw new VigilError('E_DEVICE_NOT_FOUND', `no device ${id} in this account`);
    out.add(id);
  }
  if (t.filter)
    for (const id of await matchingDeviceIds(store.db, store.kind, accountId, parseDeviceFilter(t.filter)))
      out.add(id);
  return [...out].sort();
}

/**
 * Whether one device of the account is among the targets, without listing them all (asked when a
 * device connects: resolving an all-devices target per connect would read the whole fleet). A
 * missing group or an unreadable filter includes nothing, where resolving would refuse.
 */
export async function targetsInclude(
  store: Store,
  repos: Repos,
  accountId: string,
  t: TargetsT,
  deviceId: string,
): Promise<boolean> {
  if (t.all || t.devices?.includes(deviceId)) return true;
  for (const name of t.groups ?? []) {
    const g = await repos.groups.find(accountId, name);
    if (g && (await repos.groups.hasMember(g.id, deviceId))) return true;
  }
  if (!t.filter) return false;
  const ast = parseDeviceFilter(t.filter);
  return (await matchingDeviceIds(store.db, store.kind, accountId, ast, [deviceId])).length > 0;
}
