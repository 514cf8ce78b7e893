/** One program run with an argument array: what the Windows and macOS command builders return. */
export interface CommandStep {
  /** Program name (Windows: resolved in %SystemRoot%\System32 only) or absolute path (macOS). */
  program: string;
  args: string[];
}

/** Builds the steps of one action from its validated, defaulted parameters; throws a VigilError when it cannot. */
export type CommandBuilder = (params: Record<string, unknown>) => CommandStep[];
