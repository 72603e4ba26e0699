/**
 * mass: the public library surface — the typed ARI client, the wire contracts, and the
 * pieces an orchestrator embeds.
 *
 * @module
 */
export { AriClient, watchRun } from "./ctl/ari_client.ts";
export type {
  AgentInput,
  AgentRunInput,
  AriClientOptions,
  WatchOptions,
  WorkspaceInput,
} from "./ctl/ari_client.ts";
export { waitRunIdle, waitWorkspaceReady } from "./ctl/wait.ts";
export type { WaitOptions } from "./ctl/wait.ts";
export * from "./specs/ari.ts";
export * from "./specs/ari_methods.ts";
export * from "./specs/events.ts";
export * from "./specs/runtime.ts";
export * from "./specs/tasks.ts";
export { RunnerMethods } from "./specs/runner_rpc.ts";
export type {
  PromptResult,
  StatusResult,
  WatchEventParams,
  WatchEventResult,
} from "./specs/runner_rpc.ts";
export * from "./specs/errors.ts";
export * from "./specs/names.ts";
