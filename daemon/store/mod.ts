/**
 * agentd's store: the Deno KV repository for Workspaces, Agents, AgentRuns, event cursors and
 * inboxes. See store.ts for the guarantees, keys.ts for the key layout.
 */
export * from "./store.ts";
export * from "./errors.ts";
export * from "./selectors.ts";
export * as keys from "./keys.ts";
