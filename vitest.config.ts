import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

// Tests run on the TypeScript sources of every workspace package, so no build is needed first.
export default defineConfig({
  resolve: {
    alias: {
      // Subpath exports before their packages: the first alias that matches wins.
      '@vigil/protocol/agent-runtime': src('protocol', 'agent-runtime'),
      '@vigil/protocol': src('protocol'),
      '@vigil/server': src('server'),
      '@vigil/agent/run': src('agent', 'run'),
      '@vigil/agent': src('agent'),
      '@vigil/cli': src('cli'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
