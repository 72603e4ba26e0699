import assert from "node:assert/strict";
import { ratio, summarize } from "./stats.ts";

Deno.test("summarize: median, p90, min and max; NaN samples are left out", () => {
  assert.deepEqual(summarize([3, 1, 2, NaN]), { n: 3, median: 2, p90: 2.8, min: 1, max: 3 });
  assert.deepEqual(summarize([5]), { n: 1, median: 5, p90: 5, min: 5, max: 5 });
  assert.equal(summarize([]).n, 0);
  assert.ok(Number.isNaN(summarize([]).median));
});

Deno.test("ratio: a / b, NaN when either side is missing or b is 0", () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.ok(Number.isNaN(ratio(undefined, 2)));
  assert.ok(Number.isNaN(ratio(1, 0)));
});
