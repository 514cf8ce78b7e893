/**
 * Console and API roles. Each route declares the least role it needs; a caller passes when its
 * role ranks at least as high. `public` routes need no login; `agent` routes authenticate agents
 * by their own key, never by a user credential.
 */
export const USER_ROLES = ['viewer', 'analyst', 'admin'] as const;

/** A user's or API token's role. */
export type UserRole = (typeof USER_ROLES)[number];

/** What a route requires of its caller. */
export type RouteAccess = UserRole | 'public' | 'agent';

const RANK: Record<UserRole, number> = { viewer: 1, analyst: 2, admin: 3 };

/** Whether `actual` satisfies a route that requires `required`. */
export function roleAtLeast(actual: UserRole, required: UserRole): boolean {
  return RANK[actual] >= RANK[required];
}

/** Whether a value is a user role. */
export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}
