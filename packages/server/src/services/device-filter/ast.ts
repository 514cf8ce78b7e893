/** The typed syntax tree of a device filter, and the device fields it may name. */

/** The built-in device fields, each with the `devices` column it reads and how it compares. */
export const COLUMN_FIELDS = {
  hostname: { column: 'hostname', type: 'text' },
  'os.platform': { column: 'os_platform', type: 'text' },
  'os.name': { column: 'os_name', type: 'text' },
  'os.version': { column: 'os_version', type: 'text' },
  'os.kernel': { column: 'os_kernel', type: 'text' },
  'os.arch': { column: 'os_arch', type: 'text' },
  agent_version: { column: 'agent_version', type: 'text' },
  status: { column: 'status', type: 'text' },
  mode: { column: 'mode', type: 'text' },
  ip: { column: 'ip', type: 'text' },
  enrolled_at: { column: 'enrolled_at', type: 'timestamp' },
  last_seen_at: { column: 'last_seen_at', type: 'timestamp' },
} as const satisfies Record<string, { column: string; type: 'text' | 'timestamp' }>;

/** The name of a built-in device field, as written in a filter. */
export type ColumnFieldName = keyof typeof COLUMN_FIELDS;

/** The field a predicate reads: a device column or a path into the device's facts. */
export type FieldRef = { kind: 'column'; name: ColumnFieldName } | { kind: 'fact'; path: string[] };

/** A literal value: a quoted string or a number. */
export type Literal = { type: 'string'; value: string } | { type: 'number'; value: number };

/** A comparison operator. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A node of the filter tree; predicates carry the character position they start at. */
export type DeviceFilter =
  | { type: 'and'; operands: DeviceFilter[] }
  | { type: 'or'; operands: DeviceFilter[] }
  | { type: 'not'; operand: DeviceFilter }
  | { type: 'compare'; field: FieldRef; op: CompareOp; value: Literal; position: number }
  | { type: 'in'; field: FieldRef; negated: boolean; values: Literal[]; position: number }
  | { type: 'like'; field: FieldRef; negated: boolean; pattern: string; position: number }
  | { type: 'contains'; collection: 'tags' | 'groups'; value: string; position: number };
