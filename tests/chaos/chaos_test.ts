/**
 * The short chaos loop in the suite: 10 rounds or 60 s, whichever comes first, with kills of
 * agentd (also during its recovery), agent-runs (also while agentd is down) and agents.
 * The long one: `deno task chaos --rounds 200 --seconds 900`.
 */
import assert from "node:assert/strict";
import { runChaos } from "./chaos.ts";

Deno.test("chaos: kill -9 of agentd, agent-runs and agents keeps every invariant", async () => {
  const lines: string[] = [];
  const seed = Math.floor(Math.random() * 2 ** 31);
  const res = await runChaos({ rounds: 10, seconds: 60, runs: 3, seed, log: (l) => lines.push(l) });
  assert.ok(res.rounds >= 1, "no round ran");
  assert.ok(res.events > 0, "the watchers saw no events");
  assert.deepEqual(res.violations, [], `seed ${seed}\n${lines.join("\n")}`);
});
