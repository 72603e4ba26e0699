/**
 * Which sandbox a run gets: the Agent's `spec.sandbox` narrowed (never widened) by the
 * AgentRun's, then `auto` resolved against what the host can do.
 */
import type {
  AppliedSandbox,
  SandboxMode,
  SandboxNetwork,
  SandboxSpec,
} from "../../../specs/sandbox.ts";
import type { SandboxDetection } from "./detect_bwrap.ts";

/** Why a run's sandbox cannot be had: `invalid` input (-32602) or `unavailable` here. */
export class SandboxPolicyError extends Error {
  constructor(readonly kind: "invalid" | "unavailable", message: string) {
    super(message);
    this.name = "SandboxPolicyError";
  }
}

/** How much a mode confines: a run may only move up. */
const STRENGTH: Record<SandboxMode, number> = { none: 0, auto: 1, bwrap: 2 };

/** A sandbox asked for: mode (maybe `auto`), network and read-only paths. */
export interface SandboxRequest {
  mode: SandboxMode;
  network: SandboxNetwork;
  paths: string[];
}

/**
 * The agent's sandbox narrowed by the run's. Throws SandboxPolicyError("invalid") when the
 * run would widen it: a weaker mode, `host` network under an agent with `none`, or a path
 * the agent does not list.
 */
export function narrowSandbox(agent: SandboxSpec = {}, run: SandboxSpec = {}): SandboxRequest {
  const base: SandboxRequest = {
    mode: agent.mode ?? "auto",
    network: agent.network ?? "host",
    paths: agent.paths ?? [],
  };
  const mode = run.mode ?? base.mode;
  if (STRENGTH[mode] < STRENGTH[base.mode]) {
    throw new SandboxPolicyError(
      "invalid",
      `spec.sandbox.mode ${mode} would widen the agent's sandbox (mode ${base.mode})`,
    );
  }
  const network = run.network ?? base.network;
  if (network === "host" && base.network === "none") {
    throw new SandboxPolicyError(
      "invalid",
      "spec.sandbox.network host would widen the agent's sandbox (network none)",
    );
  }
  const paths = run.paths ?? base.paths;
  const extra = paths.filter((p) => !base.paths.includes(p));
  if (extra.length > 0) {
    throw new SandboxPolicyError(
      "invalid",
      `spec.sandbox.paths ${extra.join(", ")} not allowed by the agent's sandbox.paths`,
    );
  }
  return { mode, network, paths };
}

/**
 * The sandbox to apply: `auto` becomes `bwrap` where the probe succeeded, else `none` with
 * its reason; `bwrap` where bwrap does not work throws SandboxPolicyError("unavailable").
 */
export function applySandbox(
  request: SandboxRequest,
  detection: SandboxDetection,
): AppliedSandbox & { paths: string[] } {
  const { network, paths } = request;
  // Unconfined means the host network too, whatever was asked: say so rather than pretend.
  if (request.mode === "none") {
    return {
      mode: "none",
      network: "host",
      paths,
      reason: "sandbox.mode none: the agent-run and its agent are unconfined",
    };
  }
  if (detection.ok) return { mode: "bwrap", network, paths };
  if (request.mode === "bwrap") {
    throw new SandboxPolicyError("unavailable", `sandbox.mode bwrap: ${detection.reason}`);
  }
  return { mode: "none", network: "host", paths, reason: detection.reason };
}
