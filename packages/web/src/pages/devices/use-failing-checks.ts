/** Failing check results per device id, from one request to the checks API (refreshed every 15 s). */
import { useMemo } from 'react';
import type { CheckResult, Items } from '../../api/types.js';
import { useApi } from '../../app/use-api.js';

export function useFailingChecks(): Map<string, number> | undefined {
  const results = useApi<Items<CheckResult>>('/api/v1/checks/results?failing=true&limit=10000', 15000);
  return useMemo(() => {
    if (!results.data) return undefined;
    const m = new Map<string, number>();
    for (const r of results.data.items) m.set(r.device_id, (m.get(r.device_id) ?? 0) + 1);
    return m;
  }, [results.data]);
}
