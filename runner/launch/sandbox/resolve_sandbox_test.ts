import assert from "node:assert/strict";
import { applySandbox, narrowSandbox, SandboxPolicyError } from "./resolve_sandbox.ts";
import type { SandboxDetection } from "./detect_bwrap.ts";

const works: SandboxDetection = { ok: true, host: { bwrap: "/usr/bin/bwrap" } };
const broken: SandboxDetection = { ok: false, reason: "bwrap not found on PATH" };

function policyError(kind: "invalid" | "unavailable", pattern: RegExp) {
  return (err: unknown) =>
    err instanceof SandboxPolicyError && err.kind === kind && pattern.test(err.message);
}

Deno.test("narrowSandbox: defaults are auto, host network, no paths", () => {
  assert.deepEqual(narrowSandbox(), { mode: "auto", network: "host", paths: [] });
  assert.deepEqual(narrowSandbox({ mode: "none", paths: ["/opt/a"] }), {
    mode: "none",
    network: "host",
    paths: ["/opt/a"],
  });
});

Deno.test("narrowSandbox: a run may narrow its agent's sandbox", () => {
  const agent = { mode: "none" as const, network: "host" as const, paths: ["/a", "/b"] };
  assert.deepEqual(narrowSandbox(agent, { mode: "bwrap", network: "none", paths: ["/a"] }), {
    mode: "bwrap",
    network: "none",
    paths: ["/a"],
  });
  assert.deepEqual(narrowSandbox({ mode: "auto" }, { mode: "bwrap" }).mode, "bwrap");
  assert.deepEqual(narrowSandbox(agent, { paths: [] }).paths, []);
});

Deno.test("narrowSandbox: a run never widens it", () => {
  assert.throws(() => narrowSandbox({}, { mode: "none" }), policyError("invalid", /mode none/));
  assert.throws(
    () => narrowSandbox({ mode: "bwrap" }, { mode: "auto" }),
    policyError("invalid", /mode auto/),
  );
  assert.throws(
    () => narrowSandbox({ network: "none" }, { network: "host" }),
    policyError("invalid", /network host/),
  );
  assert.throws(
    () => narrowSandbox({ paths: ["/a"] }, { paths: ["/a", "/etc/shadow"] }),
    policyError("invalid", /\/etc\/shadow/),
  );
});

Deno.test("applySandbox: auto is bwrap where it works, else none with the reason", () => {
  const req = narrowSandbox({ network: "none" });
  assert.deepEqual(applySandbox(req, works), { mode: "bwrap", network: "none", paths: [] });
  assert.deepEqual(applySandbox(req, broken), {
    mode: "none",
    network: "host",
    paths: [],
    reason: "bwrap not found on PATH",
  });
});

Deno.test("applySandbox: bwrap where it cannot work is an error; none says it is unconfined", () => {
  assert.throws(
    () => applySandbox(narrowSandbox({ mode: "bwrap" }), broken),
    policyError("unavailable", /bwrap not found/),
  );
  const none = applySandbox(narrowSandbox({ mode: "none", network: "none" }), works);
  assert.equal(none.mode, "none");
  assert.equal(none.network, "host", "unconfined is the host network, whatever was asked");
  assert.match(none.reason ?? "", /unconfined/);
});
