/**
 * `turn_end` means the run takes the next prompt: a client that prompts the moment its
 * turn's `turn_end` arrives on an ARI watch is accepted, every time.
 */
import assert from "node:assert/strict";
import { deadline } from "../support/wait.ts";
import { createIdle, text, withRunsDaemon } from "./runs_helpers.ts";

Deno.test("a prompt sent the moment turn_end arrives is accepted (20 in a row)", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const key = { workspace: "ws", name: "te" };
    const run = await createIdle(c, key);
    const events = c.watch({ ...key, fromSeq: (run.status.lastSeq ?? -1) + 1 });
    const it = events[Symbol.asyncIterator]();
    try {
      let acc = await c.agentrunPrompt({ ...key, prompt: text("say turn-0") });
      const refused: string[] = [];
      for (let i = 1; i <= 20; i++) {
        for (;;) {
          const next = await deadline(it.next(), 30_000, `turn_end of turn ${i - 1}`);
          assert.ok(!next.done, "the watch ended");
          if (next.value.type === "turn_end" && next.value.seq >= (acc.fromSeq ?? 0)) break;
        }
        // No wait of any kind between turn_end and the next prompt.
        try {
          acc = await c.agentrunPrompt({ ...key, prompt: text(`say turn-${i}`) });
        } catch (err) {
          refused.push(`try ${i}: ${err instanceof Error ? err.message : String(err)}`);
          break;
        }
      }
      assert.deepEqual(refused, []);
    } finally {
      await it.return?.();
    }
  });
});
