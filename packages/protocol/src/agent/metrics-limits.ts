/**
 * The host metrics' rates and sizes, shared by the server and the agent's sampler. No schema
 * library here: a running agent imports them through `@vigil/protocol/agent-runtime` without
 * loading TypeBox (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */

/** Seconds between samples when nobody watches the device. */
export const METRICS_DEFAULT_INTERVAL_S = 60;
/** Seconds between samples while at least one console user watches the device live. */
export const METRICS_WATCH_INTERVAL_S = 1;
/** Most samples one `metrics.sample` item may carry. */
export const METRICS_MAX_SAMPLES_PER_ITEM = 30;
/** Most mounts, block devices and interfaces one sample lists (the rest are left out). */
export const METRICS_MAX_ENTITIES = 32;
/** Longest lease `metrics.rate` may grant with `until`, from the agent's clock. */
export const METRICS_MAX_LEASE_MS = 60 * 60 * 1000;
