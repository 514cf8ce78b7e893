/**
 * What validators generated at build time (generated/agent-validators.ts) need at run time, without
 * TypeBox: the one TypeBox helper their code calls, and the wrapper that gives them the Validator
 * interface. Only a value that fails its check loads TypeBox, to say what is wrong with it
 * (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */
import { createRequire } from 'node:module';
import type { TSchema } from 'typebox';
import type { ErrorCode } from './errors.js';
import type { Validator } from './validate.js';
import { validationError } from './validation-errors.js';

const require = createRequire(import.meta.url);

/**
 * The number of Unicode code points in a string: UTF-16 units, a surrogate pair counting once
 * and a lone surrogate once. JSON Schema's minLength and maxLength count code points; TypeBox's
 * generated code calls this (as Guard.CodePointCount) only when the UTF-16 length cannot decide.
 */
function codePointCount(value: string): number {
  let count = 0;
  let previousWasHigh = false;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const isLow = unit >= 0xdc00 && unit <= 0xdfff;
    if (!(isLow && previousWasHigh)) count++;
    previousWasHigh = unit >= 0xd800 && unit <= 0xdbff;
  }
  return count;
}

/** The members of TypeBox's Guard that generated code may call (the generator refuses any other). */
export const Guard = { CodePointCount: codePointCount };

/** The problems TypeBox finds in a value that failed its check (the rare path: loads TypeBox). */
function problems(schemaJson: string, value: unknown) {
  // require, not import(): parse is synchronous. Node ≥ 20.19 loads an ES module this way.
  const { Compile } = require('typebox/compile') as typeof import('typebox/compile');
  return Compile(JSON.parse(schemaJson) as TSchema).Errors(value);
}

/**
 * A Validator from a generated check function and its schema as JSON text. `check` is the
 * generated code alone; `parse` of a failing value computes the problems with TypeBox.
 */
export function standaloneValidator<T extends TSchema>(
  check: (value: unknown) => boolean,
  schemaJson: string,
): Validator<T> {
  return {
    check: check as Validator<T>['check'],
    parse(value: unknown, code: ErrorCode = 'E_VALIDATION') {
      if (check(value)) return value as ReturnType<Validator<T>['parse']>;
      throw validationError(problems(schemaJson, value), code);
    },
  };
}
