/**
 * The README's library example, run as written (only the socket path and the import of
 * mod.ts are pointed at this checkout) against a real daemon.
 */
import assert from "node:assert/strict";
import { ok, REPO, run, startDaemonProcess } from "./cli_helpers.ts";

const README = new URL("../../README.md", import.meta.url);
const MOD = new URL("../../mod.ts", import.meta.url).href;

/** The first ```ts block after the "## Library" heading. */
async function libraryExample(): Promise<string> {
  const text = await Deno.readTextFile(README);
  const section = text.slice(text.indexOf("## Library"));
  const match = section.match(/```ts\n([\s\S]*?)```/);
  assert.ok(match, "README has a ts block under ## Library");
  return match[1];
}

Deno.test("README library example: prompts the demo agent and sees its turn end", async () => {
  const daemon = await startDaemonProcess();
  const dir = await Deno.makeTempDir({ prefix: "mlib" });
  try {
    const example = await libraryExample();
    const socketExpr = '`${Deno.env.get("HOME")}/.mass/mass.sock`';
    assert.ok(example.includes(socketExpr) && example.includes('"./mod.ts"'));
    const file = `${dir}/example.ts`;
    await Deno.writeTextFile(
      file,
      example.replace(socketExpr, JSON.stringify(daemon.socket)).replace('"./mod.ts"', `"${MOD}"`),
    );
    ok(
      await run(Deno.execPath(), ["run", "-A", "--config", `${REPO}deno.json`, file], {
        timeoutMs: 120_000,
      }),
    );
    const key = { workspace: "scratch", name: "a1" };
    const runObj = await daemon.client.agentrunGet(key);
    assert.equal(runObj.status.phase, "idle");
    const ends: string[] = [];
    const abort = new AbortController();
    for await (const ev of daemon.client.watch({ ...key, fromSeq: 0, signal: abort.signal })) {
      if (ev.type === "turn_end") ends.push(ev.payload.stopReason);
      if (ev.seq >= (runObj.status.lastSeq ?? 0)) break;
    }
    abort.abort();
    assert.deepEqual(ends, ["end_turn"]);
  } finally {
    await daemon.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
