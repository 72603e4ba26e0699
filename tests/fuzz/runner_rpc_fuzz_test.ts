/**
 * Every runner-RPC method gets random params against a real agent-run (test agent): each
 * reply is a result or a well-formed JSON-RPC error, the agent-run stays up, and its RSS
 * stays bounded. runtime/stop goes last (a valid stop may end the process, cleanly).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { pidAlive } from "../support/process.ts";
import { rssMB } from "../bench/compare/mass_side.ts";
import { makeBundle, Runner, waitForPhase } from "../runner/harness.ts";
import { fuzzRuns } from "./fuzz_runs.ts";
import { junk, nameArb, shapedParams } from "./params_arbitraries.ts";
import { RawRpc, replyProblem } from "./raw_rpc.ts";

Deno.test("fuzz: random params to every runner-RPC method give a result or a JSON-RPC error; the agent-run stays up with bounded RSS", async () => {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  let rpc: RawRpc | undefined;
  try {
    const peer = await runner.dial(30_000);
    await waitForPhase(peer, "idle", 30_000);
    peer.close();
    rpc = await RawRpc.connect(bundle.socket);
    const methods = Object.values(RunnerMethods).filter((m) =>
      m !== RunnerMethods.stop && m !== RunnerMethods.eventUpdate
    );
    const input = fc.tuple(
      fc.constantFrom(...methods),
      fc.oneof(junk, shapedParams(fc.record({ workspace: nameArb, name: nameArb }))),
    );
    const runs = fuzzRuns(1_500);
    let done = 0;
    let warmRss = NaN;
    await fc.assert(
      fc.asyncProperty(input, async ([method, params]) => {
        const reply = await rpc!.call(method, params);
        const problem = replyProblem(reply);
        assert.equal(
          problem,
          undefined,
          `${method} ${JSON.stringify(params)?.slice(0, 300)}: ${problem}`,
        );
        if (++done === Math.ceil(runs / 10)) warmRss = rssMB(runner.pid);
      }),
      { numRuns: runs },
    );
    assert.ok(pidAlive(runner.pid), "the agent-run died");
    const rss = rssMB(runner.pid);
    assert.ok(
      rss <= warmRss * 2 + 50,
      `agent-run RSS grew from ${warmRss} MB to ${rss} MB over ${runs} inputs`,
    );

    // runtime/stop with junk: either refused (still up) or a clean stop (exit 0).
    const reply = await rpc.call(RunnerMethods.stop, { junk: [1, "x"] });
    assert.equal(replyProblem(reply), undefined);
    if ("result" in reply) assert.equal((await runner.wait(20_000)).code, 0);
    else assert.ok(pidAlive(runner.pid));
  } finally {
    rpc?.close();
    if (!runner.exited) await runner.stop().catch(() => {});
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  }
});
