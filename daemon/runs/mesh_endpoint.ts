/**
 * The run's mesh endpoint follows its config: open while the config.json the agent-run reads
 * points the workspace-mesh server at `<bundle>/mesh/mesh.sock`, closed otherwise (mesh
 * feature off, or the run's own `spec.mcpServers` replaced the entry).
 */
import type { RunKey } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import type { RuntimeConfig } from "../../specs/runtime.ts";
import { type BundlePaths, readConfig } from "./bundle.ts";
import { type RunContext, runId } from "./run_context.ts";

/** Opens or closes `key`'s endpoint to match `config` (read from the bundle when absent). */
export async function syncMeshEndpoint(
  cx: RunContext,
  key: RunKey,
  paths: BundlePaths,
  config?: RuntimeConfig,
): Promise<void> {
  const endpoints = cx.opts.meshEndpoints;
  if (!endpoints) return;
  const cfg = config ?? await readConfig(paths);
  const wanted = cfg?.session.mcpServers.some((s) => s.args.includes(paths.meshSocket)) ?? false;
  try {
    if (wanted) await endpoints.open(key, paths.meshSocket);
    else await endpoints.close(key);
  } catch (err) {
    // The run works without it; its mesh tools then say they cannot reach the endpoint.
    cx.log.warn("mesh endpoint not served", { run: runId(key), error: errorMessage(err) });
  }
}
