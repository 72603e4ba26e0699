/**
 * Symlink-swap race on fs/read_text_file and fs/write_text_file: while a helper process
 * keeps flipping `d` in the workspace between a directory inside and one outside, the
 * agent reads `d/f` and writes `d/g` through the agent-run. The agent-run resolves paths in
 * its own sandbox view, where the outside directory does not exist: not one read or write
 * may reach it, however the race falls.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createIdle, withRunsDaemon } from "../daemon/runs_helpers.ts";
import { ask, bwrapMissing } from "./sandbox_helpers.ts";

const skip = await bwrapMissing();
const SWAP_MS = 3_000;

/** A helper process that retargets `link` between `a` and `b` (atomic renames) for `ms`. */
function swapper(link: string, a: string, b: string, ms: number): Deno.ChildProcess {
  const code = `const end = Date.now() + ${ms}; let n = 0;
    while (Date.now() < end) {
      const tmp = ${JSON.stringify(link)} + ".tmp";
      Deno.symlinkSync(n++ % 2 ? ${JSON.stringify(a)} : ${JSON.stringify(b)}, tmp);
      Deno.renameSync(tmp, ${JSON.stringify(link)});
    }
    console.log(n);`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

Deno.test({
  name: "sandbox: a symlink-swap race on fs/* reaches nothing outside the workspace",
  ignore: skip !== undefined,
  fn: () =>
    withRunsDaemon(async ({ client: c, root, wsPath }) => {
      const inside = join(wsPath, "dir");
      const outside = join(root, "outside");
      await Deno.mkdir(inside);
      await Deno.mkdir(outside);
      await Deno.writeTextFile(join(inside, "f"), "inside");
      await Deno.writeTextFile(join(outside, "f"), "SECRET");
      await Deno.symlink(inside, join(wsPath, "d"));
      const key = { workspace: "ws", name: "racer" };
      await createIdle(c, key, { agent: "test" });

      const lines = Array.from({ length: 50 }, () => "read d/f\nwrite d/g x").join("\n");
      const swap = swapper(join(wsPath, "d"), inside, outside, SWAP_MS);
      const done = swap.output();
      let finished = false;
      done.then(() => (finished = true));
      let said = "";
      let turns = 0;
      while (!finished) {
        said += await ask(c, key, lines);
        turns++;
      }
      const swaps = Number(new TextDecoder().decode((await done).stdout).trim());
      assert.ok(swaps > 0, "the race ran");
      const insideReads = said.split("read:ok:inside").length - 1;
      const leaks = said.split("read:ok:SECRET").length - 1;
      console.log(
        `race: ${turns} turns, ${swaps} swaps, ${insideReads} reads inside, ${leaks} out`,
      );
      assert.equal(leaks, 0, "no read outside");
      assert.ok(insideReads > 0, "reads inside still work between swaps");
      await assert.rejects(Deno.lstat(join(outside, "g")), Deno.errors.NotFound);
      await c.agentrunStop(key);
    }),
});
