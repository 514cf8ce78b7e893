/** @vigil/cli: the `vigil` command, runnable in-process, and its REST client. */

export { ApiClient, type ApiClientOptions } from './client/api-client.js';
export { establishTrust, fetchCaCertificate, type TrustedCa } from './client/ca-trust.js';
export { type Connection, resolveConnection } from './client/connection.js';
export { buildProgram, type RunOptions, runCli } from './program.js';
export { configDir, readSettings, type StoredSettings } from './settings.js';
