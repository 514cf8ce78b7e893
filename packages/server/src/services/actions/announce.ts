/** Console events of action runs: a run changed state, or one of its devices reported a result. */
import type { ActionRunStatusT } from '@vigil/protocol';
import type { ConsoleEvents } from '../../bus/console-events.js';
import { nowIso } from '../../store/ids.js';

/** Tell the run's account that the run changed; `status` is the run's status now. */
export function announceRun(
  events: ConsoleEvents,
  run: { id: string; account_id: string },
  status: string,
): void {
  events.publish(run.account_id, {
    type: 'action.run',
    run_id: run.id,
    status: status as ActionRunStatusT,
    at: nowIso(),
  });
}
