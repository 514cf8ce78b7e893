/** The console: session gate, then the layout with the page the URL names. */
import { Suspense, useEffect } from 'react';
import { Loading } from '../components/notice.js';
import { LoginPage } from '../pages/login/login-page.js';
import { Layout } from './layout.js';
import { matchPath, useLocation } from './router.js';
import { ROUTES } from './routes.js';
import { SessionGate } from './session.js';

function CurrentPage() {
  const { path } = useLocation();
  let found: { params: Record<string, string>; route: (typeof ROUTES)[number] } | undefined;
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params) {
      found = { params, route };
      break;
    }
  }
  const title = found?.route.title ?? 'Not found';
  useEffect(() => {
    document.title = `${title} · Vigil`;
    // Move focus to the new page so keyboard and screen-reader users start at its top.
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [title]);
  if (!found)
    return (
      <>
        <h1>Not found</h1>
        <p>There is no console page at {path}.</p>
      </>
    );
  const Page = found.route.component;
  return (
    <Suspense fallback={<Loading />}>
      <Page params={found.params} />
    </Suspense>
  );
}

export function App() {
  return (
    <SessionGate login={(onLogin) => <LoginPage onLogin={onLogin} />}>
      <Layout>
        <CurrentPage />
      </Layout>
    </SessionGate>
  );
}
