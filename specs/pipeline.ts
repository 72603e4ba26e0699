/**
 * Pipeline files: stages of work handed to agent-runs, with routes between them. mass only
 * validates them (`massctl ext pipeline validate`); running one is left to whoever drives
 * massctl (a person, a script, or an agent). See specs/pipeline.md.
 */
import { z } from "zod";
import { McpServerSchema, PermissionPolicySchema } from "./runtime.ts";

/** Route targets that end the pipeline instead of naming a stage. */
export const PIPELINE_RESERVED_TARGETS = ["__done__", "__escalate__"] as const;

const Files = z.array(z.string()).optional();

export const PipelineRouteSchema = z.strictObject({
  /** Matched against the task's reason: success, failed, needs_human, …. */
  when: z.string().min(1, "must not be empty"),
  goto: z.string().min(1, "must not be empty"),
});

export const PipelineTaskSchema = z.strictObject({
  agentRun: z.string().min(1, "must not be empty"),
  description: z.string().min(1, "must not be empty"),
  input_files: Files,
  input_from: Files,
});

export const PipelineStageSchema = z.strictObject({
  name: z.string().min(1, "must not be empty"),
  type: z.enum(["serial", "parallel"]).default("serial"),
  agentRun: z.string().optional(),
  description: z.string().optional(),
  input_files: Files,
  input_from: Files,
  max_retries: z.number().int().nonnegative().default(3),
  routes: z.array(PipelineRouteSchema).min(1, "needs at least one route"),
  tasks: z.array(PipelineTaskSchema).optional(),
  wait: z.enum(["all", "any"]).optional(),
});

export const PipelineAgentRunSchema = z.strictObject({
  agent: z.string().min(1, "must not be empty"),
  systemPrompt: z.string().optional(),
  permissions: PermissionPolicySchema.optional(),
  mcpServers: z.array(McpServerSchema).optional(),
  workflowFile: z.string().optional(),
  fallback: z.array(z.strictObject({ agent: z.string().min(1) })).optional(),
});

export const PipelineSourceSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local"), path: z.string().min(1, "must not be empty") }),
  z.strictObject({
    type: z.literal("git"),
    url: z.string().min(1, "must not be empty"),
    ref: z.string().optional(),
  }),
  z.strictObject({ type: z.literal("empty") }),
]);

export const PipelineSchema = z.strictObject({
  name: z.string().min(1, "must not be empty"),
  description: z.string().optional(),
  workspace: z.strictObject({ source: PipelineSourceSchema }).optional(),
  agentRuns: z.record(z.string(), PipelineAgentRunSchema),
  stages: z.array(PipelineStageSchema).min(1, "needs at least one stage"),
  output: z.strictObject({ summary: z.string().optional() }).optional(),
  cleanup: z.strictObject({ preserve_workspace: z.boolean().optional() }).optional(),
});
export type Pipeline = z.infer<typeof PipelineSchema>;
export type PipelineStage = z.infer<typeof PipelineStageSchema>;
