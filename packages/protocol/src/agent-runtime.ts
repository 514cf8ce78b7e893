/**
 * @vigil/protocol/agent-runtime: the part of the wire contract a running agent needs, without
 * TypeBox — the error model, the channel's constants and proof formats, command verification, the
 * agent's limits and its validators, generated at build time from the schemas. Loading TypeBox
 * and every schema object costs the agent about 20 MB for its whole life
 * (docs/adr/0006-agent-validators-generated-at-build-time.md). Types come from `@vigil/protocol`
 * with `import type`, which costs nothing at run time.
 */

export * from './agent/alert-limits.js';
export * from './agent/channel.js';
export * from './agent/channel-binding.js';
export * from './agent/deflated-body.js';
export * from './agent/heartbeat.js';
export * from './agent/metrics-limits.js';
export * from './agent/signed-commands.js';
export * from './agent/software-download.js';
export * from './errors.js';
export * as validators from './generated/agent-validators.js';
export * from './watch-path-checks.js';
