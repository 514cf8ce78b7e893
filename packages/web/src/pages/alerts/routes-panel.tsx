/**
 * Notification routes: where alerts are sent and how. Everyone sees the routes and their dead
 * letters; admins create, edit, switch off, delete and test them. Secrets are never shown.
 */
import type { NotificationRouteT, RouteTestResult } from '@vigil/protocol';
import { useState } from 'react';
import type { Static } from 'typebox';
import { api } from '../../api/client.js';
import type { Items } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { EnableToggle } from '../../components/enable-toggle.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { ConfirmButton } from './confirm-button.js';
import { RouteDeliveries } from './route-deliveries.js';
import { RouteForm } from './route-form.js';

type TestResult = Static<typeof RouteTestResult>;

const routePath = (r: NotificationRouteT) => `/api/v1/notifications/routes/${encodeURIComponent(r.id)}`;

/** Where a route sends, in a few words (URLs come from the API without path and query). */
function targetText(r: NotificationRouteT): string {
  const t = r.target;
  if (r.channel === 'webhook' || r.channel === 'slack') return String(t.url ?? '');
  const at = `${String(t.host)}:${String(t.port)}`;
  if (r.channel === 'email') return `${(t.to as string[] | undefined)?.join(', ') ?? ''} via ${at}`;
  return `${at}/${String(t.transport)}`;
}

function deliveryText(r: NotificationRouteT): string {
  const mode = r.digest_window_s
    ? `digest every ${r.digest_window_s} s`
    : r.rate_limit
      ? `at most ${r.rate_limit.count} per ${r.rate_limit.window_s} s`
      : 'at once';
  return `${mode}, ${r.max_attempts} attempts`;
}

function RouteRow({
  route,
  onEdit,
  onChanged,
}: {
  route: NotificationRouteT;
  onEdit: () => void;
  onChanged: () => void;
}) {
  const { can } = useSession();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const test = useAction(() => api<TestResult>('POST', `${routePath(route)}/test`));
  const toggle = useAction(() => api('PATCH', routePath(route), { enabled: !route.enabled }));
  const remove = useAction(() => api('DELETE', routePath(route)));
  const deliveriesId = `deliveries-${route.id}`;
  return (
    <>
      <tr>
        <td>{route.name}</td>
        <td>{route.channel}</td>
        <td>
          <span className="clip">{targetText(route)}</span>
        </td>
        <td>
          {route.min_severity}+ · <code>{route.rule}</code>
          {route.group ? ` · group ${route.group.name}` : ''}
        </td>
        <td>{deliveryText(route)}</td>
        <td>
          <StatusBadge status={route.enabled ? 'enabled' : 'disabled'} />
        </td>
        <td>
          <div className="row-buttons">
            <button
              type="button"
              className="secondary"
              aria-expanded={showDeliveries}
              aria-controls={deliveriesId}
              aria-label={`Deliveries of ${route.name}`}
              onClick={() => setShowDeliveries((v) => !v)}
            >
              Deliveries
            </button>
            {can('admin') ? (
              <>
                <button
                  type="button"
                  aria-label={`Send test through ${route.name}`}
                  disabled={test.pending}
                  onClick={() => void test.run()}
                >
                  Send test
                </button>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Edit ${route.name}`}
                  onClick={onEdit}
                >
                  Edit
                </button>
                <EnableToggle
                  name={route.name}
                  enabled={route.enabled}
                  pending={toggle.pending}
                  toggle={toggle.run}
                  onChanged={onChanged}
                />
                <ConfirmButton
                  label={`Delete route ${route.name}`}
                  question={<>Delete {route.name}? Its unsent deliveries are cancelled.</>}
                  confirmLabel="Yes, delete"
                  onConfirm={async () => {
                    await remove.run();
                    onChanged();
                  }}
                />
              </>
            ) : null}
          </div>
          {test.result ? (
            <p role="status" data-testid={`test-result-${route.name}`}>
              Test delivered in {test.result.duration_ms} ms.
            </p>
          ) : null}
          <ErrorNote error={test.error ?? toggle.error ?? remove.error} />
        </td>
      </tr>
      {showDeliveries ? (
        <tr id={deliveriesId}>
          <td colSpan={7}>
            <RouteDeliveries routeId={route.id} routeName={route.name} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function RoutesPanel() {
  const { can } = useSession();
  const list = useApi<Items<NotificationRouteT>>('/api/v1/notifications/routes');
  const [editing, setEditing] = useState<NotificationRouteT | 'new' | null>(null);
  const items = list.data?.items ?? [];
  const saved = () => {
    setEditing(null);
    list.reload();
  };
  return (
    <Panel
      title="Notification routes"
      actions={
        can('admin') && editing === null ? (
          <button type="button" onClick={() => setEditing('new')}>
            New route
          </button>
        ) : null
      }
    >
      <ErrorNote error={list.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && items.length === 0 ? <p className="muted">No route: alerts stay in the inbox.</p> : null}
      {items.length > 0 ? (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Target</th>
                <th scope="col">Alerts</th>
                <th scope="col">Delivery</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <RouteRow key={r.id} route={r} onEdit={() => setEditing(r)} onChanged={list.reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editing !== null && can('admin') ? (
        <RouteForm
          key={editing === 'new' ? 'new' : editing.id}
          route={editing === 'new' ? undefined : editing}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      ) : null}
    </Panel>
  );
}
