/**
 * The generated validators must decide exactly as TypeBox does: for every message type, valid
 * samples and mutations of them — each field removed, set to other types, to undefined, strings
 * and numbers at and beyond every bound the schema names (strings also in astral characters,
 * which count as one code point but two UTF-16 units), arrays at and beyond their bounds, an
 * extra field on every object. A rejected value must also fail with TypeBox's words.
 */
import type { TSchema } from 'typebox';
import { Guard as TypeBoxGuard } from 'typebox/guard';
import { describe, expect, it } from 'vitest';
import * as protocol from '../index.js';
import { Guard } from '../standalone-validator.js';
import { compileValidator, type Validator } from '../validate.js';
import * as generated from './agent-validators.js';
import { VALID_SAMPLES } from './test-agent-validator-samples.js';

type Path = (string | number)[];
type Json = unknown;

const OTHER_TYPES: Json[] = [null, true, false, 0, 1, -1, 1.5, 'x', '', [], {}, undefined];
const STRINGS = [
  ' ',
  'a b',
  '{{x}}',
  '{{X}}',
  'T1234',
  'T1234.123',
  'T12345',
  'Linux.Ab.Cd',
  'linux.ab.cd',
  'https://x',
  'http://x',
  '/etc',
  'etc',
  'A==',
  'A===',
  'process.kill',
  'Process.kill',
  'a.b',
  'file..mode',
  'live',
  'poll',
  'snapshot',
  'differential',
  'rows',
  'no_rows',
  'urgent',
  'auth.ok',
  'command',
  '-_',
  '\u0000',
];
const NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];
/** Arrays are not grown past this (the agent's schemas bound theirs at 2,000 at most). */
const MAX_ARRAY = 10_001;

/** The bounds a schema names, by what they bound. */
interface Bounds {
  lengths: Set<number>;
  ranges: Set<number>;
  items: Set<number>;
  properties: Set<number>;
}

const BOUND_KIND: Record<string, keyof Bounds> = {
  minLength: 'lengths',
  maxLength: 'lengths',
  minimum: 'ranges',
  maximum: 'ranges',
  exclusiveMinimum: 'ranges',
  exclusiveMaximum: 'ranges',
  minItems: 'items',
  maxItems: 'items',
  minProperties: 'properties',
  maxProperties: 'properties',
};

/** Every bound anywhere in a schema (which field it bounds does not matter: each is tried on every field). */
function bounds(
  schema: unknown,
  out: Bounds = { lengths: new Set(), ranges: new Set(), items: new Set(), properties: new Set() },
): Bounds {
  if (Array.isArray(schema)) for (const s of schema) bounds(s, out);
  else if (schema && typeof schema === 'object')
    for (const [k, v] of Object.entries(schema)) {
      const kind = BOUND_KIND[k];
      if (kind && typeof v === 'number') out[kind].add(v);
      else bounds(v, out);
    }
  return out;
}

/** Each bound, one below and one above, never negative. */
const near = (values: Set<number>) => [...values].flatMap((n) => [n - 1, n, n + 1]).filter((n) => n >= 0);

/** A copy of `root` with the value at `path` replaced (or deleted when `value` is DELETE); only the path is copied. */
const DELETE = Symbol('delete');
function replaced(root: Json, path: Path, value: Json | typeof DELETE): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Path];
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, Json>;
  if (rest.length === 0 && value === DELETE) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete copy[head];
  } else copy[head] = replaced(copy[head], rest, value);
  return copy;
}

/** Every node of a value with its path. */
function* nodes(value: Json, path: Path = []): Generator<[Path, Json]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* nodes(v, [...path, i]);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* nodes(v, [...path, k]);
}

