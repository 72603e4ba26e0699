/**
 * `deno task chaos`: while several runs stream (test agent `chunks`/`delay`), kill -9
 * agentd, an agent-run or an agent at random moments (also agentd during its own recovery,
 * and an agent-run while agentd is down), restart agentd as an operator would (the runs
 * restart by their policy), and check the invariants of round_checks.ts after each round.
 *
 *   deno task chaos --rounds 200 --seconds 900 [--runs 4] [--seed 42]
 *
 * Prints rounds, kills by kind and violations; exits 1 on any violation. Kills only what it
 * started (its `mass server`, and pids of its own runs) and removes its temp root.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { AgentRun, RestartPolicy } from "../../mod.ts";
import { killChild, pidAlive } from "../support/process.ts";
import { type ServerProcess, spawnServer } from "../support/server.ts";
import { sleep, until } from "../support/wait.ts";
import { sweep } from "../bench/compare/sweep.ts";
import { agentPidOf } from "./procs.ts";
import {
  answerViolations,
  type Before,
  kvViolations,
  orphanViolations,
  phaseViolations,
  watcherViolations,
} from "./round_checks.ts";
import { SeqWatcher } from "./seq_watcher.ts";

const MASS = fileURLToPath(new URL("../../mass.ts", import.meta.url));
const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));
const WS = "chaos";
const POLICIES: RestartPolicy[] = ["always", "on-failure", "never", "always"];
const KINDS = [
  "agentd",
  "agentd-in-recovery",
  "agent-run",
  "agent",
  "agent-run-while-agentd-down",
] as const;
type Kind = typeof KINDS[number];

export interface ChaosOptions {
  rounds: number;
  seconds: number;
  runs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  rounds: number;
  kills: Record<Kind, number>;
  violations: string[];
  events: number;
  reconnects: number;
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with --seed. */
function _rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function _kill(pid: number | undefined): boolean {
  if (!pid || !pidAlive(pid)) return false;
  try {
    Deno.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the chaos loop for at most `rounds` rounds and `seconds` seconds.
 *
 * @example
 * ```ts
 * const res = await runChaos({ rounds: 10, seconds: 60 });
 * if (res.violations.length) Deno.exit(1);
 * ```
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => {});
  const rand = _rng(opts.seed ?? Date.now());
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const root = await Deno.makeTempDir({ prefix: "mch", dir: "/tmp" });
  const kvPath = `${root}/mass.kv`;
  const kills = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const violations: string[] = [];
  const policies = new Map<string, RestartPolicy>();
  const watchers: SeqWatcher[] = [];
  let server: ServerProcess | undefined;
  let rounds = 0;
  const start = () => spawnServer(root, { requestTimeoutMs: 10_000, everyMs: 20 });
  const killAgentd = async () => {
    server!.client.close();
    killChild(server!.child);
    await server!.child.status;
    server = undefined;
    violations.push(...await kvViolations(kvPath));
  };
  try {
    server = await start();
    const c0 = server.client;
    await c0.workspaceCreate({ metadata: { name: WS }, spec: { source: { type: "emptyDir" } } });
    await until(
      "workspace",
      async () => (await c0.workspaceGet(WS)).status.phase === "ready",
      60_000,
    );
    const wsDir = (await c0.workspaceGet(WS)).status.path!;
    await c0.agentCreate({
      metadata: { name: "test" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
    });
    for (let i = 0; i < (opts.runs ?? 3); i++) {
      const name = `r${i}`;
      const restartPolicy = POLICIES[i % POLICIES.length];
      policies.set(name, restartPolicy);
      await c0.agentrunCreate({
        metadata: { workspace: WS, name },
        spec: { agent: "test", restartPolicy },
      });
    }
    await until(
      "runs idle",
      async () =>
        (await c0.agentrunList({ fieldSelector: { workspace: WS } })).items.every((r) =>
          r.status.phase === "idle"
        ),
      120_000,
    );
    for (const name of policies.keys()) {
      watchers.push(new SeqWatcher(`${root}/mass.sock`, { workspace: WS, name }));
    }

    const end = Date.now() + opts.seconds * 1000;
    while (rounds < opts.rounds && Date.now() < end) {
      rounds++;
      const client = server!.client;
      let runs = (await client.agentrunList({ fieldSelector: { workspace: WS } })).items;
      for (const r of runs) {
        const key = { workspace: WS, name: r.metadata.name };
        if (r.status.phase === "stopped") await client.agentrunRestart(key).catch(() => {});
        if (r.status.phase === "idle") {
          const text = `chunks ${200 + Math.floor(rand() * 2000)}\ndelay ${
            Math.floor(rand() * 300)
          }\nchunks 500`;
          await client.agentrunPrompt({ ...key, prompt: [{ type: "text", text }] }).catch(() => {});
        }
      }
      await sleep(Math.floor(rand() * 400));
      runs = (await client.agentrunList({ fieldSelector: { workspace: WS } })).items;
      const before = new Map<string, Before>(runs.map((r) => [r.metadata.name, {
        phase: r.status.phase,
        restartCount: r.status.restartCount ?? 0,
        hit: false,
      }]));
      const live = runs.filter((r) =>
        (r.status.phase === "idle" || r.status.phase === "running") && pidAlive(r.status.pid ?? 0)
      );
      const kind = pick(KINDS);
      const victim: AgentRun | undefined = live.length ? pick(live) : undefined;
      if (
        (kind === "agent-run" || kind === "agent" || kind === "agent-run-while-agentd-down") &&
        !victim
      ) {
        rounds--;
        await sleep(200);
        continue;
      }
      kills[kind]++;
      log(
        `round ${rounds}: kill -9 ${kind}${
          victim && kind !== "agentd" && kind !== "agentd-in-recovery"
            ? ` (${victim.metadata.name})`
            : ""
        }`,
      );
      if (kind === "agent-run") {
        if (_kill(victim!.status.pid)) before.get(victim!.metadata.name)!.hit = true;
      } else if (kind === "agent") {
        if (_kill(agentPidOf(victim!.status.pid))) before.get(victim!.metadata.name)!.hit = true;
      } else {
        await killAgentd();
        if (kind === "agent-run-while-agentd-down") {
          await sleep(Math.floor(rand() * 200));
          if (_kill(victim!.status.pid)) before.get(victim!.metadata.name)!.hit = true;
        }
        if (kind === "agentd-in-recovery") {
          const child = new Deno.Command(Deno.execPath(), {
            args: ["run", "-A", MASS, "server", "--root", root],
            stdin: "null",
            stdout: "null",
            stderr: "null",
          }).spawn();
          await sleep(Math.floor(rand() * 400));
          killChild(child);
          await child.status;
          violations.push(...await kvViolations(kvPath));
        }
        server = await start();
      }
      const settled = await _settle(server!, before);
      if (!settled) violations.push(`round ${rounds}: runs did not settle within 30 s`);
      runs = (await server!.client.agentrunList({ fieldSelector: { workspace: WS } })).items;
      const found = [
        ...phaseViolations(runs, policies, before),
        ...await orphanViolations(wsDir),
        ...await watcherViolations(runs, watchers),
        ...await answerViolations(server!.client),
      ];
      for (const v of found) log(`round ${rounds}: VIOLATION ${v}`);
      violations.push(...found.map((v) => `round ${rounds} (${kind}): ${v}`));
    }
  } finally {
    for (const w of watchers) await w.stop();
    if (server) {
      const c = server.client;
      await Promise.all(
        [...policies.keys()].map((name) => c.agentrunStop({ workspace: WS, name }).catch(() => {})),
      );
      c.close();
      killChild(server.child, "SIGTERM");
      await server.child.status;
    }
    sweep(root);
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
  return {
    rounds,
    kills,
    violations,
    events: watchers.reduce((a, w) => a + w.received, 0),
    reconnects: watchers.reduce((a, w) => a + w.reconnects, 0),
  };
}

/**
 * Waits until no run is creating or running (a turn in flight ends; restarts may wait), and
 * every run hit this round shows that agentd noticed (it checks on disconnect and every
 * 0.5 s): a phase other than idle/running, or a grown restartCount.
 */
async function _settle(server: ServerProcess, before: Map<string, Before>): Promise<boolean> {
  try {
    await until(
      "runs settled",
      async () => {
        const items =
          (await server.client.agentrunList({ fieldSelector: { workspace: WS } })).items;
        return items.every((r) => {
          const phase = r.status.phase;
          if (phase === "creating" || phase === "running") return false;
          const b = before.get(r.metadata.name);
          if (!b?.hit || (b.phase !== "idle" && b.phase !== "running")) return true;
          return phase !== "idle" || (r.status.restartCount ?? 0) > b.restartCount;
        });
      },
      30_000,
      50,
    );
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "50" },
      seconds: { type: "string", default: "300" },
      runs: { type: "string", default: "4" },
      seed: { type: "string" },
    },
  });
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  console.log(`chaos: seed ${seed}`);
  const res = await runChaos({
    rounds: Number(values.rounds),
    seconds: Number(values.seconds),
    runs: Number(values.runs),
    seed,
    log: (l) => console.log(l),
  });
  console.log(`rounds: ${res.rounds}`);
  console.log(`kills: ${Object.entries(res.kills).map(([k, n]) => `${k}=${n}`).join(" ")}`);
  console.log(`events watched: ${res.events}, watcher reconnects: ${res.reconnects}`);
  console.log(`violations: ${res.violations.length}`);
  for (const v of res.violations) console.log(`  ${v}`);
  Deno.exit(res.violations.length ? 1 : 0);
}
