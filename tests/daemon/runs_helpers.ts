/**
 * Shared setup for the run-lifecycle tests: a temp root with a real Store, a ready workspace,
 * agents that run the demo or the scriptable test agent, and a RunSupervisor.
 */
import { fileURLToPath } from "node:url";
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import type { AgentRunEvent, Phase } from "../../specs/events.ts";
import { AriClient } from "../../ctl/ari_client.ts";
import { type Daemon, startDaemon } from "../../daemon/main.ts";
import { rootPaths } from "../../daemon/context.ts";
import { Store } from "../../daemon/store/store.ts";
import { RunSupervisor, type RunSupervisorOptions } from "../../daemon/runs/run_supervisor.ts";

export const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));
export const DEMO_AGENT = fileURLToPath(
  new URL("../../runner/agents/demo_agent.ts", import.meta.url),
);

export interface RunsFixture {
  root: string;
  store: Store;
  runs: RunSupervisor;
  wsPath: string;
  close(): Promise<void>;
}

/** A temp root (short path, for socket limits) with a store, workspace "ws" and agents. */
export async function runsFixture(opts: Partial<RunSupervisorOptions> = {}): Promise<RunsFixture> {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  const paths = rootPaths(root);
  const store = await Store.open(paths.kv);
  const wsPath = `${root}/wsdir`;
  await Deno.mkdir(wsPath);
  await store.createWorkspace({
    metadata: { name: "ws" },
    spec: { source: { type: "local", path: wsPath } },
    status: { phase: "ready", path: wsPath },
  });
  await defineAgents(store);
  const runs = new RunSupervisor({
    store,
    paths,
    stopTimeouts: { gracefulMs: 5_000, termMs: 1_000, killMs: 1_000 },
    ...opts,
  });
  return {
    root,
    store,
    runs,
    wsPath,
    async close() {
      await runs.close();
      store.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** "test" (scriptable agent), "test-noresume" and "demo". */
export async function defineAgents(store: Store): Promise<void> {
  const deno = Deno.execPath();
  await store.createAgent({
    metadata: { name: "test" },
    spec: { command: deno, args: ["run", "-A", TEST_AGENT], startupTimeoutSeconds: 60 },
  });
  await store.createAgent({
    metadata: { name: "demo" },
    spec: { command: deno, args: ["run", "-A", DEMO_AGENT], startupTimeoutSeconds: 60 },
  });
}

export function runInput(name: string, agent = "test", extra: Partial<AgentRun["spec"]> = {}) {
  return { metadata: { workspace: "ws", name }, spec: { agent, ...extra } };
}

/** Polls `fn` until it returns a value other than undefined; throws after `ms`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
}

export function waitPhase(
  get: (key: RunKey) => Promise<AgentRun | undefined>,
  key: RunKey,
  phases: Phase | Phase[],
  ms = 60_000,
): Promise<AgentRun> {
  const want = Array.isArray(phases) ? phases : [phases];
  let last: AgentRun | undefined;
  return until(`${key.workspace}/${key.name} in ${want.join("|")}`, async () => {
    const run = last = await get(key);
    return run && want.includes(run.status.phase) ? run : undefined;
  }, ms).catch((err) => {
    throw new Error(`${err.message}; last status: ${JSON.stringify(last?.status)}`);
  });
}

export function pidAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** The event without the notification-only fields (watchId, workspace). */
export function envelope(ev: AgentRunEvent): AgentRunEvent {
  const { watchId: _w, workspace: _ws, ...rest } = ev as AgentRunEvent & {
    watchId?: string;
    workspace?: string;
  };
  return rest as AgentRunEvent;
}

/** Matches the runtime_update that reports `phase`. */
export function isPhase(phase: Phase): (ev: AgentRunEvent) => boolean {
  return (ev) =>
    ev.type === "runtime_update" &&
    (ev.payload as { phase?: { phase?: string } }).phase?.phase === phase;
}

export function text(t: string) {
  return [{ type: "text", text: t }];
}

// ---------------------------------------------------------------- ARI (real daemon)

export interface RunsDaemon {
  root: string;
  daemon: Daemon;
  client: AriClient;
  wsPath: string;
  close(): Promise<void>;
}

/** A real daemon (in this process) with workspace "ws" ready and the test agents defined. */
export async function startRunsDaemon(root?: string): Promise<RunsDaemon> {
  const dir = root ?? await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  const daemon = await startDaemon({ root: dir, logLevel: "debug" });
  await daemon.recovered;
  const client = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 60_000 });
  const wsPath = root ? (await client.workspaceGet("ws")).status.path! : await setupAri(client);
  return {
    root: dir,
    daemon,
    client,
    wsPath,
    async close() {
      client.close();
      await daemon.close();
      if (!root) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Workspace "ws" (emptyDir, ready) and the agents "test" and "test-noresume". */
export async function setupAri(client: AriClient): Promise<string> {
  await client.workspaceCreate({
    metadata: { name: "ws" },
    spec: { source: { type: "emptyDir" } },
  });
  const ws = await until("workspace ready", async () => {
    const ws = await client.workspaceGet("ws");
    return ws.status.phase === "ready" ? ws : undefined;
  });
  const deno = Deno.execPath();
  await client.agentCreate({
    metadata: { name: "test" },
    spec: { command: deno, args: ["run", "-A", TEST_AGENT], startupTimeoutSeconds: 60 },
  });
  await client.agentCreate({
    metadata: { name: "test-noresume" },
    spec: {
      command: deno,
      args: ["run", "-A", TEST_AGENT, "--no-load", "--no-resume"],
      startupTimeoutSeconds: 60,
    },
  });
  return ws.status.path!;
}

export function ariRun(client: AriClient, key: RunKey) {
  return () => client.agentrunGet(key);
}

/** Collects events from an ARI watch until `stop` says so (or `ms` passes: then throws). */
export async function collect(
  events: AsyncIterable<AgentRunEvent>,
  stop: (ev: AgentRunEvent) => boolean,
  ms = 60_000,
): Promise<AgentRunEvent[]> {
  const out: AgentRunEvent[] = [];
  const it = events[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  try {
    while (true) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`collect: timed out after ${out.length} events`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = await Promise.race([
        it.next(),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left))),
      ]);
      clearTimeout(timer);
      if (next === "timeout") throw new Error(`collect: timed out after ${out.length} events`);
      if (next.done) return out;
      out.push(next.value);
      if (stop(next.value)) return out;
    }
  } finally {
    await it.return?.();
  }
}

/** Pids of live processes whose command line contains `needle` (Linux /proc). */
export function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (cmd.includes(needle) && pidAlive(Number(e.name))) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

/** Pids of live processes whose working directory is `dir` (the agents of a workspace). */
export function processesIn(dir: string): number[] {
  const real = Deno.realPathSync(dir);
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/cwd`) === real && pidAlive(Number(e.name))) {
        out.push(Number(e.name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
