/** A Store on a temp KV file, and the records the store tests start from. */
import type { AgentRun, RunKey, Workspace, WorkspaceSpec } from "../../specs/ari.ts";
import { Store, type StoreOptions } from "../../daemon/store/mod.ts";

export const EMPTY: WorkspaceSpec = { source: { type: "emptyDir" } };

/** Runs `fn` with a Store on a fresh temp dir; closes it and removes the dir afterwards. */
export async function withStore(
  fn: (store: Store, dir: string) => Promise<void>,
  opts: StoreOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mstore" });
  const store = await Store.open(`${dir}/mass.kv`, opts);
  try {
    await fn(store, dir);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Creates the emptyDir workspace `name`, already ready. */
export function readyWorkspace(store: Store, name = "w"): Promise<Workspace> {
  return store.createWorkspace({
    metadata: { name },
    spec: EMPTY,
    status: { phase: "ready" },
  });
}

/** {@link withStore} with the ready workspace "w" and the run "w/r" (agent "a") in `phase`. */
export function withRun(
  phase: AgentRun["status"]["phase"],
  fn: (store: Store, key: RunKey) => Promise<void>,
): Promise<void> {
  return withStore(async (store) => {
    await readyWorkspace(store);
    const key = { workspace: "w", name: "r" };
    await store.createRun({ metadata: key, spec: { agent: "a" }, status: { phase } });
    await fn(store, key);
  });
}
