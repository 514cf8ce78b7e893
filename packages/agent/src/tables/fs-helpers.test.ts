import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTextUntil, resolveIn } from './fs-helpers.js';
import { testContext } from './test-context.js';

describe('resolveIn', () => {
  it('keeps a normal absolute path as it is', () => {
    expect(resolveIn('/', '/proc/12/fd/3')).toBe('/proc/12/fd/3');
    expect(resolveIn('/fixture', '/proc/12/stat')).toBe('/fixture/proc/12/stat');
  });

  it('normalises anything else and never climbs above the root', () => {
    expect(resolveIn('/', '/proc//12/./stat/')).toBe('/proc/12/stat');
    expect(resolveIn('/fixture', '/../../etc/passwd')).toBe('/fixture/etc/passwd');
    expect(resolveIn('/fixture', '/home/u/../../../etc/shadow')).toBe('/fixture/etc/shadow');
    expect(resolveIn('/fixture', '/home/u/.ssh/config')).toBe('/fixture/home/u/.ssh/config');
  });
});

describe('readTextUntil', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-read-until-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')}\n`).join('');
  writeFileSync(join(dir, 'lines'), lines);

  it('stops once the text read is enough, cut after its last complete line', () => {
    const { ctx } = testContext(dir);
    const text = readTextUntil(ctx, '/lines', (t) => t.includes('line 010'), 16) as string;
    expect(text.startsWith('line 000\n')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('line 010\n');
    expect(text.length).toBeLessThan(lines.length / 2);
  });

  it('reads to the end when never told to stop, and answers null for a missing file', () => {
    const { ctx, warnings } = testContext(dir);
    expect(readTextUntil(ctx, '/lines', () => false, 16)).toBe(lines);
    expect(readTextUntil(ctx, '/missing', () => true)).toBeNull();
    expect(warnings).toEqual([]);
  });
});
