/**
 * The agent-run's socket reads a stream of JSON values like agentd's: requests back to back,
 * pretty-printed, and a last one without a newline before a half-close are all answered.
 */
import assert from "node:assert/strict";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { exchange } from "../support/raw_socket.ts";
import { waitForPhase, withRunner } from "./harness.ts";

Deno.test("runner socket: back-to-back, pretty-printed and unterminated requests", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
    await waitForPhase(peer, "idle");
    const status = (id: number, indent?: number) =>
      JSON.stringify({ jsonrpc: "2.0", id, method: RunnerMethods.status }, null, indent);
    const { replies, closed } = await exchange(
      bundle.socket,
      status(1) + status(2) + "\n" + status(3, 2) + "\n" + status(4),
      5,
      { halfClose: true },
    );
    assert.deepEqual(replies.map((r) => (r as { id: number }).id).sort(), [1, 2, 3, 4]);
    for (const r of replies) {
      assert.equal((r as { result: { state: { phase: string } } }).result.state.phase, "idle");
    }
    assert.equal(closed, true);
    assert.equal((await runner.stop(peer)).code, 0);
  });
});
