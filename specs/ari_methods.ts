/**
 * The ONE declaration of the ARI surface: every method with its params schema, its result
 * type and whether it mutates state (refused with -32001 while agentd recovers), plus the
 * server → client notifications. agentd's dispatch and recovery gate and the typed client
 * (ctl/client/) are derived from this table; see specs/ari.md.
 */
import { z } from "zod";
import {
  AgentRunSchema,
  AgentSchema,
  DeleteRunParamsSchema,
  DiffParamsSchema,
  ListOptionsSchema,
  MergeParamsSchema,
  NameParamsSchema,
  PromptParamsSchema,
  RespondPermissionParamsSchema,
  RunKeySchema,
  SendParamsSchema,
  SetConfigOptionParamsSchema,
  SetModelParamsSchema,
  SetModeParamsSchema,
  WatchParamsSchema,
  WorkspaceSchema,
} from "./ari.ts";
import type {
  Agent,
  AgentRun,
  AgentRunDiff,
  AgentRunMerge,
  AgentRunPermissions,
  AgentRunRuntimeStatus,
  ListResult,
  PromptAccepted,
  SendResult,
  SystemInfo,
  Workspace,
} from "./ari.ts";
import type { PermissionAnswer } from "./events.ts";
import { type AgentTask, TaskDoParamsSchema, TaskKeyParamsSchema } from "./tasks.ts";

/** A result type carried at the type level only (results are interfaces, not schemas). */
export interface Returns<T> {
  readonly _result?: T;
}
function returns<T>(): Returns<T> {
  return {};
}

/** One ARI method: what it takes, what it gives back, whether recovery gates it. */
export interface AriMethodSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  params: P;
  result: Returns<R>;
  /** Changes state: refused with -32001 while agentd is recovering its runs. */
  mutating: boolean;
}

function method<P extends z.ZodType, R>(
  params: P,
  result: Returns<R>,
  mutating: boolean,
): AriMethodSpec<P, R> {
  return { params, result, mutating };
}

/** `agentrun/unwatch` params: the watchId given to `agentrun/watch`. */
export const UnwatchParamsSchema = z.object({ watchId: z.string().min(1, "watchId is required") });
/** Methods without params accept anything (the original ignores them). */
const NoParamsSchema = z.unknown();

/** Every ARI method, keyed by its wire name. */
export const ARI_METHODS = {
  "system/info": method(NoParamsSchema, returns<SystemInfo>(), false),

  "workspace/create": method(WorkspaceSchema, returns<Workspace>(), true),
  "workspace/get": method(NameParamsSchema, returns<Workspace>(), false),
  "workspace/list": method(ListOptionsSchema, returns<ListResult<Workspace>>(), false),
  "workspace/delete": method(NameParamsSchema, returns<null>(), true),
  "workspace/send": method(SendParamsSchema, returns<SendResult>(), true),

  "agent/create": method(AgentSchema, returns<Agent>(), true),
  "agent/update": method(AgentSchema, returns<Agent>(), true),
  "agent/get": method(NameParamsSchema, returns<Agent>(), false),
  "agent/list": method(ListOptionsSchema, returns<ListResult<Agent>>(), false),
  "agent/delete": method(NameParamsSchema, returns<null>(), true),

  "agentrun/create": method(AgentRunSchema, returns<AgentRun>(), true),
  "agentrun/get": method(RunKeySchema, returns<AgentRun>(), false),
  "agentrun/list": method(ListOptionsSchema, returns<ListResult<AgentRun>>(), false),
  "agentrun/delete": method(DeleteRunParamsSchema, returns<null>(), true),
  "agentrun/prompt": method(PromptParamsSchema, returns<PromptAccepted>(), true),
  "agentrun/cancel": method(RunKeySchema, returns<null>(), true),
  "agentrun/stop": method(RunKeySchema, returns<null>(), true),
  "agentrun/restart": method(RunKeySchema, returns<AgentRun>(), true),
  "agentrun/watch": method(WatchParamsSchema, returns<{ watchId: string }>(), false),
  "agentrun/unwatch": method(UnwatchParamsSchema, returns<null>(), false),
  // They change the live ACP session, so they wait for recovery like prompt does.
  "agentrun/set_model": method(SetModelParamsSchema, returns<null>(), true),
  "agentrun/set_mode": method(SetModeParamsSchema, returns<null>(), true),
  "agentrun/set_config_option": method(
    SetConfigOptionParamsSchema,
    returns<{ configOptions?: unknown[] }>(),
    true,
  ),
  "agentrun/status": method(RunKeySchema, returns<AgentRunRuntimeStatus>(), false),
  /** Permission requests under policy `ask` (specs/ari.md). */
  "agentrun/permissions": method(RunKeySchema, returns<AgentRunPermissions>(), false),
  // An answer changes what the agent does next.
  "agentrun/respond_permission": method(
    RespondPermissionParamsSchema,
    returns<PermissionAnswer>(),
    true,
  ),
  // Agent tasks (specs/tasks.md): do and retry prompt the agent, like agentrun/prompt.
  "agentrun/task/do": method(TaskDoParamsSchema, returns<AgentTask>(), true),
  "agentrun/task/get": method(TaskKeyParamsSchema, returns<AgentTask>(), false),
  "agentrun/task/list": method(RunKeySchema, returns<ListResult<AgentTask>>(), false),
  "agentrun/task/retry": method(TaskKeyParamsSchema, returns<AgentTask>(), true),
  // Worktree runs (specs/workspace.md "Worktrees"): merge changes the workspace's checkout.
  "agentrun/diff": method(DiffParamsSchema, returns<AgentRunDiff>(), false),
  "agentrun/merge": method(MergeParamsSchema, returns<AgentRunMerge>(), true),
} as const satisfies Record<string, AriMethodSpec>;

