/**
 * @vigil/agent/run: what `vigil agent run` needs and nothing more. The package's main entry also
 * exports enrollment (undici), the check, action and rule loaders (YAML) and the table
 * declarations for the server and the CLI; a running agent loads those only when it uses them, so
 * they do not sit in its memory for the life of the process.
 */

export { defaultStateDir } from './daemon/identity.js';
export { type StartedAgent, startAgent } from './daemon/start-agent.js';
export type { MonitorConfig } from './monitors/service.js';
