/**
 * Runner RPC: JSON-RPC 2.0 on `<bundle>/agent-run.sock`, between agentd (or any client)
 * and one agent-run. See specs/runner-rpc.md.
 */
import { z } from "zod";
import { ContentBlockSchema } from "./events.ts";
import type { ContentBlock, PendingPermission } from "./events.ts";
import type { RuntimeState } from "./runtime.ts";

export const RunnerMethods = {
  status: "runtime/status",
  watchEvent: "runtime/watch_event",
  stop: "runtime/stop",
  prompt: "session/prompt",
  cancel: "session/cancel",
  setMode: "session/set_mode",
  setConfigOption: "session/set_config_option",
  setModel: "session/set_model",
  /** Pending permission requests (policy `ask`). */
  permissions: "session/permissions",
  /** Answers one pending permission request. */
  respondPermission: "session/respond_permission",
  /** Server → client notification carrying one event plus its watchId. */
  eventUpdate: "runtime/event_update",
  /**
   * Server → client notification: the watch ended because its events cannot be read (a
   * corrupt log); the last notification of that watch, sent just before its connection closes.
   */
  watchError: "runtime/watch_error",
} as const;

/** Params of `runtime/watch_error`. `seq` is where reading stopped, when known. */
export interface WatchErrorParams {
  watchId: string;
  code: number;
  message: string;
  seq?: number;
}

export const PromptParamsSchema = z.object({
  prompt: z.array(ContentBlockSchema).min(1, "missing prompt"),
  /** Marks the system-prompt turn (events carry origin "system"). */
  origin: z.enum(["user", "system"]).optional(),
});
export type PromptParams = { prompt: ContentBlock[]; origin?: "user" | "system" };
export interface PromptResult {
  stopReason: string;
  turnId: string;
}

export const WatchEventParamsSchema = z.object({
  watchId: z.string({ error: "watchId is required" }).min(1, "watchId is required"),
  fromSeq: z.number().int().min(0, "fromSeq must be >= 0").optional(),
});
export type WatchEventParams = z.infer<typeof WatchEventParamsSchema>;
export interface WatchEventResult {
  watchId: string;
  /** Diagnostic: the first live seq; resume from the last received seq + 1. */
  nextSeq: number;
}

export interface StatusResult {
  state: RuntimeState;
  recovery: { lastSeq: number };
}

export const SetModeParamsSchema = z.object({ modeId: z.string().min(1, "missing modeId") });
export const SetConfigOptionParamsSchema = z.object({
  configId: z.string().min(1, "missing configId"),
  value: z.union([z.string(), z.boolean()]),
});
export const SetModelParamsSchema = z.object({ modelId: z.string().min(1, "missing modelId") });

export interface PermissionsResult {
  /** Oldest first. */
  items: PendingPermission[];
}

/** Exactly one of `optionId` (one of the request's options) or `outcome: "cancelled"`. */
export const RespondPermissionParamsSchema = z.object({
  requestId: z.string({ error: "requestId is required" }).min(1, "requestId is required"),
  optionId: z.string().min(1, "optionId must not be empty").optional(),
  outcome: z.literal("cancelled").optional(),
}).refine(
  (p) => (p.optionId === undefined) !== (p.outcome === undefined),
  'give exactly one of optionId or outcome: "cancelled"',
);
export type RespondPermissionParams = z.infer<typeof RespondPermissionParamsSchema>;
