/**
 * Run the CLI from TypeScript sources: tsx compiles .ts on the fly, and the workspace packages
 * (`@vigil/protocol`, `@vigil/server`, …) resolve to their src/index.ts instead of a dist/ that
 * may be missing or stale. Use as `node --import ./packages/cli/bin/register-sources.js …`.
 */
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
// Registered after tsx so it resolves first (hooks run last-registered first).
register('./source-hooks.js', import.meta.url);
