/** rules.set: the server's signed rule set for this device — detection rules and automated responses. */
import type { RulesSetBodyT } from '@vigil/protocol';
import { validators } from '@vigil/protocol/agent-runtime';
import type { Dispatcher } from '../daemon/dispatch.js';
import type { MonitorService } from './service.js';

/**
 * Register rules.set on the dispatcher. An agent run without monitors still accepts the command
 * (and says it runs none): refusing it would report every push as a refused command.
 */
export function registerRulesHandler(d: Dispatcher, monitors: MonitorService | undefined): void {
  d.register('rules.set', {
    validator: validators.RulesSetBody,
    run: async (body) => {
      const set = body as RulesSetBodyT;
      if (!monitors) return { digest: set.digest, monitors: [], note: 'this agent runs without monitors' };
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
