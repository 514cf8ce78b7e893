/** Schema validation shared by every receiver: server routes, agent handlers, CLI input. */
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { ErrorCode } from './errors.js';
import { validationError } from './validation-errors.js';

/** A compiled validator for one schema. */
export interface Validator<T extends TSchema> {
  /** Whether the value conforms. */
  check(value: unknown): value is Static<T>;
  /** The value, typed, or a VigilError naming the first problem and where it is. */
  parse(value: unknown, code?: ErrorCode): Static<T>;
}

/** Compile a schema once; use the result for every message or request. */
export function compileValidator<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema);
  return {
    check: (value: unknown): value is Static<T> => compiled.Check(value),
    parse(value: unknown, code: ErrorCode = 'E_VALIDATION'): Static<T> {
      if (compiled.Check(value)) return value as Static<T>;
      throw validationError(compiled.Errors(value), code);
    },
  };
}
