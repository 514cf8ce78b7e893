/** What every command gets: output, environment, stdin, the config directory and a way to connect. */
import type { ApiClient } from './client/api-client.js';
import type { Io } from './output.js';
import { configDir } from './settings.js';

/** A readable stdin that may be a terminal. */
export type Stdin = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

/** The per-run context shared by all commands. */
export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  stdin: Stdin;
  configDir: string;
  /** A client for the configured server (env over stored settings); closed at the end of the run. */
  connect(): Promise<ApiClient>;
  /** Track a client so it is closed at the end of the run. */
  track(client: ApiClient): ApiClient;
  /** Close every client opened during the run. */
  close(): Promise<void>;
}

/** Create the context of one CLI run. */
export function createContext(io: Io, env: NodeJS.ProcessEnv, stdin: Stdin): CliContext {
  const clients: ApiClient[] = [];
  const ctx: CliContext = {
    io,
    env,
    stdin,
    configDir: configDir(env),
    async connect() {
      // Loaded when a command connects: the REST client (undici) is not needed by `vigil agent run`.
      const [{ resolveConnection }, { ApiClient }] = await Promise.all([
        import('./client/connection.js'),
        import('./client/api-client.js'),
      ]);
      const c = await resolveConnection(env, ctx.configDir);
      return ctx.track(new ApiClient({ server: c.server, token: c.token, caPem: c.caPem }));
    },
    track(client) {
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    },
  };
  return ctx;
}
