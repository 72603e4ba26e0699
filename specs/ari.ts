/**
 * ARI: the agentd control API (JSON-RPC 2.0 on `<root>/mass.sock`). Object shapes and
 * methods are wire-compatible with the original MASS; see specs/ari.md.
 */
import { z } from "zod";
import { ContentBlockSchema } from "./events.ts";
import type { ContentBlock, PendingPermission, Phase } from "./events.ts";
import { McpServerSchema, PermissionPolicySchema } from "./runtime.ts";
import type { RuntimeState } from "./runtime.ts";
import { type AppliedSandbox, SandboxSpecSchema } from "./sandbox.ts";

export const ObjectMetaSchema = z.object({
  name: z.string(),
  workspace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

// ---------- Agent ----------
/**
 * One variable an agent (or a workspace hook) gets: a literal `value`, or a variable of
 * agentd's environment passed by name: `valueFrom: {env: NAME}`, or `fromHost: true` for the
 * variable of the same name. A host variable that is unset is left out.
 */
export const EnvVarSpecSchema = z.object({
  name: z.string().min(1).regex(/^[^=\0]+$/, "env name must not contain '=' or NUL"),
  value: z.string().optional(),
  valueFrom: z.object({ env: z.string().min(1) }).optional(),
  fromHost: z.literal(true).optional(),
}).refine(
  (v) =>
    [v.value !== undefined, v.valueFrom !== undefined, v.fromHost === true]
      .filter(Boolean).length === 1,
  { message: "env entry needs exactly one of value, valueFrom or fromHost" },
);
export type EnvVarSpec = z.infer<typeof EnvVarSpecSchema>;

export const AgentSpecSchema = z.object({
  disabled: z.boolean().optional(),
  clientProtocol: z.literal("acp").optional(),
  command: z.string().min(1, "spec.command is required"),
  args: z.array(z.string()).optional(),
  env: z.array(EnvVarSpecSchema).optional(),
  startupTimeoutSeconds: z.number().int().positive().optional(),
  /** OS sandbox the agent's runs get (specs/runtime.md §Sandbox); default mode `auto`. */
  sandbox: SandboxSpecSchema.optional(),
});
export type AgentSpec = z.infer<typeof AgentSpecSchema>;
export const AgentSchema = z.object({
  kind: z.literal("Agent").optional(),
  metadata: ObjectMetaSchema,
  spec: AgentSpecSchema,
});
export interface Agent {
  kind: "Agent";
  metadata: ObjectMeta;
  spec: AgentSpec;
}

// ---------- Workspace ----------
export const HookSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  description: z.string().optional(),
  /** Variables the hook gets on top of PATH, HOME, LANG and MASS_WORKSPACE. */
  env: z.array(EnvVarSpecSchema).optional(),
});
export const WorkspaceSourceSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("git"),
    url: z.string().min(1, "source.url is required"),
    ref: z.string().optional(),
    depth: z.number().int().nonnegative().optional(),
  }),
  z.object({
    type: z.literal("local"),
    path: z.string().min(1, "source.path is required"),
    /** Accept `/`, an ancestor of agentd's root, or `$HOME` itself (refused otherwise). */
    allowBroadPath: z.boolean().optional(),
  }),
  z.object({ type: z.literal("emptyDir") }),
]);
export type WorkspaceSource = z.infer<typeof WorkspaceSourceSchema>;
export const WorkspaceSpecSchema = z.object({
  source: WorkspaceSourceSchema,
  hooks: z.object({
    setup: z.array(HookSchema).optional(),
    teardown: z.array(HookSchema).optional(),
  }).optional(),
  prepareTimeoutSeconds: z.number().int().positive().optional(),
  features: z.record(z.string(), z.boolean()).optional(),
});
export type WorkspaceSpec = z.infer<typeof WorkspaceSpecSchema>;
/** `deleting`: teardown in progress; no new AgentRuns (added beyond the original). */
export type WorkspacePhase = "pending" | "ready" | "error" | "deleting";
export interface WorkspaceStatus {
  phase: WorkspacePhase;
  path?: string;
  errorMessage?: string;
  /** Output of the failed hook, truncated. */
  hookOutput?: string;
  /** AgentRuns that use this workspace. */
  refCount?: number;
}
export const WorkspaceSchema = z.object({
  kind: z.literal("Workspace").optional(),
  metadata: ObjectMetaSchema,
  spec: WorkspaceSpecSchema,
});
export interface Workspace {
  kind: "Workspace";
  metadata: ObjectMeta;
  spec: WorkspaceSpec;
  status: WorkspaceStatus;
}

