/**
 * Watch paths and ignore patterns of the agents' file monitor as the REST API, the CLI and the
 * console see them: configured per account, optionally for one group, pushed signed with each
 * device's rule set.
 */
import Type, { type Static } from 'typebox';
import { MAX_IGNORE_PATTERN_LENGTH, MAX_WATCH_PATH_LENGTH } from '../watch-paths.js';
import { Id, Name, Timestamp } from './common.js';

/** `watch`: a file or directory (three levels deep) watched; `ignore`: a glob never reported. */
export const MonitoringPathKind = Type.Enum(['watch', 'ignore'] as const);

/** One configured watch path or ignore pattern. */
export const MonitoringPathDto = Type.Object({
  id: Id,
  kind: MonitoringPathKind,
  path: Type.String(),
  group: Type.Union([Type.Object({ id: Id, name: Type.String() }), Type.Null()]),
  created_by: Type.String(),
  created_at: Timestamp,
});
export type MonitoringPathDtoT = Static<typeof MonitoringPathDto>;

/** Add a watch path (absolute) or an ignore pattern (a glob; without / it matches the file name). */
export const CreateMonitoringPathBody = Type.Object(
  {
    kind: MonitoringPathKind,
    path: Type.String({
      minLength: 1,
      maxLength: Math.max(MAX_WATCH_PATH_LENGTH, MAX_IGNORE_PATTERN_LENGTH),
    }),
    group: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export type CreateMonitoringPathBodyT = Static<typeof CreateMonitoringPathBody>;

/** `:id` of a configured path. */
export const MonitoringPathParams = Type.Object({ id: Id }, { additionalProperties: false });
