/**
 * Watch paths and ignore patterns an account configures for the agents' file monitor, as the
 * signed rule set carries them, and the one check of a path or pattern that both the server (when
 * it is stored) and the agent (when it arrives) apply: a bad entry is refused twice, never watched.
 */
import Type, { type Static } from 'typebox';
import {
  MAX_IGNORE_PATTERN_LENGTH,
  MAX_IGNORE_PATTERNS,
  MAX_WATCH_PATH_LENGTH,
  MAX_WATCH_PATHS,
} from './watch-path-checks.js';

// The limits and the one check live in a module without TypeBox (the running agent checks each
// path it is sent); they stay part of this module's exports.
export * from './watch-path-checks.js';

/** The file monitor's configured part of a rule set: paths watched besides the default list, and patterns never reported. */
export const WatchConfig = Type.Object(
  {
    paths: Type.Array(Type.String({ minLength: 2, maxLength: MAX_WATCH_PATH_LENGTH, pattern: '^/' }), {
      maxItems: MAX_WATCH_PATHS,
    }),
    ignore: Type.Array(Type.String({ minLength: 1, maxLength: MAX_IGNORE_PATTERN_LENGTH }), {
      maxItems: MAX_IGNORE_PATTERNS,
    }),
  },
  { additionalProperties: false },
);
export type WatchConfigT = Static<typeof WatchConfig>;
