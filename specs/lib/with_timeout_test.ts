import assert from "node:assert/strict";
import { withTimeout } from "./with_timeout.ts";

Deno.test("withTimeout: the value when the promise is in time", async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 60_000), 7);
});

Deno.test("withTimeout: undefined when the time passes first", async () => {
  assert.equal(await withTimeout(new Promise<number>(() => {}), 5), undefined);
});

Deno.test("withTimeout: a rejection passes through", async () => {
  await assert.rejects(withTimeout(Promise.reject(new Error("boom")), 60_000), /boom/);
});
