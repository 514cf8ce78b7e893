/** What `sim/vigil-data-server-child.mjs` prints (and keeps in its data directory for the next start). */
export interface DataServerInfo {
  url: string;
  caPem: string;
  signingPublicKey: string;
  adminToken: string;
  /** Enrollment token per tag. */
  tokens: Record<string, string>;
  /** The token of the first tag (what SimFleet calls enrollmentToken). */
  enrollmentToken: string;
  firstStart: boolean;
  pid: number;
}
