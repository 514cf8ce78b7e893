/** @vigil/server: buildApp and the pieces the CLI and tests use. */
export { type BuildAppOptions, buildApp, type VigilApp } from './app.js';
export { type RawOptions, resolveServerConfig, SERVER_OPTIONS, type ServerConfig } from './config.js';
export { certificateFingerprint, normaliseFingerprint } from './pki/fingerprint.js';
export { loadOrCreateServerKeys, type ServerKeys } from './pki/server-keys.js';
export { closeOnSignals, type StartedServer, startServer } from './start-server.js';
export { openStore, type Store } from './store/db.js';
