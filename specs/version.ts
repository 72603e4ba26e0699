/**
 * The mass version every part reports (agentd's system/info, the agent-run's state.json,
 * `massctl -V`). Its own module, free of zod, so that a client can print it without loading
 * the schemas; specs/runtime.ts re-exports it.
 */
export const MASS_VERSION = "0.1.0";
