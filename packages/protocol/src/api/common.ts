/** Shapes every API resource shares: ids, names, pagination, errors. */
import Type, { type Static, type TSchema } from 'typebox';
import { ERROR_STATUS } from '../errors.js';

/** An opaque identifier: URL-safe, bounded. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Opaque identifier' });

/** A human name for a group, token, query…: printable, no path separators, bounded. */
export const Name = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9 ._:-]*$',
  description: 'Letters, digits, space, dot, underscore, colon and dash; starts with a letter or digit',
});

/** A device tag: lower-case, no spaces. */
export const Tag = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9][a-z0-9._:-]*$',
  description: 'Lower-case letters, digits, dot, underscore, colon and dash',
});

/** An e-mail address (kept simple: something@something.tld, bounded). */
export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });

/** An ISO-8601 timestamp string. */
export const Timestamp = Type.String({ format: 'date-time' });

/** Standard list parameters: cursor pagination, sorting. */
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 512, pattern: '^[A-Za-z0-9_=-]*$' })),
  },
  { additionalProperties: false },
);

/** A page of items with the cursor of the next page, or null on the last page. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

/** The JSON body of every error answer. */
export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.Enum(Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[]),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

/** `{ id }` path parameter. */
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** An answer that carries nothing but success. */
export const Ok = Type.Object({ ok: Type.Literal(true) });

export type PageQueryT = Static<typeof PageQuery>;
