/** Sessions, first-admin setup, users and API tokens. */
import Type, { type Static } from 'typebox';
import { USER_ROLES } from '../roles.js';
import { Email, Id, Name, Timestamp } from './common.js';

export const Role = Type.Enum(USER_ROLES);

/** A password as typed: bounded so hashing cannot be abused. */
export const Password = Type.String({ minLength: 1, maxLength: 1024 });

/** A new password must be at least 12 characters. */
export const NewPassword = Type.String({ minLength: 12, maxLength: 1024 });

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });

export const User = Type.Object({
  id: Id,
  account_id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  created_at: Timestamp,
  disabled: Type.Boolean(),
});

export const SessionInfo = Type.Object({
  user: User,
  account: Type.Object({ id: Id, name: Type.String() }),
  csrf_token: Type.String({
    description: 'Send as the x-csrf-token header with cookie-authenticated changes',
  }),
  expires_at: Timestamp,
});

export const WhoAmI = Type.Object({
  user: User,
  account: Type.Object({ id: Id, name: Type.String() }),
  via: Type.Union([Type.Literal('session'), Type.Literal('token')]),
});

export const SetupBody = Type.Object(
  {
    email: Email,
    password: NewPassword,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    account_name: Type.Optional(Name),
  },
  { additionalProperties: false },
);

export const CreateUserBody = Type.Object(
  {
    email: Email,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    role: Role,
    password: NewPassword,
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    role: Type.Optional(Role),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(NewPassword),
  },
  { additionalProperties: false },
);

export const ApiToken = Type.Object({
  id: Id,
  name: Type.String(),
  role: Role,
  user_id: Id,
  created_at: Timestamp,
  last_used_at: Type.Union([Timestamp, Type.Null()]),
  expires_at: Type.Union([Timestamp, Type.Null()]),
  revoked: Type.Boolean(),
});

export const CreateApiTokenBody = Type.Object(
  {
    name: Name,
    role: Role,
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

export const CreatedApiToken = Type.Object({
  token: ApiToken,
  secret: Type.String({ description: 'Shown once; store it now' }),
});

export type LoginBodyT = Static<typeof LoginBody>;
export type UserT = Static<typeof User>;
export type ApiTokenT = Static<typeof ApiToken>;
export type SetupBodyT = Static<typeof SetupBody>;
export type CreateUserBodyT = Static<typeof CreateUserBody>;
export type UpdateUserBodyT = Static<typeof UpdateUserBody>;
export type CreateApiTokenBodyT = Static<typeof CreateApiTokenBody>;