// ---------- AgentRun ----------
export const RestartPolicySchema = z.enum(["never", "on-failure", "always"]);
export type RestartPolicy = z.infer<typeof RestartPolicySchema>;
/**
 * Event log segments of a run: rotate at `segmentMiB` (default 64) and keep the newest
 * `maxSegments` (0 = keep all; absent = the daemon's default). See specs/agentrun.md.
 */
export const EventLogSpecSchema = z.strictObject({
  segmentMiB: z.number().int().min(1, "segmentMiB must be >= 1").max(
    1024,
    "segmentMiB must be <= 1024",
  ).optional(),
  maxSegments: z.number().int().nonnegative().optional(),
});
export type EventLogSpec = z.infer<typeof EventLogSpecSchema>;
/** Conservative git ref syntax (no leading '-', no '..', '//', whitespace or git specials). */
const GIT_REF_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[A-Za-z0-9._/+@-]+$/;
const GitRefSchema = z.string().regex(GIT_REF_RE, "not a valid git ref name");
/**
 * `spec.worktree`: the run works in its own git worktree (git workspaces, or local ones that
 * are git repositories), on `branch` (default `mass/<workspace>/<run>`) created from `base`
 * (default the workspace's HEAD). See specs/workspace.md.
 */
export const WorktreeSpecSchema = z.strictObject({
  enabled: z.boolean(),
  base: GitRefSchema.optional(),
  branch: GitRefSchema.optional(),
});
export type WorktreeSpec = z.infer<typeof WorktreeSpecSchema>;
export const AgentRunSpecSchema = z.object({
  agent: z.string().min(1, "spec.agent is required"),
  systemPrompt: z.string().optional(),
  permissions: PermissionPolicySchema.optional(),
  mcpServers: z.array(McpServerSchema).optional(),
  workflowFile: z.string().optional(),
  restartPolicy: RestartPolicySchema.optional(),
  /** Bound on one turn in seconds (0/absent = none). */
  turnTimeoutSeconds: z.number().int().nonnegative().optional(),
  /** Under `ask`: seconds a permission request waits for an answer (default 300; 0 = none). */
  permissionTimeoutSeconds: z.number().int().nonnegative().optional(),
  /** Serve ACP `terminal/*` to the agent (config `runtime.terminal`); default false. */
  terminal: z.boolean().optional(),
  /** Event log segment size and retention. */
  eventLog: EventLogSpecSchema.optional(),
  /** A git worktree of its own (specs/workspace.md "Worktrees"). */
  worktree: WorktreeSpecSchema.optional(),
  /** Narrows the agent's `spec.sandbox` (never widens it). */
  sandbox: SandboxSpecSchema.optional(),
});
export type AgentRunSpec = z.infer<typeof AgentRunSpecSchema>;
export interface LastExit {
  exitCode: number | null;
  signal: string | null;
  reason: string;
  time: string;
}
/** `status.worktree`: where a worktree run works; `dirty`/`ahead` are read live on get/list. */
export interface WorktreeStatus {
  /** Absolute path of the worktree (the agent's cwd). */
  path: string;
  branch: string;
  /** The commit the branch was created from (diff and `ahead` count against it). */
  base: string;
  /** The ref `base` was resolved from (spec.worktree.base, else the workspace's HEAD). */
  baseRef?: string;
  /** Uncommitted changes (tracked or untracked). */
  dirty?: boolean;
  /** Commits on the branch that are not in `base`. */
  ahead?: number;
}
export interface AgentRunStatus {
  phase: Phase;
  errorMessage?: string;
  /** agent-run pid. */
  pid?: number;
  bundle?: string;
  socketPath?: string;
  exitCode?: number | null;
  sessionId?: string;
  eventPath?: string;
  restartCount?: number;
  lastExit?: LastExit;
  /** Last event seq agentd has consumed. */
  lastSeq?: number;
  /**
   * Permission requests waiting for a client (policy `ask`): the run needs attention when
   * > 0. Present while an agent-run is live.
   */
  pendingPermissions?: number;
  /** Bytes of the retained event log (refreshed at attach, when the run goes idle, at exit). */
  eventLogBytes?: number;
  /** Oldest seq still replayable: a watch from an older seq gets -32602. */
  firstSeq?: number;
  /**
   * The event log could not be read past `seq` (a damaged line in the middle): agentd skipped
   * to the log's end; the events from `seq` up to there were not applied.
   */
  eventLogError?: { message: string; seq?: number };
  /** The run's own git worktree (spec.worktree.enabled). */
  worktree?: WorktreeStatus;
  /** The OS sandbox applied at the last start (specs/runtime.md §Sandbox). */
  sandbox?: AppliedSandbox;
}
export const AgentRunSchema = z.object({
  kind: z.literal("AgentRun").optional(),
  metadata: ObjectMetaSchema.extend({
    workspace: z.string().min(1, "metadata.workspace is required"),
  }),
  spec: AgentRunSpecSchema,
});
export interface AgentRun {
  kind: "AgentRun";
  metadata: ObjectMeta & { workspace: string };
  spec: AgentRunSpec;
  status: AgentRunStatus;
}

