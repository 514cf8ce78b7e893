/** Check command-line values against the protocol schemas before anything is sent. */
import { compileValidator, type Validator, VigilError } from '@vigil/protocol';

type Schema = Parameters<typeof compileValidator>[0];

const cache = new WeakMap<Schema, Validator<Schema>>();

/** The value, if it matches the schema; otherwise E_VALIDATION naming the argument and, given a hint, what is allowed. */
export function checkArg<T extends Schema>(
  schema: T,
  value: unknown,
  label: string,
  hint?: string,
): ReturnType<Validator<T>['parse']> {
  let validator = cache.get(schema);
  if (!validator) {
    validator = compileValidator(schema);
    cache.set(schema, validator);
  }
  if (validator.check(value)) return value as ReturnType<Validator<T>['parse']>;
  let problem: string;
  try {
    validator.parse(value);
    problem = 'is not valid';
  } catch (error) {
    problem = (error as Error).message.replace(/^the input /, '');
  }
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  const why = hint ? `is not valid: ${hint}` : problem;
  throw new VigilError('E_VALIDATION', `${label} ${shown} ${why}`);
}

/** What a tag may contain, from the protocol's own description of the pattern. */
export const TAG_HINT =
  'use lower-case letters, digits, dot, underscore, colon and dash, starting with a letter or digit (at most 63)';

/** What an id may contain. */
export const ID_HINT = 'ids are 1-64 letters, digits, underscores and dashes';

/** What a name may contain. */
export const NAME_HINT =
  'use letters, digits, space, dot, underscore, colon and dash, starting with a letter or digit (at most 64)';

/** A whole number within bounds, from an option string, or E_VALIDATION. */
export function parseIntArg(value: string, label: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new VigilError(
      'E_VALIDATION',
      `${label} must be a whole number from ${min} to ${max}, got '${value}'`,
    );
  }
  return n;
}

/** A request body checked against its schema, or E_VALIDATION naming the field (`--email` for `email`). */
export function checkBody<T extends Schema>(schema: T, value: unknown): ReturnType<Validator<T>['parse']> {
  let validator = cache.get(schema);
  if (!validator) {
    validator = compileValidator(schema);
    cache.set(schema, validator);
  }
  try {
    return validator.parse(value) as ReturnType<Validator<T>['parse']>;
  } catch (error) {
    const message = (error as Error).message.replace(
      /^'([a-z_]+)'/,
      (_, field: string) => `--${field.replaceAll('_', '-')}`,
    );
    throw new VigilError('E_VALIDATION', message);
  }
}
