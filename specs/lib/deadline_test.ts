import assert from "node:assert/strict";
import { deadline } from "./deadline.ts";

Deno.test("deadline: the value when the promise is in time", async () => {
  assert.equal(await deadline(Promise.resolve("ok"), 60_000, "never shown"), "ok");
});

Deno.test("deadline: rejects with the given message when the time passes first", async () => {
  await assert.rejects(deadline(new Promise(() => {}), 5, "waiting for x"), {
    message: "waiting for x",
  });
});

Deno.test("deadline: the promise's own rejection passes through", async () => {
  await assert.rejects(deadline(Promise.reject(new Error("boom")), 60_000, "late"), /boom/);
});
