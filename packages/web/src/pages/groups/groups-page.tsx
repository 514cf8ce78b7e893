/** Groups: the list, one group's detail (selected by ?group=), and the creation form for admins. */
import { qs } from '../../api/client.js';
import type { GroupT, Page } from '../../api/types.js';
import { Link, navigate, useLocation } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Pager, useCursorPages } from '../../components/pager.js';
import { Panel } from '../../components/panel.js';
import { GroupDetail } from './group-detail.js';
import { GroupForm } from './group-form.js';

export default function GroupsPage() {
  const { can } = useSession();
  const { search } = useLocation();
  const selected = search.get('group');
  const pages = useCursorPages();
  const list = useApi<Page<GroupT>>(`/api/v1/groups${qs({ limit: 50, cursor: pages.cursor })}`);
  const group = list.data?.items.find((g) => g.id === selected || g.name === selected);
  return (
    <>
      <h1>Groups</h1>
      <Panel title="All groups">
        <ErrorNote error={list.error} />
        {list.data && list.data.items.length === 0 ? <p className="muted">No groups yet.</p> : null}
        {list.data && list.data.items.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Rule</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((g) => (
                <tr key={g.id} className={g === group ? 'selected' : undefined}>
                  <td>
                    <Link to={`/groups?group=${encodeURIComponent(g.id)}`}>{g.name}</Link>
                  </td>
                  <td>{g.kind}</td>
                  <td>{g.rule ? <code>{g.rule}</code> : '—'}</td>
                  <td>{g.member_count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <Pager
          page={pages.page}
          nextCursor={list.data?.next_cursor}
          onNext={pages.next}
          onPrev={pages.prev}
        />
      </Panel>
      {group ? (
        <GroupDetail
          key={group.id}
          group={group}
          onChanged={() => {
            list.reload();
          }}
        />
      ) : null}
      {can('admin') ? (
        <GroupForm
          onCreated={(g) => {
            list.reload();
            navigate(`/groups?group=${encodeURIComponent(g.id)}`);
          }}
        />
      ) : null}
    </>
  );
}
