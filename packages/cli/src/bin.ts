/** Entry point of the `vigil` binary. */

const argv = process.argv.slice(2);
// `vigil agent …` builds only the agent commands: the agent process stays small for its whole life.
const code =
  argv[0] === 'agent'
    ? await (await import('./agent-program.js')).runAgentCli(argv)
    : await (await import('./program.js')).runCli(argv);
// A failed run exits at once (a half-started server may hold handles); a successful one lets the
// event loop drain, so `vigil server` keeps serving until a signal stops it.
if (code !== 0) process.exit(code);
