/**
 * The device filter language used by dynamic groups and by targets (`filter`): parse text to a
 * typed tree, compile it to a Kysely expression, and find the devices that match.
 * The syntax and semantics are documented in docs/device-filters.md.
 */

export type { ColumnFieldName, CompareOp, DeviceFilter, FieldRef, Literal } from './ast.js';
export { COLUMN_FIELDS } from './ast.js';
export { deviceFilterExpression, type StoreKind } from './compile.js';
export { matchingDeviceIds } from './matching.js';
export {
  MAX_FACT_PATH,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_PREDICATES,
  parseDeviceFilter,
} from './parse.js';
export { referencedGroupNames } from './referenced-groups.js';
