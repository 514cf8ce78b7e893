/** @vigil/protocol: the one wire contract shared by server, agent, CLI and console. */

export * from './actions.js';
export * from './agent/alerts.js';
export * from './agent/channel-binding.js';
export * from './agent/envelope.js';
export * from './agent/heartbeat.js';
export * from './agent/messages.js';
export * from './agent/metrics.js';
export * from './agent/software-download.js';
export * from './api/actions.js';
export * from './api/alerts.js';
export * from './api/audit.js';
export * from './api/auth.js';
export * from './api/common.js';
export * from './api/devices.js';
export * from './api/events.js';
export * from './api/metrics.js';
export * from './api/monitoring-paths.js';
export * from './api/monitoring-rules.js';
export * from './api/responses.js';
export * from './api/software.js';
export * from './checks.js';
export * from './errors.js';
export * from './roles.js';
export * from './rules.js';
export * from './validate.js';
export * from './watch-paths.js';
