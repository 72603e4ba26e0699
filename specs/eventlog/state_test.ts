import assert from "node:assert/strict";
import type { RuntimeState } from "../runtime.ts";
import { readStateFile, writeStateFile, writeStateFileSync } from "./state.ts";

const STATE: RuntimeState = {
  massVersion: "0.1.0",
  id: "ws/a",
  bundle: "/b",
  phase: "idle",
  updatedAt: "2025-01-01T00:00:00.000Z",
  session: { agentInfo: { name: "demo", version: "1" } },
};

Deno.test("state.json: written whole, read back with unknown fields kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mass-state-" });
  try {
    const path = `${dir}/state.json`;
    const withExtras = {
      ...STATE,
      future: 1,
      session: {
        agentInfo: { name: "demo", version: "1", vendor: "x" },
        availableCommands: [{ name: "hello", description: "Say hello" }],
      },
    };
    await writeStateFile(path, withExtras);
    assert.equal(await Deno.readTextFile(path), JSON.stringify(withExtras, null, 2) + "\n");
    assert.deepEqual(await readStateFile(path), withExtras);
    writeStateFileSync(path, { ...STATE, phase: "stopped" });
    assert.equal((await readStateFile(path))?.phase, "stopped");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["state.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state.json: missing, not JSON, or not a state reads as undefined", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mass-state-" });
  try {
    const path = `${dir}/state.json`;
    assert.equal(await readStateFile(path), undefined);
    for (
      const text of [
        "{",
        "[]",
        "null",
        JSON.stringify({ ...STATE, phase: "dancing" }),
        JSON.stringify({ ...STATE, session: [] }),
      ]
    ) {
      await Deno.writeTextFile(path, text);
      assert.equal(await readStateFile(path), undefined, text);
    }
    const { id: _, ...noId } = STATE;
    await Deno.writeTextFile(path, JSON.stringify(noId));
    assert.equal(await readStateFile(path), undefined, "no id");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
