/**
 * Open alerts by severity, from one page of up to 500 open alerts (shown as "500+" when there are
 * more), refreshed every 10 s. On a server without the alerts API it says so.
 */
import type { AlertSummaryT } from '@vigil/protocol';
import type { Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, isMissingRoute, NotAvailable } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export function OpenAlerts() {
  const open = useApi<Page<AlertSummaryT>>('/api/v1/alerts?status=open&limit=500', { live: ['alerts'] });
  if (isMissingRoute(open.error))
    return (
      <Panel title="Open alerts">
        <NotAvailable
          feature="Alerts"
          detail="This server has no alerts API yet, so there is nothing to count."
        />
      </Panel>
    );
  const counts = new Map<string, number>();
  for (const a of open.data?.items ?? []) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
  const more = open.data?.next_cursor ? '+' : '';
  return (
    <Panel title="Open alerts" actions={<Link to="/alerts">Inbox</Link>}>
      <ErrorNote error={open.error} />
      <ul className="counts">
        {SEVERITIES.map((s) => (
          <li key={s} className={`count count-${s}`}>
            <Link to={`/alerts?severity=${s}`}>
              <span className="count-n" data-testid={`alerts-${s}`}>
                {open.data ? `${counts.get(s) ?? 0}${counts.get(s) ? more : ''}` : '…'}
              </span>{' '}
              {s}
            </Link>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