// ---------- Common params ----------
export const ListOptionsSchema = z.object({
  fieldSelector: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
}).optional().nullable();
export type ListOptions = {
  fieldSelector?: Record<string, string>;
  labels?: Record<string, string>;
};
export interface ListResult<T> {
  kind?: string;
  items: T[];
}
export const NameParamsSchema = z.object({ name: z.string() });
export const RunKeySchema = z.object({ workspace: z.string(), name: z.string() });
export type RunKey = z.infer<typeof RunKeySchema>;

/**
 * agentrun/delete: `deleteBranch` also deletes the worktree's branch (kept by default);
 * `force` removes a worktree with uncommitted changes (refused with -32001 otherwise).
 */
export const DeleteRunParamsSchema = RunKeySchema.extend({
  deleteBranch: z.boolean().optional(),
  force: z.boolean().optional(),
});
export type AriDeleteRunParams = z.infer<typeof DeleteRunParamsSchema>;

/** agentrun/diff: the run's changes against its base; `stat` for a summary instead. */
export const DiffParamsSchema = RunKeySchema.extend({ stat: z.boolean().optional() });
export type AriDiffParams = z.infer<typeof DiffParamsSchema>;
export interface AgentRunDiff {
  /** The base commit and the branch compared. */
  base: string;
  branch: string;
  /** Unified diff (or `git diff --stat` output with `stat`); "" when there is no change. */
  diff: string;
  /** Paths changed (committed, uncommitted and untracked). */
  files: string[];
}

/**
 * agentrun/merge: brings the run's branch into `into` (default the branch checked out in the
 * workspace); `squash` makes one commit. Uncommitted work in the run's worktree is committed
 * on its branch first (the run must not be mid-turn).
 */