/** The mutations of one valid sample, as [description, value]. */
function* mutations(sample: Json, limits: Bounds): Generator<[string, Json]> {
  for (const [path, value] of nodes(sample)) {
    const at = path.join('.') || '(root)';
    if (path.length > 0) yield [`${at} removed`, replaced(sample, path, DELETE)];
    for (const other of OTHER_TYPES)
      yield [`${at} = ${JSON.stringify(other)}`, replaced(sample, path, other)];
    if (typeof value === 'string') {
      for (const s of STRINGS) yield [`${at} = ${JSON.stringify(s)}`, replaced(sample, path, s)];
      for (const n of near(limits.lengths)) {
        yield [`${at} = ${n} ASCII characters`, replaced(sample, path, 'a'.repeat(n))];
        yield [`${at} = ${n} astral characters`, replaced(sample, path, '\u{1F600}'.repeat(n))];
        if (n <= 100_000) yield [`${at} = ${n} base64 characters`, replaced(sample, path, 'A'.repeat(n))];
      }
    }
    if (typeof value === 'number') {
      for (const n of [...NUMBERS, ...[...limits.ranges].flatMap((b) => [b - 1, b, b + 1, b + 0.5, -b])])
        yield [`${at} = ${n}`, replaced(sample, path, n)];
      yield [`${at} = '${value}'`, replaced(sample, path, String(value))];
    }
    if (Array.isArray(value)) {
      const item = value[0] ?? 'x';
      for (const n of near(limits.items).filter((k) => k <= MAX_ARRAY))
        yield [`${at} with ${n} items`, replaced(sample, path, Array(n).fill(item))];
      yield [`${at} + null item`, replaced(sample, path, [...value, null])];
    } else if (value && typeof value === 'object') {
      yield [`${at} + an unknown field`, replaced(sample, path, { ...value, unknown_field: 1 })];
      yield [`${at} emptied`, replaced(sample, path, {})];
      for (const n of near(limits.properties)) {
        const grown = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
        yield [`${at} with ${n} more fields`, replaced(sample, path, { ...value, ...grown })];
      }
    }
  }
}

/** What a validator's parse throws for a value, as comparable data. */
function failure(parse: (v: unknown) => unknown, value: unknown) {
  try {
    parse(value);
    return undefined;
  } catch (error) {
    const e = error as protocol.VigilError;
    return { code: e.code, message: e.message, details: e.details };
  }
}

describe('generated agent validators', () => {
  // By name, as data: the test walks all of them.
  const validators: Record<string, Validator<TSchema>> = { ...generated };
  const names = Object.keys(validators);

  it('cover the schemas the generator lists, each with valid samples', () => {
    expect(names.length).toBeGreaterThanOrEqual(16);
    for (const name of names) expect(VALID_SAMPLES[name]?.length, name).toBeGreaterThan(0);
  });

  for (const name of names) {
    // RulesSetBody alone tries ~10,000 values, each rejected one explained by TypeBox too.
    it(`${name}: accepts and rejects exactly what TypeBox does, with TypeBox's error`, {
      timeout: 120_000,
    }, () => {
      const schema = (protocol as unknown as Record<string, unknown>)[name];
      const typebox = compileValidator(schema as Parameters<typeof compileValidator>[0]);
      const standalone = validators[name] as Validator<TSchema>;
      const limits = bounds(schema);
      let accepted = 0;
      let rejected = 0;
      for (const sample of VALID_SAMPLES[name] ?? []) {
        expect(typebox.check(sample), `${name} sample is valid`).toBe(true);
        expect(standalone.check(sample)).toBe(true);
        for (const [what, value] of mutations(sample, limits)) {
          const expected = typebox.check(value);
          if (standalone.check(value) !== expected) expect.fail(`${name}: ${what}: TypeBox says ${expected}`);
          if (expected) accepted++;
          else {
            rejected++;
            const want = failure((v) => typebox.parse(v), value);
            const got = failure((v) => standalone.parse(v), value);
            if (JSON.stringify(got) !== JSON.stringify(want))
              expect.fail(`${name}: ${what}: ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
          }
        }
      }
      // Both kinds of outcome were exercised, so agreement means something.
      expect(accepted).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(10);
    });
  }

  it("count code points as TypeBox's Guard does (surrogate pairs, lone and reversed surrogates)", () => {
    const units = [0x41, 0xe9, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xffff];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      const s = String.fromCharCode(
        ...Array.from({ length: next() % 12 }, () => units[next() % units.length] as number),
      );
      expect(Guard.CodePointCount(s), JSON.stringify(s)).toBe(TypeBoxGuard.CodePointCount(s));
    }
  });
});
