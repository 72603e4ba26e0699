import assert from "node:assert/strict";
import { KeyedMutex } from "./keyed_mutex.ts";

Deno.test("keyed mutex: same key in order, other keys in parallel", async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  const step = (name: string, ms: number) =>
    m.run(name[0], async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
    });
  await Promise.all([step("a1", 30), step("a2", 1), step("b1", 5)]);
  assert.ok(log.indexOf("a1-") < log.indexOf("a2+"), log.join(","));
  assert.ok(log.indexOf("b1+") < log.indexOf("a1-"), log.join(","));
  assert.equal(m.busy("a"), false);
  await assert.rejects(m.run("a", () => Promise.reject(new Error("x"))));
  assert.equal(await m.run("a", () => Promise.resolve(7)), 7, "a failure does not block the key");
});
