import assert from "node:assert/strict";
import {
  decidePermission,
  inferToolKind,
  type PermissionOption,
  UnknownPolicyError,
} from "./permission_policy.ts";

const ALL: PermissionOption[] = [
  { optionId: "ra", kind: "reject_always" },
  { optionId: "aa", kind: "allow_always" },
  { optionId: "ro", kind: "reject_once" },
  { optionId: "ao", kind: "allow_once" },
];

Deno.test("inferToolKind: kind wins; else the first keyword that starts a title word", () => {
  assert.equal(inferToolKind({ kind: "edit", title: "Read file" }), "edit");
  assert.equal(inferToolKind({ title: "Read file: x" }), "read");
  assert.equal(inferToolKind({ title: "Reading README.md" }), "read");
  assert.equal(inferToolKind({ title: "cat foo" }), "read");
  assert.equal(inferToolKind({ title: "grep -r x" }), "search");
  assert.equal(inferToolKind({ title: "Find files" }), "search");
  assert.equal(inferToolKind({ title: "Write hello.txt" }), "edit");
  assert.equal(inferToolKind({ title: "apply patch" }), "edit");
  assert.equal(inferToolKind({ title: "Remove dir" }), "delete");
  assert.equal(inferToolKind({ title: "Run: npm test" }), "execute");
  assert.equal(inferToolKind({ title: "bash" }), "execute");
  assert.equal(inferToolKind({ title: "HTTP GET" }), "fetch");
  assert.equal(inferToolKind({ title: "Thinking" }), "think");
  // Only the text before the first ':' counts; words, not substrings.
  assert.equal(inferToolKind({ title: "Tool: read x" }), "other");
  assert.equal(inferToolKind({ title: "thread dump" }), "other");
  assert.equal(inferToolKind({ title: "catalog" }), "read"); // "cat…" starts the word
  assert.equal(inferToolKind({}), "other");
  assert.equal(inferToolKind(null), "other");
});

Deno.test("approve_all prefers allow_once, then allow_always, then the first option", () => {
  assert.deepEqual(decidePermission("approve_all", { options: ALL }).outcome, {
    outcome: "selected",
    optionId: "ao",
  });
  assert.deepEqual(
    decidePermission("approve_all", { options: ALL.filter((o) => o.kind !== "allow_once") })
      .outcome,
    { outcome: "selected", optionId: "aa" },
  );
  assert.deepEqual(
    decidePermission("approve_all", { options: [{ optionId: "x", kind: "reject_once" }] })
      .outcome,
    { outcome: "selected", optionId: "x" },
  );
  assert.deepEqual(decidePermission("approve_all", { options: [] }).outcome, {
    outcome: "cancelled",
  });
});

Deno.test("deny_all prefers reject_once, then reject_always, else cancelled", () => {
  assert.deepEqual(decidePermission("deny_all", { options: ALL }).outcome, {
    outcome: "selected",
    optionId: "ro",
  });
  assert.deepEqual(
    decidePermission("deny_all", { options: ALL.filter((o) => o.kind !== "reject_once") })
      .outcome,
    { outcome: "selected", optionId: "ra" },
  );
  assert.deepEqual(
    decidePermission("deny_all", { options: [{ optionId: "a", kind: "allow_once" }] }).outcome,
    { outcome: "cancelled" },
  );
});

Deno.test("approve_reads allows read, search and think; rejects the rest", () => {
  for (const kind of ["read", "search", "think"]) {
    assert.deepEqual(
      decidePermission("approve_reads", { toolCall: { kind }, options: ALL }).outcome,
      { outcome: "selected", optionId: "ao" },
      kind,
    );
  }
  for (const kind of ["edit", "delete", "execute", "fetch", "move", "other"]) {
    assert.deepEqual(
      decidePermission("approve_reads", { toolCall: { kind }, options: ALL }).outcome,
      { outcome: "selected", optionId: "ro" },
      kind,
    );
  }
  assert.deepEqual(
    decidePermission("approve_reads", { toolCall: { title: "Read x" }, options: ALL }).outcome,
    { outcome: "selected", optionId: "ao" },
  );
});

Deno.test("an unknown policy fails closed; ask is not decided by a rule", () => {
  assert.throws(() => decidePermission("bogus", { options: ALL }), UnknownPolicyError);
  assert.throws(() => decidePermission("ask", { options: ALL }), /waits for a client/);
});
