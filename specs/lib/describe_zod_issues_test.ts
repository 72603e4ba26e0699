import assert from "node:assert/strict";
import { describeZodIssues } from "./describe_zod_issues.ts";

Deno.test("describeZodIssues: field paths, at most three problems, one line", () => {
  const issue = (path: PropertyKey[], message: string) => ({ path, message });
  assert.equal(
    describeZodIssues([
      issue(["a", "b", 0], "bad"),
      issue([], "top"),
      issue(["c"], "worse"),
      issue(["d"], "dropped"),
    ]),
    "a.b.0: bad; top; c: worse",
  );
  assert.equal(describeZodIssues([]), "");
});
