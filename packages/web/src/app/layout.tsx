/** The frame around every page: skip link, navigation, who is logged in, logout. */
import type { ReactNode } from 'react';
import { Link, useLocation } from './router.js';
import { useSession } from './session.js';

const NAV: Array<{ to: string; label: string }> = [
  { to: '/', label: 'Overview' },
  { to: '/devices', label: 'Devices' },
  { to: '/groups', label: 'Groups' },
  { to: '/queries', label: 'Live query' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/alert-settings', label: 'Alert settings' },
  { to: '/checks', label: 'Checks' },
  { to: '/actions', label: 'Actions' },
  { to: '/enrollment', label: 'Enrollment' },
  { to: '/settings', label: 'Settings' },
];

function isCurrent(to: string, path: string): boolean {
  return to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const { me, logout } = useSession();
  const { path } = useLocation();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Vigil</span>
        <span className="who">
          {me.user.email} · <span data-testid="role">{me.user.role}</span> · {me.account.name}
        </span>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <nav className="side" aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.to}>
              <Link to={n.to} aria-current={isCurrent(n.to, path) ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
