import assert from "node:assert/strict";
import { resolveEnvVars } from "./resolve_env.ts";
import { AgentSpecSchema } from "../specs/ari.ts";

Deno.test("resolveEnvVars: literal values, host variables by name, unset ones left out", () => {
  const host = { MY_KEY: "k", SAME: "s" };
  assert.deepEqual(
    resolveEnvVars([
      { name: "A", value: "1" },
      { name: "KEY", valueFrom: { env: "MY_KEY" } },
      { name: "SAME", fromHost: true },
      { name: "GONE", fromHost: true },
      { name: "A", value: "2" },
    ], host),
    { A: "2", KEY: "k", SAME: "s" },
  );
  assert.deepEqual(resolveEnvVars(undefined, host), {});
});

Deno.test("EnvVarSpec: exactly one source per entry", () => {
  const parse = (env: unknown) => AgentSpecSchema.safeParse({ command: "x", env }).success;
  assert.equal(parse([{ name: "A", value: "" }]), true);
  assert.equal(parse([{ name: "A", fromHost: true }]), true);
  assert.equal(parse([{ name: "A" }]), false);
  assert.equal(parse([{ name: "A", value: "1", fromHost: true }]), false);
  assert.equal(parse([{ name: "A=B", value: "1" }]), false);
});
