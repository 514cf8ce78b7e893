/**
 * One error model for server, agent, CLI and console (CONVENTIONS.md item 5).
 * Every error that crosses a boundary carries a stable machine code, an HTTP status and a
 * message a person can act on. Unknown failures become E_INTERNAL and never leak internals.
 */

/** Every stable error code, with the HTTP status it answers with. */
export const ERROR_STATUS = {
  E_BAD_REQUEST: 400,
  E_VALIDATION: 400,
  E_INVALID_FILTER: 400,
  E_INVALID_SQL: 400,
  E_QUERY_NOT_READ_ONLY: 400,
  E_QUERY_TIMEOUT: 504,
  E_QUERY_OUT_OF_MEMORY: 413,
  E_BODY_TOO_LARGE: 413,
  E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_UNAUTHENTICATED: 401,
  E_BAD_CREDENTIALS: 401,
  E_CSRF: 403,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_ROUTE_NOT_FOUND: 404,
  E_DEVICE_NOT_FOUND: 404,
  E_GROUP_NOT_FOUND: 404,
  E_USER_NOT_FOUND: 404,
  E_TOKEN_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_ALREADY_EXISTS: 409,
  E_SETUP_DONE: 409,
  E_ENROLLMENT_TOKEN_INVALID: 401,
  E_ENROLLMENT_TOKEN_EXPIRED: 401,
  E_ENROLLMENT_TOKEN_USED_UP: 401,
  E_ENROLLMENT_TOKEN_REVOKED: 401,
  E_CLOCK_SKEW: 400,
  E_KEY_CONFLICT: 409,
  E_AGENT_REVOKED: 403,
  E_AGENT_UNKNOWN: 401,
  E_SIGNATURE_INVALID: 401,
  E_RATE_LIMITED: 429,
  E_NOT_READY: 503,
  E_CONFIG: 500,
  E_USAGE: 400,
  E_CA_MISMATCH: 400,
  E_CA_NOT_PINNED: 400,
  E_TLS: 502,
  E_UNREACHABLE: 503,
  E_QUERY_FAILED: 502,
  E_ACTION_UNKNOWN: 404,
  E_ACTION_PARAMS: 400,
  E_ACTION_NO_DRY_RUN: 400,
  E_ACTION_PLATFORM: 400,
  E_ACTION_RUN_NOT_FOUND: 404,
  E_ACTION_STATE: 409,
  E_ACTION_NO_UNDO: 409,
  E_ACTION_RUN_FAILED: 502,
  // Reported by the agent in action.result: why an action did not do what was asked.
  E_ACTION_REFUSED: 422,
  E_ACTION_UNSUPPORTED: 501,
  E_ACTION_COMMAND_FAILED: 502,
  E_ACTION_TIMEOUT: 504,
  E_ACTION_INTERRUPTED: 500,
  E_ACTION_TARGET_NOT_FOUND: 404,
  E_ACTION_INTEGRITY: 422,
  E_ACTION_DOWNLOAD: 502,
  E_APPROVAL_SELF: 403,
  E_APPROVAL_STATE: 409,
  E_ALERT_NOT_FOUND: 404,
  E_ALERT_STATE: 409,
  E_SUPPRESSION_NOT_FOUND: 404,
  E_NOTIFICATION_ROUTE_NOT_FOUND: 404,
  E_NOTIFICATION_TARGET: 400,
  E_NOTIFICATION_FAILED: 502,
  E_RESPONSE_RULE_NOT_FOUND: 404,
  E_MONITORING_PATH_NOT_FOUND: 404,
  E_MONITORING_PATHS_LIMIT: 409,
  E_DETECTION_RULE_NOT_FOUND: 404,
  E_SOFTWARE_NOT_FOUND: 404,
  E_SOFTWARE_TYPE: 415,
  E_SOFTWARE_METADATA: 400,
  E_SOFTWARE_IN_USE: 409,
  E_SOFTWARE_NOT_TARGETED: 403,
  E_INTERNAL: 500,
} as const;

/** A stable machine error code such as `E_DEVICE_NOT_FOUND`. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error answer: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error with a stable code; safe to show its message to the caller. */
export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Extra HTTP headers to send with the error (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  /** The wire form of this error. */
  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** Whether a value is a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
