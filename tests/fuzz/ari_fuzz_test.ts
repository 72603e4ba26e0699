/**
 * Every ARI method gets random params against a real agentd: each reply is a result or a
 * well-formed JSON-RPC error (never an internal error or a stack trace), agentd stays up,
 * and its RSS stays bounded. A few thousand inputs here; MASS_FUZZ_SCALE=50 for ~100k.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { AriMethods } from "../../mod.ts";
import { pidAlive } from "../support/process.ts";
import { spawnServer } from "../support/server.ts";
import { until } from "../support/wait.ts";
import { rssMB } from "../bench/compare/mass_side.ts";
import { fuzzRuns } from "./fuzz_runs.ts";
import { junk, nameArb, shapedParams } from "./params_arbitraries.ts";
import { RawRpc, replyProblem } from "./raw_rpc.ts";

/** The real workspace and run: a name no generator produces by chance. */
const REAL = { workspace: "fuzz-real-ws-7f3a", name: "fuzz-real-run-7f3a" };
/** Methods that may see the real run's key (they read, or start a harmless turn). */
const READERS = new Set<string>([
  AriMethods.agentrunGet,
  AriMethods.agentrunStatus,
  AriMethods.agentrunWatch,
  AriMethods.agentrunUnwatch,
  AriMethods.agentrunPermissions,
  AriMethods.agentrunTaskList,
  AriMethods.agentrunTaskGet,
  AriMethods.agentrunPrompt,
  AriMethods.agentrunCancel,
]);

Deno.test("fuzz: random params to every ARI method give a result or a JSON-RPC error; agentd stays up with bounded RSS", async () => {
  const root = await Deno.makeTempDir({ prefix: "mfz", dir: "/tmp" });
  const server = await spawnServer(root);
  const rpc = await RawRpc.connect(`${root}/mass.sock`);
  try {
    const c = server.client;
    await c.workspaceCreate({
      metadata: { name: REAL.workspace },
      spec: { source: { type: "emptyDir" } },
    });
    await until(
      "workspace",
      async () => (await c.workspaceGet(REAL.workspace)).status.phase === "ready",
    );
    await c.agentrunCreate({ metadata: REAL, spec: { agent: "demo" } });
    await until("idle", async () => (await c.agentrunGet(REAL)).status.phase === "idle", 60_000);

    const methods = Object.values(AriMethods).filter((m) => m !== AriMethods.agentrunEvent);
    const fake = fc.record({ workspace: nameArb, name: nameArb });
    const input = fc.constantFrom(...methods).chain((method) =>
      fc.tuple(
        fc.constant(method),
        fc.oneof(
          junk,
          shapedParams(READERS.has(method) ? fc.oneof(fake, fc.constant(REAL)) : fake),
        ),
      )
    );
    const runs = fuzzRuns(2_000);
    let done = 0;
    let warmRss = NaN;
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(input, async ([method, params]) => {
        const reply = await rpc.call(method, params);
        const problem = replyProblem(reply);
        const k = `${method} ${"result" in reply ? "ok" : (reply.error as { code: number }).code}`;
        tally.set(k, (tally.get(k) ?? 0) + 1);
        assert.equal(
          problem,
          undefined,
          `${method} ${JSON.stringify(params)?.slice(0, 300)}: ${problem}`,
        );
        if (++done === Math.ceil(runs / 10)) warmRss = rssMB(server.child.pid);
      }),
      { numRuns: runs },
    );
    if (Deno.env.get("FUZZ_TALLY")) console.log([...tally].sort());
    assert.ok(pidAlive(server.child.pid), "agentd died");
    assert.equal((await c.systemInfo()).recovery.phase, "complete");
    const rss = rssMB(server.child.pid);
    assert.ok(
      rss <= warmRss * 2 + 50,
      `agentd RSS grew from ${warmRss} MB to ${rss} MB over ${runs} inputs`,
    );
  } finally {
    rpc.close();
    const c = server.client;
    for (const r of (await c.agentrunList().catch(() => ({ items: [] }))).items) {
      await c.agentrunStop({ workspace: r.metadata.workspace, name: r.metadata.name }).catch(
        () => {},
      );
    }
    c.close();
    server.child.kill("SIGTERM");
    await server.child.status;
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
