/**
 * /api/v1/software: the software library — package files (.deb, .rpm) uploaded to the server,
 * stored by their SHA-256, and deployed to devices with the `software.deploy` action
 * (`params: { package: <id or sha256> }`).
 */
import Type, { type Static } from 'typebox';
import { Id, PageQuery, Timestamp } from './common.js';

/** The package formats the library accepts. */
export const SOFTWARE_KINDS = ['deb', 'rpm'] as const;
export type SoftwareKindT = (typeof SOFTWARE_KINDS)[number];

/** A SHA-256 as the library names files: 64 lower-case hex digits. */
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lower-case hex' });

/** A package name (Debian and RPM names are both within this). */
export const SoftwareName = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9+._-]*$',
});

/** A package version, with an optional epoch (`1:2.3-4`) and a release. */
export const SoftwareVersion = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9+.~:_-]*$',
});

/** A package architecture (`amd64`, `all`, `x86_64`, `noarch` …). */
export const SoftwareArch = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' });

/**
 * Query of POST /api/v1/software. The body is the package file itself (application/octet-stream).
 * `name`, `version` and `arch` are read from the package; given here, they must agree with it, and
 * they are required where the server cannot read the package (an .rpm on a server without rpm).
 */
export const SoftwareUploadQuery = Type.Object(
  {
    /** The file name on the uploader's disk, kept for display only (never used as a path). */
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    name: Type.Optional(SoftwareName),
    version: Type.Optional(SoftwareVersion),
    arch: Type.Optional(SoftwareArch),
  },
  { additionalProperties: false },
);
export type SoftwareUploadQueryT = Static<typeof SoftwareUploadQuery>;

/** One package of the library. */
export const SoftwarePackage = Type.Object({
  id: Id,
  sha256: Sha256Hex,
  kind: Type.Enum(SOFTWARE_KINDS),
  name: Type.String(),
  version: Type.String(),
  arch: Type.String(),
  /** The file name agents store the download under (derived from name, version and arch). */
  filename: Type.String(),
  /** The name the uploader gave, for display. */
  original_filename: Type.Union([Type.String(), Type.Null()]),
  size: Type.Integer({ minimum: 0 }),
  uploaded_by: Type.Object({ id: Type.String(), name: Type.String() }),
  created_at: Timestamp,
});
export type SoftwarePackageT = Static<typeof SoftwarePackage>;

/** Answer of an upload: the package, and whether these exact bytes were already in the library. */
export const SoftwareUploadResult = Type.Object({
  ...SoftwarePackage.properties,
  duplicate: Type.Boolean(),
});
export type SoftwareUploadResultT = Static<typeof SoftwareUploadResult>;

/** GET /api/v1/software filters. */
export const SoftwareListQuery = Type.Object(
  {
    ...PageQuery.properties,
    name: Type.Optional(SoftwareName),
  },
  { additionalProperties: false },
);
export type SoftwareListQueryT = Static<typeof SoftwareListQuery>;
