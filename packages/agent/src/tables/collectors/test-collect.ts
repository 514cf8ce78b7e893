import { fileURLToPath } from 'node:url';
import { type TestHints, testContext } from '../test-context.js';
import type { Row, TableCollector } from '../types.js';

/** The absolute path of a fixture tree under tables/fixtures. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

/** Runs a collector on a fixture tree (or any root) and returns its rows and warnings, for tests. */
export function collectAt(
  collector: TableCollector,
  root: string,
  hints: TestHints = {},
  now?: Date,
): { rows: Row[]; warnings: string[] } {
  const { ctx, warnings } = testContext(root, hints, now);
  return { rows: [...collector.collect(ctx)], warnings };
}

/** Runs a collector on a fixture under tables/fixtures. */
export function collectFixture(
  collector: TableCollector,
  fixture: string,
  hints: TestHints = {},
  now?: Date,
): { rows: Row[]; warnings: string[] } {
  return collectAt(collector, fixturePath(fixture), hints, now);
}
