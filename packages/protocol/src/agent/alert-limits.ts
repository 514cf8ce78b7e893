/**
 * How large an alert's context may be. No schema library here: a running agent imports it through
 * `@vigil/protocol/agent-runtime` without loading TypeBox
 * (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */

/** The largest context an agent sends with one alert (JSON bytes); bigger parts are cut by the agent. */
export const MAX_ALERT_CONTEXT_BYTES = 256 * 1024;
