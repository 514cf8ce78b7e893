/**
 * Alert settings: what is muted (suppressions), where alerts are sent (notification routes, with
 * their dead letters) and what agents do by themselves (automated responses).
 */

import { ResponsesPanel } from './responses-panel.js';
import { RoutesPanel } from './routes-panel.js';
import { SuppressionsPanel } from './suppressions-panel.js';

export default function AlertSettingsPage() {
  return (
    <>
      <h1>Alert settings</h1>
      <div id="suppressions">
        <SuppressionsPanel />
      </div>
      <RoutesPanel />
      <ResponsesPanel />
    </>
  );
}
