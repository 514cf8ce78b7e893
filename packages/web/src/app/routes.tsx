/** The console's pages and their URLs; each page is its own chunk, loaded when first opened. */
import { type ComponentType, lazy } from 'react';

/** A page component receives its URL parameters. */
export type PageProps = { params: Record<string, string> };

const page = (load: () => Promise<{ default: ComponentType<PageProps> }>) => lazy(load);

/** Patterns are tried in order; the first match renders. */
export const ROUTES: Array<{ pattern: string; title: string; component: ComponentType<PageProps> }> = [
  { pattern: '/', title: 'Overview', component: page(() => import('../pages/overview/overview-page.js')) },
  {
    pattern: '/devices',
    title: 'Devices',
    component: page(() => import('../pages/devices/devices-page.js')),
  },
  {
    pattern: '/devices/:id',
    title: 'Device',
    component: page(() => import('../pages/devices/device-page.js')),
  },
  { pattern: '/groups', title: 'Groups', component: page(() => import('../pages/groups/groups-page.js')) },
  {
    pattern: '/queries',
    title: 'Live query',
    component: page(() => import('../pages/queries/live-query-page.js')),
  },
  { pattern: '/alerts', title: 'Alerts', component: page(() => import('../pages/alerts/alerts-page.js')) },
  {
    pattern: '/alert-settings',
    title: 'Alert settings',
    component: page(() => import('../pages/alerts/alert-settings-page.js')),
  },
  { pattern: '/checks', title: 'Checks', component: page(() => import('../pages/checks/checks-page.js')) },
  {
    pattern: '/actions',
    title: 'Actions',
    component: page(() => import('../pages/actions/actions-page.js')),
  },
  {
    pattern: '/enrollment',
    title: 'Enrollment',
    component: page(() => import('../pages/enrollment/enrollment-page.js')),
  },
  {
    pattern: '/settings',
    title: 'Settings',
    component: page(() => import('../pages/settings/settings-page.js')),
  },
];
