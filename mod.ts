/**
 * mass: the public library surface — the typed ARI client (ctl/client/) and the wire
 * contracts (specs/). Nothing of massctl's CLI is exported.
 *
 * - `AriClient`: one connection to agentd; `call(method, params)` is typed by the ARI
 *   table (`ARI_METHODS`, specs/ari_methods.ts), the named methods are conveniences.
 * - `watchRun` / `AriClient#watch`: a run's events, resumed by seq across disconnects.
 * - `waitWorkspaceReady`, `waitRunIdle`, `waitRunTerminal`: bounded polling waits
 *   (`TimeoutError`, `WaitFailedError`).
 * - `AriError` (`code`, `kind`), `isNotFound`, and the kinds and codes of specs/errors.ts.
 *
 * @example
 * ```ts
 * import { AriClient, waitRunIdle, waitWorkspaceReady } from "./mod.ts";
 *
 * const ari = await AriClient.connect(`${Deno.env.get("HOME")}/.mass/mass.sock`);
 * await ari.call("workspace/create", {
 *   metadata: { name: "scratch" },
 *   spec: { source: { type: "emptyDir" } },
 * });
 * await waitWorkspaceReady(ari, "scratch");
 * await ari.agentrunCreate({ metadata: { workspace: "scratch", name: "a1" }, spec: { agent: "demo" } });
 * await waitRunIdle(ari, { workspace: "scratch", name: "a1" });
 * const { fromSeq } = await ari.agentrunPrompt({
 *   workspace: "scratch",
 *   name: "a1",
 *   prompt: [{ type: "text", text: "hello" }],
 * });
 * for await (const ev of ari.watch({ workspace: "scratch", name: "a1", fromSeq })) {
 *   if (ev.type === "turn_end") break;
 * }
 * ari.close();
 * ```
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
export { AriError, isNotFound, TimeoutError, WaitFailedError } from "./ctl/client/errors.ts";
export type { AriErrorKind } from "./ctl/client/errors.ts";
export {
  isTerminalPhase,
  waitRunIdle,
  waitRunTerminal,
  waitWorkspaceReady,
} from "./ctl/client/wait.ts";
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