export const MergeParamsSchema = RunKeySchema.extend({
  squash: z.boolean().optional(),
  into: GitRefSchema.optional(),
});
export type AriMergeParams = z.infer<typeof MergeParamsSchema>;
export interface AgentRunMerge {
  merged: boolean;
  /** The branch merged into, and the run's branch. */
  into: string;
  branch: string;
  /** The target's new HEAD (merged) or unchanged HEAD (conflict). */
  head: string;
  /** Files in conflict (merged false); the merge was aborted and the target left clean. */
  conflicts?: string[];
  /** Set when the run's uncommitted work was committed on its branch before merging. */
  committed?: string;
  /** True when the branch had nothing the target lacked. */
  upToDate?: boolean;
}

export const PromptParamsSchema = RunKeySchema.extend({
  prompt: z.array(ContentBlockSchema).min(1, "prompt must not be empty"),
});
export type AriPromptParams = RunKey & { prompt: ContentBlock[] };
export interface PromptAccepted {
  accepted: true;
  /** Seq the turn's events start after: watch from here to see only this turn. */
  fromSeq?: number;
}

export const SendParamsSchema = z.object({
  workspace: z.string(),
  from: z.string().min(1, "from is required"),
  to: z.string().min(1, "to is required"),
  message: z.array(ContentBlockSchema).min(1, "message must not be empty"),
  needsReply: z.boolean().optional(),
});
export type SendParams = z.infer<typeof SendParamsSchema>;
export interface SendResult {
  delivered: boolean;
  /** True when the target was busy and the message waits in its inbox. */
  queued?: boolean;
}

export const WatchParamsSchema = RunKeySchema.extend({
  watchId: z.string().min(1, "watchId is required"),
  fromSeq: z.number().int().min(0, "fromSeq must be >= 0").optional(),
});
export type WatchParams = z.infer<typeof WatchParamsSchema>;

/** agentrun/set_model: forwarded to the live agent-run as `session/set_model`. */
export const SetModelParamsSchema = RunKeySchema.extend({
  modelId: z.string().min(1, "modelId is required"),
});
export type AriSetModelParams = z.infer<typeof SetModelParamsSchema>;

/** agentrun/set_mode: forwarded to the live agent-run as `session/set_mode`. */
export const SetModeParamsSchema = RunKeySchema.extend({
  modeId: z.string().min(1, "modeId is required"),
});
export type AriSetModeParams = z.infer<typeof SetModeParamsSchema>;

/**
 * agentrun/set_config_option: forwarded to the live agent-run as `session/set_config_option`;
 * the result is the agent's (`{configOptions}` in ACP).
 */
export const SetConfigOptionParamsSchema = RunKeySchema.extend({
  configId: z.string().min(1, "configId is required"),
  value: z.union([z.string(), z.boolean()]),
});
export type AriSetConfigOptionParams = z.infer<typeof SetConfigOptionParamsSchema>;

/** agentrun/permissions: the live agent-run's pending permission requests, oldest first. */
export interface AgentRunPermissions {
  items: PendingPermission[];
}

/**
 * agentrun/respond_permission: answers one pending request with one of its options, or
 * `cancel: true` (outcome "cancelled"). Forwarded as `session/respond_permission`.
 */
export const RespondPermissionParamsSchema = RunKeySchema.extend({
  requestId: z.string().min(1, "requestId is required"),
  optionId: z.string().min(1, "optionId must not be empty").optional(),
  cancel: z.boolean().optional(),
}).refine(
  (p) => (p.optionId !== undefined) !== (p.cancel === true),
  "give exactly one of optionId or cancel: true",
);
export type AriRespondPermissionParams = z.infer<typeof RespondPermissionParamsSchema>;

/**
 * agentrun/status: the agent-run's `runtime/status` (state.json with live counts), or the
 * state.json left on disk when no agent-run is live.
 */
export interface AgentRunRuntimeStatus {
  state: RuntimeState;
  recovery: { lastSeq: number };
}

export interface SystemInfo {
  version: string;
  gitCommit: string;
  buildTime?: string;
  goVersion: string;
  denoVersion: string;
  root: string;
  socketPath: string;
  pid: number;
  recovery: { phase: "idle" | "recovering" | "complete"; startedAt?: string; finishedAt?: string };
}
