/**
 * state.json: written only by the agent-run, always whole and atomically (temp file in the
 * same directory, fsync, rename), so a reader never sees a torn file; read by the agent-run
 * on a restart and by agentd for runs without a live agent-run. Format: specs/runtime.md;
 * schema: RuntimeStateSchema.
 *
 * @module
 */
import { writeFileAtomic, writeFileAtomicSync } from "../lib/atomic_file.ts";
import { type RuntimeState, RuntimeStateSchema } from "../runtime.ts";

/**
 * Reads state.json; undefined when it is missing, unreadable or not a valid state.
 *
 * @example
 * ```ts
 * import { readStateFile } from "./state.ts";
 * const state = await readStateFile("/tmp/run/state.json");
 * console.log(state?.phase ?? "never started");
 * ```
 */
export async function readStateFile(path: string): Promise<RuntimeState | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
  const parsed = RuntimeStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Writes `state` as state.json at `path`: whole, atomically, fsynced.
 *
 * @example
 * ```ts
 * import { writeStateFile } from "./state.ts";
 * await writeStateFile("/tmp/run/state.json", {
 *   massVersion: "0.1.0", id: "ws/a", bundle: "/tmp/run", phase: "idle",
 *   updatedAt: new Date().toISOString(),
 * });
 * ```
 */
export async function writeStateFile(path: string, state: RuntimeState): Promise<void> {
  await writeFileAtomic(path, _stateText(state), { sync: true });
}

/**
 * {@linkcode writeStateFile}, synchronously and without the fsync, for exit paths.
 *
 * @example
 * ```ts
 * import { writeStateFileSync } from "./state.ts";
 * writeStateFileSync("/tmp/run/state.json", {
 *   massVersion: "0.1.0", id: "ws/a", bundle: "/tmp/run", phase: "stopped",
 *   updatedAt: new Date().toISOString(),
 * });
 * ```
 */
export function writeStateFileSync(path: string, state: RuntimeState): void {
  writeFileAtomicSync(path, _stateText(state));
}

function _stateText(state: RuntimeState): string {
  return JSON.stringify(state, null, 2) + "\n";
}
