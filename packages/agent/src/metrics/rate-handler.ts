/** metrics.rate: the server's signed request to sample faster (while someone watches) or back at the default. */
import type { MetricsRateBodyT } from '@vigil/protocol';
import { validators } from '@vigil/protocol/agent-runtime';
import type { Dispatcher } from '../daemon/dispatch.js';
import type { MetricsSampler } from './sampler.js';

/** Register the metrics.rate handler; its result says the rate and lease now in force. */
export function registerMetricsRateHandler(d: Dispatcher, sampler: MetricsSampler): void {
  d.register('metrics.rate', {
    validator: validators.MetricsRateBody,
    run: (body) => {
      const b = body as MetricsRateBodyT;
      sampler.setRate(b.interval_s, b.until);
      return { interval_s: sampler.intervalS, until: sampler.leaseUntil };
    },
  });
}
