/** What an action run is aimed at: the usual targets plus the devices currently failing one check. */
import { type ActionTargetsT, VigilError } from '@vigil/protocol';
import type { Services } from '../index.js';
import { resolveTargets } from '../targets.js';

/** Device ids of the account that the targets name (their union), sorted; none is an error. */
export async function resolveActionTargets(
  services: Services,
  accountId: string,
  targets: ActionTargetsT,
): Promise<string[]> {
  const { failing_check: failingCheck, ...rest } = targets;
  const out = new Set<string>();
  const hasOther = Boolean(rest.all || rest.groups?.length || rest.devices?.length || rest.filter);
  if (!failingCheck || hasOther)
    for (const id of await resolveTargets(services.store, services.repos, accountId, rest)) out.add(id);
  if (failingCheck) {
    const rows = await services.store.db
      .selectFrom('check_results')
      .innerJoin('devices', 'devices.id', 'check_results.device_id')
      .select('check_results.device_id')
      .where('check_results.account_id', '=', accountId)
      .where('check_results.check_name', '=', failingCheck)
      .where('check_results.status', '=', 'fail')
      .where('devices.status', '!=', 'revoked')
      .execute();
    for (const r of rows) out.add(r.device_id);
  }
  if (out.size === 0)
    throw new VigilError(
      'E_VALIDATION',
      failingCheck && !hasOther
        ? `no device is failing ${failingCheck} right now`
        : 'the targets match no device',
    );
  return [...out].sort();
}
