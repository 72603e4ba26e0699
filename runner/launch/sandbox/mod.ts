/**
 * The OS sandbox of agent-runs (bubblewrap): the per-daemon probe, the policy (narrowing,
 * `auto`), config.json's `sandbox` section and the bwrap views. See specs/runtime.md §Sandbox.
 *
 * @example
 * ```ts
 * import { applySandbox, narrowSandbox, SandboxProbe } from "./mod.ts";
 * const probe = new SandboxProbe();
 * const applied = applySandbox(narrowSandbox({ network: "none" }), await probe.detect());
 * console.log(applied.mode, applied.reason ?? "");
 * ```
 *
 * @module
 */
export * from "./agent_run_view.ts";
export * from "./bwrap_args.ts";
export * from "./detect_bwrap.ts";
export * from "./resolve_sandbox.ts";
export * from "./runtime_sandbox.ts";
export * from "./bwrap_exit.ts";