/** Server → client notifications. */
export const ARI_NOTIFICATIONS = {
  /** Events of an `agentrun/watch` (envelope + watchId + workspace). */
  agentrunEvent: "agentrun/event",
  /**
   * The last notification of an `agentrun/watch` that cannot go on (its events cannot be
   * read): `{watchId, workspace, name, code, message, seq?}`. Resuming would fail the same way.
   */
  agentrunWatchError: "agentrun/watch_error",
} as const;

export type AriMethodTable = typeof ARI_METHODS;
/** Wire name of an ARI method. */
export type AriMethodName = keyof AriMethodTable;
/** What a client sends for `M` (the params schema's input). */
export type AriParams<M extends AriMethodName> = z.input<AriMethodTable[M]["params"]>;
/** What `M` answers. */
export type AriResult<M extends AriMethodName> = AriMethodTable[M]["result"] extends
  Returns<infer R> ? R : never;

/** Wire name of an ARI notification. */
export type AriNotificationName = (typeof ARI_NOTIFICATIONS)[keyof typeof ARI_NOTIFICATIONS];

/** Every method name, in table order. */
export const ARI_METHOD_NAMES = Object.keys(ARI_METHODS) as AriMethodName[];

/** True for a table method (an unknown name is never gated: it answers -32601). */
export function isAriMethod(name: string): name is AriMethodName {
  return Object.hasOwn(ARI_METHODS, name);
}

/** True when `name` changes state and so waits for recovery (-32001 until it ends). */
export function isMutating(name: string): boolean {
  return isAriMethod(name) && ARI_METHODS[name].mutating;
}

/**
 * Short names for the wire names (the client's method names): each must be a table method
 * or a notification, so a typo or a removed method is a type error.
 */
export const AriMethods = {
  systemInfo: "system/info",
  workspaceCreate: "workspace/create",
  workspaceGet: "workspace/get",
  workspaceList: "workspace/list",
  workspaceDelete: "workspace/delete",
  workspaceSend: "workspace/send",
  agentCreate: "agent/create",
  agentUpdate: "agent/update",
  agentGet: "agent/get",
  agentList: "agent/list",
  agentDelete: "agent/delete",
  agentrunCreate: "agentrun/create",
  agentrunGet: "agentrun/get",
  agentrunList: "agentrun/list",
  agentrunDelete: "agentrun/delete",
  agentrunPrompt: "agentrun/prompt",
  agentrunCancel: "agentrun/cancel",
  agentrunStop: "agentrun/stop",
  agentrunRestart: "agentrun/restart",
  agentrunWatch: "agentrun/watch",
  agentrunUnwatch: "agentrun/unwatch",
  agentrunSetModel: "agentrun/set_model",
  agentrunSetMode: "agentrun/set_mode",
  agentrunSetConfigOption: "agentrun/set_config_option",
  agentrunStatus: "agentrun/status",
  /** Permission requests under policy `ask` (specs/ari.md). */
  agentrunPermissions: "agentrun/permissions",
  agentrunRespondPermission: "agentrun/respond_permission",
  /** Agent tasks (specs/tasks.md). */
  agentrunTaskDo: "agentrun/task/do",
  agentrunTaskGet: "agentrun/task/get",
  agentrunTaskList: "agentrun/task/list",
  agentrunTaskRetry: "agentrun/task/retry",
  /** Worktree runs (specs/workspace.md). */
  agentrunDiff: "agentrun/diff",
  agentrunMerge: "agentrun/merge",
  /** Server → client notification for agentrun/watch (envelope + watchId + workspace). */
  agentrunEvent: "agentrun/event",
  /** Server → client notification: the watch ended on an error (see ARI_NOTIFICATIONS). */
  agentrunWatchError: "agentrun/watch_error",
} as const satisfies Record<string, AriMethodName | AriNotificationName>;
