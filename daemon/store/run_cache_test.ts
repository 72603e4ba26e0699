import assert from "node:assert/strict";
import type { AgentRun } from "../../specs/ari.ts";
import { RunCache } from "./run_cache.ts";

function run(phase: AgentRun["status"]["phase"]): AgentRun {
  return {
    kind: "AgentRun",
    metadata: { workspace: "w", name: "a" },
    spec: { agent: "demo" },
    status: { phase },
  };
}

/** A loader that counts its calls and answers from `current`. */
function loader(current: { value: AgentRun | null }) {
  const calls = { n: 0 };
  const load = () => {
    calls.n++;
    return Promise.resolve(current.value);
  };
  return { calls, load };
}

Deno.test("RunCache: a settled read is served from the cache until invalidated", async () => {
  const cache = new RunCache();
  const current = { value: run("idle") as AgentRun | null };
  const { calls, load } = loader(current);
  assert.equal((await cache.read("w/a", load))?.status.phase, "idle");
  current.value = run("running");
  assert.equal((await cache.read("w/a", load))?.status.phase, "idle");
  assert.equal(calls.n, 1);
  cache.invalidate();
  assert.equal((await cache.read("w/a", load))?.status.phase, "running");
  assert.equal(calls.n, 2);
});

Deno.test("RunCache: absence is cached too", async () => {
  const cache = new RunCache();
  const { calls, load } = loader({ value: null });
  assert.equal(await cache.read("w/a", load), undefined);
  assert.equal(await cache.read("w/a", load), undefined);
  assert.equal(calls.n, 1);
});

Deno.test("RunCache: a read that overlapped an invalidation is not cached", async () => {
  const cache = new RunCache();
  const current = { value: run("idle") as AgentRun | null };
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const slow = cache.read("w/a", async () => {
    const seen = current.value;
    await gate;
    return seen;
  });
  // A write lands while the read is in flight: the read's (old) value must not stick.
  current.value = run("running");
  cache.invalidate();
  release();
  assert.equal((await slow)?.status.phase, "idle");
  const { calls, load } = loader(current);
  assert.equal((await cache.read("w/a", load))?.status.phase, "running");
  assert.equal(calls.n, 1);
});

Deno.test("RunCache: callers get copies, not the cached object", async () => {
  const cache = new RunCache();
  const { load } = loader({ value: run("idle") });
  const first = await cache.read("w/a", load);
  first!.status.phase = "error";
  assert.equal((await cache.read("w/a", load))?.status.phase, "idle");
});

Deno.test("RunCache: entries are per id", async () => {
  const cache = new RunCache();
  await cache.read("w/a", () => Promise.resolve(run("idle")));
  const { calls, load } = loader({ value: null });
  assert.equal(await cache.read("w/b", load), undefined);
  assert.equal(calls.n, 1);
});
