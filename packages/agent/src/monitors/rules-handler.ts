/** rules.set: the server's signed rule set for this device — detection rules and automated responses. */
import { RulesSetBody, type RulesSetBodyT } from '@vigil/protocol';
import type { Dispatcher } from '../daemon/dispatch.js';
import type { MonitorService } from './service.js';

/** Register rules.set on the dispatcher. */
export function registerRulesHandler(d: Dispatcher, monitors: MonitorService): void {
  d.register('rules.set', {
    schema: RulesSetBody,
    run: async (body) => {
      const set = body as RulesSetBodyT;
      await monitors.replace(set);
      return {
        digest: set.digest,
        rules: set.rules.length,
        responses: set.responses.length,
        monitors: monitors.runningMonitors(),
      };
    },
  });
}
