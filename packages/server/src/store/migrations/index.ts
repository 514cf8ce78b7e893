/** The numbered migrations, in order. Add a file and list it here; never edit a landed one. */
import type { Migration } from 'kysely';
import * as m0001 from './0001-core.js';
import * as m0002 from './0002-agents.js';
import * as m0003 from './0003-queries.js';
import * as m0004 from './0004-checks.js';
import * as m0005 from './0005-actions.js';
import * as m0006 from './0006-metrics.js';
import * as m0007 from './0007-alerts.js';
import * as m0008 from './0008-responses.js';
import * as m0010 from './0010-scheduled-results-at.js';
import * as m0011 from './0011-software.js';
import * as m0012 from './0012-agent-messages-received.js';
import * as m0015 from './0015-response-rules-enabled.js';
import * as m0016 from './0016-device-compliance.js';
import * as m0017 from './0017-monitoring-paths.js';
import * as m0018 from './0018-detection-rule-params.js';

/** Every migration keyed by its sortable name. */
export const migrations: Record<string, Migration> = {
  '0001-core': m0001,
  '0002-agents': m0002,
  '0003-queries': m0003,
  '0004-checks': m0004,
  '0005-actions': m0005,
  '0006-metrics': m0006,
  '0007-alerts': m0007,
  '0008-responses': m0008,
  '0010-scheduled-results-at': m0010,
  '0011-software': m0011,
  '0012-agent-messages-received': m0012,
  '0015-response-rules-enabled': m0015,
  '0016-device-compliance': m0016,
  '0017-monitoring-paths': m0017,
  '0018-detection-rule-params': m0018,
};
