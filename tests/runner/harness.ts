/**
 * Shared helpers for the agent-run integration tests: make a bundle, start a real `mass run`
 * under exactly its computed Deno permissions, dial its socket, wait for a phase, collect
 * events. Every wait has a deadline; every process started here is reaped.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentRunEvent, WatchedEvent } from "../../specs/events.ts";
import { RunnerMethods, type StatusResult } from "../../specs/runner_rpc.ts";
import type { RuntimeConfigInput, RuntimeState } from "../../specs/runtime.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { agentRunCommand } from "../../runner/launch/mod.ts";
import { killGroup, pidAlive } from "../support/process.ts";
import { deadline, until } from "../support/wait.ts";

export const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));
export const DEMO_AGENT = fileURLToPath(
  new URL("../../daemon/agents/demo/demo_agent.ts", import.meta.url),
);

/** Environment both the agent-run and the agents need (deno's caches). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const k of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR", "LANG"]) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

export interface BundleOptions {
  name?: string;
  /** "test" (default) or "demo". */
  agent?: "test" | "demo";
  agentArgs?: string[];
  /** Extra agent env entries ("K=V"). */
  agentEnv?: string[];
  session?: RuntimeConfigInput["session"];
  runtime?: RuntimeConfigInput["runtime"];
  /** Files to create in the workspace. */
  files?: Record<string, string>;
}

export interface TestBundle {
  /** Temp root holding bundle/ and ws/ (and anything a test adds). */
  root: string;
  dir: string;
  workspace: string;
  socket: string;
  statePath: string;
  configPath: string;
  config: RuntimeConfigInput;
  writeConfig(config: RuntimeConfigInput): Promise<void>;
  cleanup(): Promise<void>;
}

export function agentProcess(
  agent: "test" | "demo",
  args: string[] = [],
  extraEnv: string[] = [],
): RuntimeConfigInput["process"] {
  const env = Object.entries(baseEnv()).map(([k, v]) => `${k}=${v}`);
  return {
    command: Deno.execPath(),
    args: ["run", "-A", agent === "demo" ? DEMO_AGENT : TEST_AGENT, ...args],
    env: [...env, ...extraEnv],
  };
}

/** A bundle dir with config.json and a `workspace` symlink to a separate workspace dir. */
export async function makeBundle(opts: BundleOptions = {}): Promise<TestBundle> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "m", dir: "/tmp" }));
  const dir = join(root, "b");
  const workspace = join(root, "ws");
  await Deno.mkdir(dir);
  await Deno.mkdir(workspace);
  await Deno.symlink(workspace, join(dir, "workspace"));
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    await Deno.writeTextFile(join(workspace, name), text);
  }
  const config: RuntimeConfigInput = {
    massVersion: "0.1.0",
    metadata: { name: opts.name ?? "agent-1", annotations: { agent: opts.agent ?? "test" } },
    agentRoot: { path: "workspace" },
    clientProtocol: "acp",
    process: agentProcess(opts.agent ?? "test", opts.agentArgs, opts.agentEnv),
    session: opts.session,
    runtime: opts.runtime,
  };
  const configPath = join(dir, "config.json");
  const bundle: TestBundle = {
    root,
    dir,
    workspace,
    socket: join(dir, "agent-run.sock"),
    statePath: join(dir, "state.json"),
    configPath,
    config,
    async writeConfig(c) {
      bundle.config = c;
      await Deno.writeTextFile(configPath, JSON.stringify(c, null, 2));
    },
    async cleanup() {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
  await bundle.writeConfig(config);
  return bundle;
}

export async function readState(bundle: TestBundle): Promise<RuntimeState> {
  return JSON.parse(await Deno.readTextFile(bundle.statePath));
}

export async function socketExists(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isSocket === true;
  } catch {
    return false;
  }
}

