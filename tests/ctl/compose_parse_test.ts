/**
 * Compose files: validation errors name the field and its line; `empty` and relative paths
 * are normalised; the plan carries the runs as ARI objects.
 */
import assert from "node:assert/strict";
import { parseCompose } from "../../ctl/cli/compose.ts";
import { CliError } from "../../ctl/cli/errors.ts";

function errorOf(text: string): string {
  try {
    parseCompose(text, "c.yaml", { baseDir: "/base" });
  } catch (err) {
    assert.ok(err instanceof CliError, `expected CliError, got ${err}`);
    assert.ok(!err.message.includes("\n"), "one line");
    return err.message;
  }
  assert.fail("expected a validation error");
}

const GOOD = `kind: workspace-compose
metadata:
  name: team
spec:
  source:
    type: local
    path: ./src
  runs:
    - name: coder
      agent: demo
      systemPrompt: you write code
      permissions: approve_reads
    - name: reviewer
      agent: demo
      workflowFile: flows/review.md
      restartPolicy: on-failure
      terminal: true
`;

Deno.test("parseCompose: a valid file becomes a plan with absolute paths", () => {
  const plan = parseCompose(GOOD, "/base/compose.yaml", { baseDir: "/base" });
  assert.equal(plan.workspace, "team");
  assert.deepEqual(plan.source, { type: "local", path: "/base/src" });
  assert.equal(plan.runs.length, 2);
  assert.deepEqual(plan.runs[0].metadata, { name: "coder", workspace: "team" });
  assert.equal(plan.runs[0].spec.agent, "demo");
  assert.equal(plan.runs[0].spec.permissions, "approve_reads");
  assert.equal(plan.runs[1].spec.workflowFile, "/base/flows/review.md");
  assert.equal(plan.runs[1].spec.restartPolicy, "on-failure");
  assert.equal(plan.runs[1].spec.terminal, true);
  assert.equal(plan.runs[0].spec.terminal, undefined);
  assert.equal(plan.runs[1].spec.worktree, undefined);
});

Deno.test("parseCompose: worktree takes true/false or {enabled, base, branch}; bad refs fail", () => {
  const file = (wt: string) =>
    `kind: workspace-compose\nmetadata: {name: w}\nspec:\n  source: {type: emptyDir}\n  runs:\n    - {name: a, agent: demo, worktree: ${wt}}\n`;
  const spec = (wt: string) => parseCompose(file(wt), "/b/c.yaml", { baseDir: "/b" }).runs[0].spec;
  assert.equal(spec("false").worktree, undefined);
  assert.deepEqual(spec("true").worktree, { enabled: true });
  assert.deepEqual(spec("{enabled: true, base: main, branch: feat/x}").worktree, {
    enabled: true,
    base: "main",
    branch: "feat/x",
  });
  assert.throws(() => spec("{enabled: true, branch: '-x'}"), /worktree/);
});

Deno.test("parseCompose: --workspace overrides metadata.name for the runs too", () => {
  const plan = parseCompose(GOOD, "/base/compose.yaml", { baseDir: "/base", workspace: "other" });
  assert.equal(plan.workspace, "other");
  assert.equal(plan.runs[0].metadata.workspace, "other");
});

Deno.test("parseCompose: empty is an alias of emptyDir; git passes through", () => {
  const base = "kind: workspace-compose\nmetadata: {name: w}\nspec:\n  source:\n";
  assert.deepEqual(parseCompose(base + "    type: empty\n", "c.yaml").source, { type: "emptyDir" });
  assert.deepEqual(parseCompose(base + "    type: emptyDir\n", "c.yaml").source, {
    type: "emptyDir",
  });
  assert.deepEqual(
    parseCompose(base + "    type: git\n    url: https://x/y.git\n    ref: main\n", "c.yaml")
      .source,
    { type: "git", url: "https://x/y.git", ref: "main" },
  );
  assert.deepEqual(parseCompose(base + "    type: empty\n", "c.yaml").runs, []);
});

Deno.test("compose errors: bad kind names kind and line 1", () => {
  const msg = errorOf(GOOD.replace("workspace-compose", "workspace"));
  assert.match(msg, /^c\.yaml:1: kind: expected "workspace-compose"/);
});

Deno.test("compose errors: missing kind is 'required'", () => {
  const msg = errorOf(GOOD.replace("kind: workspace-compose\n", ""));
  assert.match(msg, /c\.yaml(:\d+)?: kind: is required/);
});

Deno.test("compose errors: missing run field names the run and the line of its parent", () => {
  const text = GOOD.replace("      agent: demo\n      systemPrompt", "      systemPrompt");
  const msg = errorOf(text);
  // runs[0] starts on line 9 ("- name: coder").
  assert.match(msg, /^c\.yaml:9: spec\.runs\[0\]\.agent: is required/);
});

Deno.test("compose errors: wrong type names the field and its own line", () => {
  const msg = errorOf(
    GOOD.replace("agent: demo\n      workflowFile", "agent: [1]\n      workflowFile"),
  );
  assert.match(msg, /^c\.yaml:14: spec\.runs\[1\]\.agent: expected string, received array/);
});

Deno.test("compose errors: unknown source type, unknown field, bad enum, bad name", () => {
  assert.match(errorOf(GOOD.replace("type: local", "type: s3")), /^c\.yaml:6: spec\.source\.type:/);
  assert.match(
    errorOf(
      GOOD.replace(
        "      agent: demo\n      systemPrompt",
        "      agnet: demo\n      agent: demo\n      systemPrompt",
      ),
    ),
    /^c\.yaml:10: spec\.runs\[0\]\.agnet: unknown field/,
  );
  assert.match(
    errorOf(GOOD.replace("approve_reads", "yolo")),
    /^c\.yaml:12: spec\.runs\[0\]\.permissions:/,
  );
  assert.match(
    errorOf(GOOD.replace("name: team", "name: ../x")),
    /^c\.yaml:3: metadata\.name: invalid name/,
  );
  assert.match(
    errorOf(GOOD.replace("name: reviewer", "name: coder")),
    /^c\.yaml:13: spec\.runs\[1\]\.name: duplicate run name "coder"/,
  );
});

Deno.test("compose errors: YAML syntax errors carry a line; empty file is refused", () => {
  assert.match(errorOf("kind: workspace-compose\nmetadata: [\n"), /^c\.yaml:\d+: invalid YAML/);
  assert.match(errorOf(""), /^c\.yaml: the file is empty/);
  assert.match(errorOf("just a string"), /^c\.yaml:1: \(top level\): expected object/);
});
