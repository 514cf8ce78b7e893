#!/usr/bin/env node
/**
 * The `vigil` launcher. A built CLI (dist/) runs as plain JavaScript; in a fresh checkout
 * (`npm ci`, no build) the TypeScript sources run through tsx, so `npx vigil` works at once.
 */
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  await import('./register-sources.js');
  await import(new URL('../src/bin.ts', import.meta.url).href);
}
