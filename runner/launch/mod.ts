/**
 * How to start an agent-run: the `mass run` command with its narrowed Deno permission flags,
 * where `mass` itself runs from, and the process-group signalling both sides use.
 *
 * This folder is the only part of runner/ that daemon/ may import.
 *
 * @example
 * ```ts
 * import { agentRunCommand } from "./mod.ts";
 * const { cmd, args } = agentRunCommand("/path/to/bundle");
 * new Deno.Command(cmd, { args, detached: true }).spawn();
 * ```
 *
 * @module
 */
export * from "./agent_run_command.ts";
export * from "./mass_location.ts";
export * from "./permissions_flags.ts";
export * from "./process_group.ts";
export * from "./pick_env.ts";
export * from "./spawn_agent_run.ts";
export * from "./sandbox/mod.ts";
