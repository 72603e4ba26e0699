/**
 * Property tests of the compose and agent file parsers (ctl/cli): random text, random
 * objects and mutated valid files give either a valid result or one clean CliError line
 * naming the file, never another exception.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { stringify } from "yaml";
import { AgentSchema } from "../../specs/ari.ts";
import { isValidName } from "../../specs/names.ts";
import { parseCompose } from "../../ctl/cli/compose.ts";
import { CliError } from "../../ctl/cli/errors.ts";
import { parseYamlWith } from "../../ctl/cli/yaml_file.ts";
import { fuzzRuns } from "./fuzz_runs.ts";

const VALID_COMPOSE = {
  kind: "workspace-compose",
  metadata: { name: "team", labels: { owner: "me" } },
  spec: {
    source: { type: "emptyDir" },
    runs: [{ name: "coder", agent: "demo", restartPolicy: "on-failure", turnTimeoutSeconds: 60 }],
  },
};
const VALID_AGENT = {
  kind: "Agent",
  metadata: { name: "a1" },
  spec: { command: "x", args: ["y"] },
};

/** `obj` with the value at one random path replaced by a random value. */
function mutated(obj: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    }
  };
  walk(obj, []);
  return fc.tuple(fc.constantFrom(...paths.slice(1)), fc.anything({ maxDepth: 2 })).map(
    ([p, value]) => {
      const copy = structuredClone(obj) as Record<string | number, unknown>;
      let at = copy;
      for (const k of p.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
      at[p[p.length - 1]] = value;
      return copy;
    },
  );
}

function yamlOf(v: unknown): string {
  try {
    return stringify(v) ?? ""; // undefined for undefined
  } catch {
    return String(v);
  }
}

const texts = (valid: unknown) =>
  fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(..."ab: -\n[]{}'\"#&*!|>%@`,?"), maxLength: 120 }),
    fc.anything({ maxDepth: 3 }).map(yamlOf),
    mutated(valid).map(yamlOf),
  );

function assertCleanError(err: unknown, file: string): void {
  assert.ok(err instanceof CliError, `not a CliError: ${err instanceof Error ? err.stack : err}`);
  assert.ok(err.message.startsWith(file), `message does not name the file: ${err.message}`);
  assert.ok(!err.message.includes("\n"), `more than one line: ${err.message}`);
}

Deno.test("fuzz: compose files parse to a valid plan or one clean CliError line", () => {
  fc.assert(
    fc.property(texts(VALID_COMPOSE), (text) => {
      let plan;
      try {
        plan = parseCompose(text, "compose.yaml", { baseDir: "/base" });
      } catch (err) {
        assertCleanError(err, "compose.yaml");
        return;
      }
      assert.ok(isValidName(plan.workspace), `plan workspace ${plan.workspace}`);
      for (const r of plan.runs) {
        assert.ok(isValidName(r.metadata.name));
        assert.equal(r.metadata.workspace, plan.workspace);
      }
    }),
    { numRuns: fuzzRuns(3_000) },
  );
});

Deno.test("fuzz: agent files parse to a valid Agent or one clean CliError line", () => {
  fc.assert(
    fc.property(texts(VALID_AGENT), (text) => {
      try {
        // Names are agentd's to check (-32602); the file only has to match the schema.
        const agent = parseYamlWith(AgentSchema, text, "agent.yaml");
        assert.equal(typeof agent.metadata.name, "string");
        assert.equal(typeof agent.spec.command, "string");
      } catch (err) {
        assertCleanError(err, "agent.yaml");
      }
    }),
    { numRuns: fuzzRuns(3_000) },
  );
});

Deno.test("compose: an alias to an anchor that is not set is a clean CliError (found by fuzzing)", () => {
  for (const text of ["*a", "kind: *k\n"]) {
    assert.throws(
      () => parseCompose(text, "compose.yaml"),
      (err: unknown) =>
        err instanceof CliError && /^compose\.yaml: invalid YAML: /.test(err.message),
    );
  }
});
