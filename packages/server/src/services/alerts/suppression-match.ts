/** Which suppression rule, if any, mutes a new alert. */
import type { Kysely } from 'kysely';
import { AlertSuppressionsRepo, type SuppressionRow } from '../../store/repos/alert-suppressions.js';
import type { Database } from '../../store/schema.js';
import { ruleMatches } from './rule-pattern.js';

/** The first unexpired rule matching the alert's rule and device (or one of its groups); counts the hit. */
export async function findSuppression(
  trx: Kysely<Database>,
  accountId: string,
  rule: string,
  deviceId: string | null,
  now: string,
): Promise<SuppressionRow | undefined> {
  const repo = new AlertSuppressionsRepo(trx);
  const match = (await repo.candidates(accountId, deviceId, now)).find((s) => ruleMatches(s.rule, rule));
  if (match) await repo.hit(match.id);
  return match;
}
