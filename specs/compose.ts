/**
 * Workspace compose files (`kind: workspace-compose`): one workspace and the agent-runs to
 * start in it. Read by `massctl compose apply|delete`; see specs/compose.md.
 */
import { z } from "zod";
import { EventLogSpecSchema, RestartPolicySchema, WorktreeSpecSchema } from "./ari.ts";
import { nameProblem } from "./names.ts";
import { McpServerSchema, PermissionPolicySchema } from "./runtime.ts";

export const COMPOSE_KIND = "workspace-compose";

const NameSchema = z.string().superRefine((name, ctx) => {
  const problem = nameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** `empty` is accepted as an alias of `emptyDir`, as the original massctl does. */
export const ComposeSourceSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("git"),
    url: z.string().min(1, "must not be empty"),
    ref: z.string().optional(),
    depth: z.number().int().nonnegative().optional(),
  }),
  z.strictObject({
    type: z.literal("local"),
    /** Relative paths are resolved against the compose file's directory. */
    path: z.string().min(1, "must not be empty"),
  }),
  z.strictObject({ type: z.literal("emptyDir") }),
  z.strictObject({ type: z.literal("empty") }),
]);
export type ComposeSource = z.infer<typeof ComposeSourceSchema>;

export const ComposeRunSchema = z.strictObject({
  name: NameSchema,
  agent: NameSchema,
  systemPrompt: z.string().optional(),
  permissions: PermissionPolicySchema.optional(),
  mcpServers: z.array(McpServerSchema).optional(),
  /** Relative paths are resolved against the compose file's directory. */
  workflowFile: z.string().min(1).optional(),
  restartPolicy: RestartPolicySchema.optional(),
  turnTimeoutSeconds: z.number().int().nonnegative().optional(),
  /** Serve ACP `terminal/*` to the agent. */
  terminal: z.boolean().optional(),
  /** Event log segment size (`segmentMiB`) and retention (`maxSegments`). */
  eventLog: EventLogSpecSchema.optional(),
  /** An own git worktree: `true`, or `{enabled, base?, branch?}` (specs/workspace.md). */
  worktree: z.union([z.boolean(), WorktreeSpecSchema]).optional(),
});
export type ComposeRun = z.infer<typeof ComposeRunSchema>;

export const ComposeFileSchema = z.strictObject({
  kind: z.literal(COMPOSE_KIND),
  metadata: z.strictObject({
    name: NameSchema,
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    source: ComposeSourceSchema,
    runs: z.array(ComposeRunSchema).default([]),
  }),
}).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.spec.runs.forEach((run, i) => {
    if (seen.has(run.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["spec", "runs", i, "name"],
        message: `duplicate run name ${JSON.stringify(run.name)}`,
      });
    }
    seen.add(run.name);
  });
});
export type ComposeFile = z.infer<typeof ComposeFileSchema>;
