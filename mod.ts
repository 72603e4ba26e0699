/**
 * mass: the public library surface — the typed ARI client, the wire contracts, and the
 * pieces an orchestrator embeds.
 *
 * @module
 */
export { AriClient } from "./ctl/client/ari_client.ts";
export type {
  AgentInput,
  AgentRunInput,
  AriCallArgs,
  AriClientOptions,
  WorkspaceInput,
} from "./ctl/client/ari_client.ts";
export { watchRun } from "./ctl/client/watch.ts";
export type { WatchOptions } from "./ctl/client/options.ts";
export { AriError, TimeoutError, WaitFailedError } from "./ctl/client/errors.ts";
export type { AriErrorKind } from "./ctl/client/errors.ts";
export { waitRunIdle, waitWorkspaceReady } from "./ctl/client/wait.ts";
export type { WaitOptions } from "./ctl/client/wait.ts";
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