/** A `mass run` subprocess. */
export class Runner {
  readonly child: Deno.ChildProcess;
  readonly stderr: Promise<string>;
  #status?: Deno.CommandStatus;
  readonly status: Promise<Deno.CommandStatus>;

  /** `extraEnv` is added to the agent-run's own environment (not the agent's). */
  constructor(
    readonly bundle: TestBundle,
    extraArgs: string[] = [],
    extraEnv: Record<string, string> = {},
  ) {
    const { cmd, args } = agentRunCommand(bundle.dir);
    this.child = new Deno.Command(cmd, {
      args: [...args, ...extraArgs],
      env: { ...baseEnv(), ...extraEnv },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      detached: true,
    }).spawn();
    this.stderr = new Response(this.child.stderr).text();
    this.status = this.child.status.then((s) => (this.#status = s));
  }

  get pid(): number {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.#status !== undefined;
  }

  /** Waits for the socket to accept a connection and returns a peer on it. */
  async dial(ms = 15_000): Promise<RpcPeer> {
    return await until(
      `socket ${this.bundle.socket}`,
      async () => {
        if (this.exited) {
          throw new Error(`mass run exited early (${this.#status?.code}): ${await this.stderr}`);
        }
        try {
          return await dialUnix(this.bundle.socket, { connectTimeoutMs: 1_000 });
        } catch {
          return undefined;
        }
      },
      ms,
    );
  }

  async wait(ms = 15_000): Promise<Deno.CommandStatus> {
    return await deadline(this.status, ms, `mass run ${this.pid} to exit`);
  }

  /** Last resort for a failed test: SIGKILL the agent-run's group and the agent's. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const state = await readState(this.bundle).catch(() => undefined);
    if (state?.pid && pidAlive(state.pid)) killGroup(state.pid);
    killGroup(this.pid);
    await this.status;
  }

  /** runtime/stop over `peer` (or a fresh connection), then waits for exit. */
  async stop(peer?: RpcPeer, ms = 15_000): Promise<Deno.CommandStatus> {
    if (!this.exited) {
      const p = peer && !peer.isClosed ? peer : await this.dial().catch(() => undefined);
      await p?.request(RunnerMethods.stop, null, { timeoutMs: 5_000 }).catch(() => {});
      if (p !== peer) p?.close();
    }
    try {
      return await this.wait(ms);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }
}

export interface RunnerOptions extends BundleOptions {
  /** Extra `mass run` arguments. */
  runnerArgs?: string[];
  /** Extra environment of the `mass run` process itself. */
  runnerEnv?: Record<string, string>;
  /** Changes the bundle before `mass run` starts. */
  prepare?: (bundle: TestBundle) => Promise<void>;
}

/**
 * Runs `fn` with `mass run` started on a fresh bundle, not dialed (for agent-runs that are
 * meant to fail before they listen); afterwards reaps the agent-run and removes the bundle.
 */
export async function withRunnerProcess(
  opts: RunnerOptions,
  fn: (t: { bundle: TestBundle; runner: Runner }) => Promise<void>,
): Promise<void> {
  const bundle = await makeBundle(opts);
  try {
    await opts.prepare?.(bundle);
    const runner = new Runner(bundle, opts.runnerArgs, opts.runnerEnv);
    try {
      await fn({ bundle, runner });
    } finally {
      await runner.kill();
      await runner.stderr;
    }
  } finally {
    await bundle.cleanup();
  }
}

/** {@link withRunnerProcess}, with `peer` dialed to the agent-run (closed afterwards). */
export function withRunner(
  opts: RunnerOptions,
  fn: (t: { bundle: TestBundle; runner: Runner; peer: RpcPeer }) => Promise<void>,
): Promise<void> {
  return withRunnerProcess(opts, async ({ bundle, runner }) => {
    const peer = await runner.dial();
    try {
      await fn({ bundle, runner, peer });
    } finally {
      peer.close();
    }
  });
}

export async function status(peer: RpcPeer): Promise<StatusResult> {
  return await peer.request<StatusResult>(RunnerMethods.status, null, { timeoutMs: 5_000 });
}

export async function waitForPhase(
  peer: RpcPeer,
  phase: string,
  ms = 20_000,
): Promise<StatusResult> {
  return await until(`phase ${phase}`, async () => {
    const s = await status(peer);
    return s.state.phase === phase ? s : undefined;
  }, ms);
}

/**
 * {@link withRunner} once the agent-run is idle, with a live `watch` (closed after `fn`); a
 * clean runtime/stop (exit 0) ends the test.
 */
export function withIdleRunner(
  opts: RunnerOptions,
  fn: (
    t: { bundle: TestBundle; runner: Runner; peer: RpcPeer; watch: EventCollector },
  ) => Promise<void>,
): Promise<void> {
  return withRunner(opts, async (t) => {
    await waitForPhase(t.peer, "idle");
    const watch = await EventCollector.watch(t.bundle.socket);
    try {
      await fn({ ...t, watch });
    } finally {
      watch.close();
    }
    assert.equal((await t.runner.stop(t.peer)).code, 0);
  });
}

/**
 * Collects `runtime/event_update` notifications of one watch. When the agent-run ends the
 * stream (a slow consumer is cut off), it resumes on a new connection from the last seq + 1,
 * as clients are meant to; `reconnects` counts that.
 */
export class EventCollector {
  readonly events: AgentRunEvent[] = [];
  readonly watchId = crypto.randomUUID();
  nextSeq = -1;
  reconnects = 0;
  peer!: RpcPeer;
  #closed = false;

  private constructor(readonly socket: string, readonly resume: boolean) {}

  static async watch(
    socket: string,
    fromSeq?: number,
    opts: { resume?: boolean } = {},
  ): Promise<EventCollector> {
    const c = new EventCollector(socket, opts.resume ?? true);
    c.nextSeq = await c.#connect(fromSeq);
    return c;
  }

  async #connect(fromSeq?: number): Promise<number> {
    const peer = await dialUnix(this.socket, {
      setup: (p) =>
        p.onNotification(RunnerMethods.eventUpdate, (params) => {
          const ev = params as WatchedEvent;
          if (ev.watchId !== this.watchId) return;
          const { watchId: _, ...rest } = ev;
          this.events.push(rest as AgentRunEvent);
        }),
    });
    this.peer = peer;
    const res = await peer.request<{ watchId: string; nextSeq: number }>(
      RunnerMethods.watchEvent,
      fromSeq === undefined ? { watchId: this.watchId } : { watchId: this.watchId, fromSeq },
    );
    peer.closed.then(() => this.#onClosed(res.nextSeq));
    return res.nextSeq;
  }

  async #onClosed(nextSeq: number): Promise<void> {
    if (this.#closed || !this.resume) return;
    const last = this.events.at(-1);
    const from = last ? last.seq + 1 : nextSeq;
    try {
      await this.#connect(from);
      this.reconnects++;
    } catch {
      // the agent-run is gone
    }
  }

  /** Waits until an event matches `pred`; returns it. */
  async waitFor(
    pred: (ev: AgentRunEvent) => boolean,
    ms = 20_000,
    what = "event",
  ): Promise<AgentRunEvent> {
    return await until(what, () => this.events.find(pred), ms);
  }

  ofType(type: string): AgentRunEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  close(): void {
    this.#closed = true;
    this.peer.close();
  }
}

/** Text of a prompt as one text block. */
export function text(t: string): { prompt: { type: string; text: string }[] } {
  return { prompt: [{ type: "text", text: t }] };
}

/** Asserts that `events` have strictly consecutive seqs starting at `from`. */
export function seqProblems(events: AgentRunEvent[], from: number): string | undefined {
  for (let i = 0; i < events.length; i++) {
    if (events[i].seq !== from + i) {
      return `event #${i} has seq ${events[i].seq}, expected ${from + i}`;
    }
  }
  return undefined;
}
