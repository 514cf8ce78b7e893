/** A device's identity, presence and reported facts. */
import type { DeviceT } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

function factText(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

export function DeviceFacts({ device }: { device: DeviceT }) {
  const facts = Object.entries(device.facts).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Panel title="Facts">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={device.status} /> ({device.mode} mode)
        </dd>
        <dt>OS</dt>
        <dd>
          {device.os.name} {device.os.version} · {device.os.platform} · {device.os.arch}
        </dd>
        <dt>Kernel</dt>
        <dd>{device.os.kernel}</dd>
        <dt>Agent</dt>
        <dd>{device.agent_version}</dd>
        <dt>Address</dt>
        <dd>{device.ip ?? '—'}</dd>
        <dt>Enrolled</dt>
        <dd>
          <Time iso={device.enrolled_at} />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <Time iso={device.last_seen_at} />
        </dd>
        <dt>Tags</dt>
        <dd>{device.tags.length ? device.tags.join(', ') : '—'}</dd>
        <dt>Groups</dt>
        <dd>
          {device.groups.length
            ? device.groups.map((g, i) => (
                <span key={g.id}>
                  {i > 0 ? ', ' : ''}
                  <Link to={`/groups?group=${encodeURIComponent(g.id)}`}>{g.name}</Link>
                </span>
              ))
            : '—'}
        </dd>
        {facts.map(([k, v]) => (
          <div key={k} className="fact">
            <dt>
              facts.<code>{k}</code>
            </dt>
            <dd>{factText(v)}</dd>
          </div>
        ))}
      </dl>
    </Panel>
  );
}
