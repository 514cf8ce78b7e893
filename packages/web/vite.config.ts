import { defineConfig } from 'vite';
import { tableSchemaPlugin } from './table-schema-plugin.js';

// The console is served by the Vigil server from packages/web/dist under a strict
// Content-Security-Policy, so nothing may be inlined: no inline scripts, styles or data: assets.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  plugins: [tableSchemaPlugin()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: true,
    target: 'es2022',
  },
});
