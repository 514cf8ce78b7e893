/** The account's compliance score (severity-weighted) with its trend. */
import type { Compliance } from '../../api/types.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { Sparkline } from '../../components/sparkline.js';

export function ComplianceSummary() {
  const c = useApi<Compliance>('/api/v1/checks/compliance', 15000);
  return (
    <Panel title="Compliance">
      {c.data ? (
        <>
          <p className="big" data-testid="compliance-score">
            {c.data.score === null ? 'no results yet' : `${c.data.score} %`}
          </p>
          <p className="muted">
            {c.data.passing} of {c.data.applicable} applicable check results pass
          </p>
          <Sparkline values={c.data.history.map((h) => h.score)} label="Compliance score over time" />
        </>
      ) : c.error ? null : (
        <Loading />
      )}
      <ErrorNote error={c.error} />
    </Panel>
  );
}
