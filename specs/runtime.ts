/**
 * The runtime bundle: `config.json` (written by agentd, read by `mass run`) and
 * `state.json` (written only by the agent-run). See specs/runtime.md.
 */
import { z } from "zod";
import type { Phase } from "./events.ts";
import { type AppliedSandbox, RuntimeSandboxSchema } from "./sandbox.ts";

export { MASS_VERSION } from "./version.ts";

/** `ask`: each request waits for a client's answer (runner RPC / ARI); the others decide alone. */
export const PermissionPolicySchema = z.enum(["approve_all", "approve_reads", "deny_all", "ask"]);
export type PermissionPolicy = z.infer<typeof PermissionPolicySchema>;

export const EnvVarSchema = z.object({ name: z.string().min(1), value: z.string() });

export const McpServerSchema = z.object({
  type: z.enum(["stdio", "http", "sse"]).default("stdio"),
  name: z.string().optional(),
  url: z.string().optional(),
  command: z.string().optional(),
  args: z.array(z.string()).default([]),
  env: z.array(EnvVarSchema).default([]),
});
export type McpServer = z.infer<typeof McpServerSchema>;

export const RuntimeConfigSchema = z.object({
  massVersion: z.string().regex(/^0\.\d+\.\d+/, "massVersion must be 0.x.y"),
  metadata: z.object({
    name: z.string().min(1),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  agentRoot: z.object({
    path: z.string().min(1).refine((p) => !p.startsWith("/"), "agentRoot.path must be relative"),
  }),
  clientProtocol: z.literal("acp"),
  process: z.object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** "K=V" entries: the agent's whole environment (no inheritance). */
    env: z.array(z.string().regex(/^[^=]+=/, "env entries are K=V")).default([]),
  }),
  session: z.object({
    _meta: z.record(z.string(), z.unknown()).optional(),
    systemPrompt: z.string().optional(),
    permissions: PermissionPolicySchema.default("approve_all"),
    mcpServers: z.array(McpServerSchema).default([]),
    /** Resume this ACP session (session/resume or session/load) when the agent can. */
    resumeSessionId: z.string().optional(),
  }).default({ permissions: "approve_all", mcpServers: [] }),
  runtime: z.object({
    /** Bound on initialize + session/new. */
    bootstrapTimeoutSeconds: z.number().positive().default(90),
    /** Bound on one turn; 0 = none. On expiry: cancel, then stop. */
    turnTimeoutSeconds: z.number().nonnegative().default(0),
    /** Serve terminal/* to the agent. */
    terminal: z.boolean().default(false),
    /** Rotate the event log at this segment size. */
    eventSegmentBytes: z.number().int().positive().default(64 * 1024 * 1024),
    /** Keep at most this many segments (0 = keep all). */
    eventMaxSegments: z.number().int().nonnegative().default(0),
    /** Under `ask`: how long a permission request waits for an answer (0 = no bound). */
    permissionTimeoutSeconds: z.number().nonnegative().default(300),
  }).default({
    bootstrapTimeoutSeconds: 90,
    turnTimeoutSeconds: 0,
    terminal: false,
    eventSegmentBytes: 64 * 1024 * 1024,
    eventMaxSegments: 0,
    permissionTimeoutSeconds: 300,
  }),
  /** The OS sandbox (§Sandbox); absent = none (unconfined). */
  sandbox: RuntimeSandboxSchema.default({
    mode: "none",
    network: "host",
    paths: [],
    readOnly: [],
    readWrite: [],
  }),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;
export type RuntimeConfigInput = z.input<typeof RuntimeConfigSchema>;

export interface SessionState {
  agentInfo?: { name: string; version: string; title?: string | null };
  capabilities?: Record<string, unknown>;
  availableCommands?: { name: string; description: string; input?: unknown }[];
  configOptions?: unknown[];
  sessionInfo?: { title?: string | null; updatedAt?: string | null };
  currentMode?: string;
  /** The modes the agent offered in its session response (ACP `modes.availableModes`). */
  availableModes?: { id: string; name: string; description?: string | null }[];
  models?: {
    availableModels: { modelId: string; name: string; description?: string }[];
    currentModelId: string;
  };
}

export interface RuntimeState {
  massVersion: string;
  id: string;
  bundle: string;
  sessionId?: string;
  phase: Exclude<Phase, "restarting" | "error">;
  /** The agent process pid. */
  pid?: number;
  /** The agent-run process pid. */
  runnerPid?: number;
  annotations?: Record<string, string>;
  exitCode?: number | null;
  exitSignal?: string | null;
  /** Why the agent-run left `idle`/`running` last (bootstrap-failed, process-exited, runtime-stop…). */
  reason?: string;
  /** What went wrong, when the agent-run stopped on an error (e.g. the bootstrap failure). */
  errorMessage?: string;
  updatedAt: string;
  session?: SessionState;
  eventCounts?: Record<string, number>;
  /** Last assigned seq; -1 when the log is empty. */
  lastSeq?: number;
  /** The event log on disk (specs/events.md, retention). */
  eventLog?: EventLogInfo;
  /**
   * The OS sandbox the agent-run runs in. Under `bwrap` the agent-run is in its own PID
   * namespace, so `runnerPid` and `pid` are absent (they would be namespace pids).
   */
  sandbox?: AppliedSandbox;
}

/** Size and replayable range of an agent-run's event log. */
export interface EventLogInfo {
  /** Bytes in the retained segment files. */
  bytes: number;
  /** Retained segment files. */
  segments: number;
  /** Oldest seq still replayable; a watch from an older seq gets -32602. */
  firstSeq: number;
  /** Last seq; -1 when the log is empty. */
  lastSeq: number;
  /** The retention bound in force (`runtime.eventMaxSegments`; 0 = keep all). */
  maxSegments: number;
}

/**
 * state.json as a schema, for its readers: the fields the agent-run owns must be there and
 * well-typed; `session` (the agent's own reports) only has to be an object; unknown fields
 * are kept, so a reader sees what the agent-run wrote.
 */
export const RuntimeStateSchema: z.ZodType<RuntimeState> = z.looseObject({
  massVersion: z.string(),
  id: z.string(),
  bundle: z.string(),
  sessionId: z.string().optional(),
  phase: z.enum(["creating", "idle", "running", "stopped"]),
  pid: z.number().optional(),
  runnerPid: z.number().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  exitCode: z.number().nullable().optional(),
  exitSignal: z.string().nullable().optional(),
  reason: z.string().optional(),
  errorMessage: z.string().optional(),
  updatedAt: z.string(),
  /** What the agent reported, passed through as it came: only checked to be an object. */
  session: z.custom<SessionState>((v) => typeof v === "object" && v !== null && !Array.isArray(v))
    .optional(),
  eventCounts: z.record(z.string(), z.number()).optional(),
  lastSeq: z.number().optional(),
  eventLog: z.looseObject({
    bytes: z.number(),
    segments: z.number(),
    firstSeq: z.number(),
    lastSeq: z.number(),
    maxSegments: z.number(),
  }).optional(),
});

/** Files inside a bundle directory. */
export const BundleFiles = {
  config: "config.json",
  state: "state.json",
  socket: "agent-run.sock",
  log: "agent-run.log",
  events: "events",
  workspaceLink: "workspace",
  /** The sandboxed agent's HOME (bound into its view). */
  home: "home",
  /** The sandboxed agent's /tmp. */
  tmp: "tmp",
  /** Directory of the run's own mesh endpoint, bound into the agent's view when present. */
  meshDir: "mesh",
  /** The run's mesh endpoint socket. */
  meshSocket: "mesh/mesh.sock",
} as const;
