/**
 * Shared setup for the run-lifecycle tests: a temp root with a real Store, a ready workspace,
 * agents that run the demo or the scriptable test agent, and a RunSupervisor.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import type { AgentRunEvent, Phase } from "../../specs/events.ts";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { type Daemon, startDaemon } from "../../daemon/main.ts";
import { rootPaths } from "../../daemon/context.ts";
import { Store } from "../../daemon/store/store.ts";
import { RunSupervisor, type RunSupervisorOptions } from "../../daemon/runs/run_supervisor.ts";
import { readEventFiles } from "../../specs/eventlog/mod.ts";
import { deadline, until } from "../support/wait.ts";

export const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));
export const DEMO_AGENT = fileURLToPath(
  new URL("../../daemon/agents/demo/demo_agent.ts", import.meta.url),
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
  const end = Date.now() + ms;
  try {
    while (true) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`collect: timed out after ${out.length} events`);
      const next = await deadline(it.next(), left, `collect: after ${out.length} events`);
      if (next.done) return out;
      out.push(next.value);
      if (stop(next.value)) return out;
    }
  } finally {
    await it.return?.();
  }
}

export const isTurnEnd = (ev: AgentRunEvent): boolean => ev.type === "turn_end";

/** The events of the turn that starts at `fromSeq`, up to its turn_end. */
export function turnEvents(c: AriClient, key: RunKey, fromSeq?: number): Promise<AgentRunEvent[]> {
  return collect(c.watch({ ...key, fromSeq }), isTurnEnd);
}

/** The events in the event log of `bundle`, from `fromSeq`. */
export async function logEvents(bundle: string, fromSeq = 0): Promise<AgentRunEvent[]> {
  const out: AgentRunEvent[] = [];
  for await (const ev of readEventFiles(`${bundle}/events`, fromSeq)) out.push(ev);
  return out;
}

/** Creates the run and waits until it is idle (fails at once if it ends in error). */
export async function createIdle(
  c: AriClient,
  key: RunKey,
  spec: AgentRun["spec"] = { agent: "test" },
): Promise<AgentRun> {
  await c.agentrunCreate({ metadata: key, spec });
  const idle = await waitPhase(ariRun(c, key), key, ["idle", "error"]);
  assert.equal(idle.status.phase, "idle", idle.status.errorMessage);
  return idle;
}

/** Waits until the run is idle again under another agent-run than `pid` (it restarted). */
export function waitRestarted(c: AriClient, key: RunKey, pid: number | undefined, what: string) {
  return until(what, async () => {
    const r = await c.agentrunGet(key);
    return r.status.phase === "idle" && r.status.pid !== pid ? r : undefined;
  });
}

/** Runs `fn` against a fresh {@link startRunsDaemon}; closes it afterwards. */
export async function withRunsDaemon(fn: (d: RunsDaemon) => Promise<void>): Promise<void> {
  const d = await startRunsDaemon();
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}
