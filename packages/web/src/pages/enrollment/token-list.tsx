/** The account's enrollment tokens: uses, expiry, revoke. */
import { api } from '../../api/client.js';
import type { EnrollmentToken, Items } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import type { ApiState } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { Time } from '../../components/time.js';

export function TokenList({ tokens }: { tokens: ApiState<Items<EnrollmentToken>> }) {
  const revoke = useAction((id: string) => api('DELETE', `/api/v1/enrollment-tokens/${id}`));
  const items = tokens.data?.items ?? [];
  return (
    <Panel title="Enrollment tokens">
      <ErrorNote error={tokens.error ?? revoke.error} />
      {tokens.data && items.length === 0 ? <p className="muted">No tokens yet.</p> : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Tags</th>
              <th scope="col">Uses</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id}>
                <td>
                  <Time iso={t.created_at} />
                </td>
                <td>{t.tags.join(', ')}</td>
                <td>
                  {t.uses}
                  {t.max_uses ? ` of ${t.max_uses}` : ''}
                </td>
                <td>
                  <Time iso={t.expires_at} />
                </td>
                <td>
                  {t.revoked ? (
                    'revoked'
                  ) : (
                    <button
                      type="button"
                      onClick={async () => {
                        if ((await revoke.run(t.id)) !== undefined) tokens.reload();
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Panel>
  );
}
