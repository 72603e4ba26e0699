/**
 * The OS sandbox of an agent-run and its agent: what an Agent or AgentRun asks for
 * (`spec.sandbox`), what agentd applied (config.json `sandbox`, `status.sandbox`, the
 * `session_start` event). See specs/runtime.md §Sandbox.
 */
import { z } from "zod";

/** `auto`: bwrap where it works, else none (with the reason). `none` means unconfined. */
export const SandboxModeSchema = z.enum(["auto", "bwrap", "none"]);
export type SandboxMode = z.infer<typeof SandboxModeSchema>;

/** `host`: the host's network; `none`: an own network namespace (loopback only, nothing else). */
export const SandboxNetworkSchema = z.enum(["host", "none"]);
export type SandboxNetwork = z.infer<typeof SandboxNetworkSchema>;

/** `spec.sandbox` of an Agent (what its runs may have) or an AgentRun (narrowing that). */
export const SandboxSpecSchema = z.strictObject({
  mode: SandboxModeSchema.optional(),
  network: SandboxNetworkSchema.optional(),
  /** Extra host paths the agent may read (read-only); absolute. */
  paths: z.array(
    z.string().refine((p) => p.startsWith("/"), "sandbox.paths entries must be absolute"),
  ).optional(),
});
export type SandboxSpec = z.infer<typeof SandboxSpecSchema>;

/** The sandbox a start applied: `bwrap` or `none` (never `auto`), and why when `none`. */
export const AppliedSandboxSchema = z.object({
  mode: z.enum(["bwrap", "none"]),
  network: SandboxNetworkSchema,
  /** Why the run is not confined (mode `none`). */
  reason: z.string().optional(),
});
export type AppliedSandbox = z.infer<typeof AppliedSandboxSchema>;

/** Host paths the sandboxed agent-run needs to see (read-only), found by agentd. */
export const SandboxHostSchema = z.object({
  /** The bwrap binary. */
  bwrap: z.string(),
  /** Deno's cache directory (`deno info --json` denoDir), when there is one. */
  denoDir: z.string().optional(),
});
export type SandboxHost = z.infer<typeof SandboxHostSchema>;

/**
 * config.json `sandbox`: the applied sandbox, the agent's extra read-only paths
 * (`spec.sandbox.paths`), every host path the agent's view shows read-only (resolved by
 * agentd: its command or package, its runtime, those paths), and the host's bwrap and cache.
 */
export const RuntimeSandboxSchema = AppliedSandboxSchema.extend({
  paths: z.array(z.string()).default([]),
  readOnly: z.array(z.string()).default([]),
  /** Host paths both views show read-write beside the workspace: a worktree's git dir. */
  readWrite: z.array(z.string()).default([]),
  host: SandboxHostSchema.optional(),
});
export type RuntimeSandbox = z.infer<typeof RuntimeSandboxSchema>;

/** What status and the `session_start` event say about a run's sandbox. */
export function appliedSandbox(sandbox: RuntimeSandbox): AppliedSandbox {
  const out: AppliedSandbox = { mode: sandbox.mode, network: sandbox.network };
  if (sandbox.reason) out.reason = sandbox.reason;
  return out;
}
