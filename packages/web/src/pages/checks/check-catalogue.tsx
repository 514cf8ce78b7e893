/** The check catalogue: search by name or title, filter by severity and platform. */
import { useState } from 'react';
import { qs } from '../../api/client.js';
import type { CheckSummary, Items } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

export function CheckCatalogue({ selected }: { selected: string | null }) {
  const [q, setQ] = useState('');
  const [severity, setSeverity] = useState('');
  const [platform, setPlatform] = useState('');
  const list = useApi<Items<CheckSummary>>(`/api/v1/checks${qs({ q, severity, platform })}`);
  const items = list.data?.items ?? [];
  return (
    <Panel title="Catalogue">
      <search className="filters" aria-label="Search checks">
        <label>
          Search
          <input type="search" value={q} maxLength={64} onChange={(e) => setQ(e.target.value)} />
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
            <option value="">any</option>
            <option>critical</option>
            <option>high</option>
            <option>medium</option>
            <option>low</option>
            <option>info</option>
          </select>
        </label>
        <label>
          Platform
          <select value={platform} onChange={(e) => setPlatform(e.target.value)}>
            <option value="">any</option>
            <option>linux</option>
            <option>macos</option>
            <option>windows</option>
          </select>
        </label>
      </search>
      <ErrorNote error={list.error} />
      <p className="muted small">{list.data ? `${items.length} checks` : ''}</p>
      <div className="scroll-y">
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Title</th>
              <th scope="col">Severity</th>
              <th scope="col">Platforms</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.name} className={c.name === selected ? 'selected' : undefined}>
                <td>
                  <Link to={`/checks?check=${encodeURIComponent(c.name)}`}>{c.name}</Link>
                  {c.verified ? '' : ' (unverified)'}
                </td>
                <td>{c.title}</td>
                <td>{c.severity}</td>
                <td>{c.platforms.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
