import { defineConfig } from 'vite';

// The console is served by the Vigil server from packages/web/dist.
export default defineConfig({ build: { outDir: 'dist', emptyOutDir: true, sourcemap: true } });
