/**
 * The mass way: a real `mass server` on a temp root, runs created and prompted over ARI with
 * the typed client, and the same through massctl as a user types it.
 */
import { fileURLToPath } from "node:url";
import {
  type AgentRun,
  type AgentRunEvent,
  type AriClient,
  AriMethods,
  type RunKey,
} from "../../../mod.ts";
import type { RpcPeer } from "../../../specs/wire/peer.ts";
import { dialUnix } from "../../../specs/wire/socket.ts";
import { killChild } from "../../support/process.ts";
import { type ServerProcess, spawnServer } from "../../support/server.ts";
import { deadline, until } from "../../support/wait.ts";
import type { AgentCommand } from "./agents.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const WS = "ws";

/** massctl's entry file, read from the `massctl` task of deno.json (it survives moves). */
export function massctlEntry(): string {
  const cfg = JSON.parse(Deno.readTextFileSync(`${REPO}deno.json`));
  const task: string = cfg.tasks?.massctl ?? "deno run -A ctl/main.ts";
  const file = task.split(/\s+/).find((w) => w.endsWith(".ts")) ?? "ctl/main.ts";
  return `${REPO}${file}`;
}

/** Resident set size of `pid` in MB (10^6 bytes; Linux), NaN when it is gone. */
export function rssMB(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) * 1024 / 1e6;
  } catch {
    return NaN;
  }
}

/** A `mass server` of the benchmark, with one emptyDir workspace and the test agent. */
export class MassSide {
  private constructor(public server: ServerProcess, readonly root: string) {}

  static async start(root: string, agents: AgentCommand[]): Promise<MassSide> {
    const server = await spawnServer(root, { requestTimeoutMs: 120_000, everyMs: 5 });
    const side = new MassSide(server, root);
    const c = server.client;
    await c.workspaceCreate({ metadata: { name: WS }, spec: { source: { type: "emptyDir" } } });
    await until(
      "workspace ready",
      async () => (await c.workspaceGet(WS)).status.phase === "ready",
      60_000,
      10,
    );
    for (const a of agents) {
      if (a.name === "demo") continue; // built in
      await c.agentCreate({ metadata: { name: a.name }, spec: { command: a.cmd, args: a.args } });
    }
    return side;
  }

  get client(): AriClient {
    return this.server.client;
  }

  get socket(): string {
    return `${this.root}/mass.sock`;
  }

  get pid(): number {
    return this.server.child.pid;
  }

  /** agentrun/create, then polls until idle; returns ms. */
  async createToIdle(name: string, agent: string): Promise<number> {
    const key = { workspace: WS, name };
    const t0 = performance.now();
    await this.client.agentrunCreate({ metadata: key, spec: { agent } });
    await this.waitIdle(key, 2);
    return performance.now() - t0;
  }

  async waitIdle(key: RunKey, everyMs = 20, ms = 120_000): Promise<AgentRun> {
    return await until(
      `${key.name} idle`,
      async () => {
        const r = await this.client.agentrunGet(key);
        if (r.status.phase === "error" || r.status.phase === "stopped") {
          throw new Error(`${key.name}: ${r.status.phase} ${r.status.errorMessage ?? ""}`);
        }
        return r.status.phase === "idle" ? r : undefined;
      },
      ms,
      everyMs,
    );
  }

  /**
   * A prompt over ARI with a watcher already attached: ms to the turn's first agent
   * message and to its turn_end, and the events the watcher saw in between.
   */
  async prompt(
    name: string,
    text: string,
  ): Promise<{ firstMs: number; turnMs: number; events: number; reconnects: number }> {
    const key = { workspace: WS, name };
    const run = await this.client.agentrunGet(key);
    const watcher = new TurnWatcher(this.socket, key, (run.status.lastSeq ?? -1) + 1);
    await watcher.ready;
    const t0 = performance.now();
    await this.client.agentrunPrompt({ ...key, prompt: [{ type: "text", text }] });
    const end = await deadline(watcher.turnEnd, 300_000, `${name} turn_end`);
    watcher.close();
    return {
      firstMs: watcher.firstAt - t0,
      turnMs: end - t0,
      events: watcher.events,
      reconnects: watcher.reconnects,
    };
  }

  /** kill -9 of agentd, then a new `mass server` on the same root; returns both recovery times. */
  async killAndRecover(): Promise<{ daemonMs: number; wallMs: number }> {
    this.client.close();
    killChild(this.server.child);
    await this.server.child.status;
    const t0 = performance.now();
    this.server = await spawnServer(this.root, { requestTimeoutMs: 120_000, everyMs: 5 });
    const wallMs = performance.now() - t0;
    const { recovery } = await this.client.systemInfo();
    return { daemonMs: Date.parse(recovery.finishedAt!) - Date.parse(recovery.startedAt!), wallMs };
  }

  /** Stops and deletes every run, stops agentd; the agent-runs of `pids` are killed if left. */
  async close(): Promise<void> {
    const items =
      (await this.client.agentrunList().catch(() => ({ items: [] as AgentRun[] }))).items;
    await Promise.all(items.map(async (r) => {
      const key = { workspace: r.metadata.workspace, name: r.metadata.name };
      await this.client.agentrunStop(key).catch(() => {});
    }));
    this.client.close();
    killChild(this.server.child, "SIGTERM");
    await deadline(this.server.child.status, 15_000, "mass server exit").catch(async () => {
      killChild(this.server.child);
      await this.server.child.status;
    });
  }
}

/**
 * Watches one run from `fromSeq` (an idle run's lastSeq + 1, so the next turn is ours) on its
 * own connection; `ready` resolves once agentd has answered the watch request. Should agentd
 * cut the stream (a slow reader), it resumes from the last seq + 1 like any client, and
 * counts the reconnect.
 */
export class TurnWatcher {
  events = 0;
  firstAt = NaN;
  reconnects = 0;
  readonly ready: Promise<void>;
  readonly turnEnd: Promise<number>;
  #next: number;
  #peer?: RpcPeer;
  #ended = false;
  #end!: (at: number) => void;

  constructor(readonly socket: string, readonly key: RunKey, fromSeq: number) {
    this.#next = fromSeq;
    this.turnEnd = new Promise((r) => (this.#end = r));
    this.ready = this.#open();
    this.ready.then(() => this.#resumeOnClose(), () => {});
  }

  async #open(): Promise<void> {
    const peer = await dialUnix(this.socket, {
      requestTimeoutMs: 30_000,
      setup: (p) => p.onNotification(AriMethods.agentrunEvent, (params) => this.#on(params)),
    });
    this.#peer = peer;
    await peer.request(AriMethods.agentrunWatch, {
      ...this.key,
      watchId: crypto.randomUUID(),
      fromSeq: this.#next,
    });
  }

  async #resumeOnClose(): Promise<void> {
    while (!this.#ended) {
      await this.#peer?.closed;
      if (this.#ended) return;
      this.reconnects++;
      await this.#open().catch(() => {});
    }
  }

  #on(params: unknown): void {
    const ev = params as AgentRunEvent;
    if (ev.seq < this.#next) return;
    this.#next = ev.seq + 1;
    this.events++;
    if (Number.isNaN(this.firstAt) && ev.type === "agent_message") this.firstAt = performance.now();
    if (ev.type === "turn_end") {
      this.#ended = true;
      this.#end(performance.now());
    }
  }

  close(): void {
    this.#ended = true;
    this.#peer?.close();
  }
}

/** Runs massctl as a user types it; returns wall ms (throws on a non-zero exit). */
export async function massctl(socket: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", massctlEntry(), "--socket", socket, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(`massctl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return ms;
}
