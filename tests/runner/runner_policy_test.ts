/**
 * ACP client duties of a real agent-run: permission policies (config and --permissions), and
 * fs/* served only inside the workspace, checked on real paths.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { PermissionPolicy } from "../../specs/runtime.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { EventCollector, makeBundle, Runner, text, waitForPhase } from "./harness.ts";

/** Runs one prompt and returns the concatenated agent_message text of that turn. */
async function say(runner: Runner, prompt: string): Promise<string> {
  const watch = await EventCollector.watch(runner.bundle.socket);
  const peer = await runner.dial();
  try {
    const res = await peer.request<{ turnId: string }>(RunnerMethods.prompt, text(prompt), {
      timeoutMs: 20_000,
    });
    await watch.waitFor((e) => e.type === "turn_end" && e.turnId === res.turnId);
    return watch.events
      .filter((e) => e.type === "agent_message" && e.turnId === res.turnId)
      .map((e) => e.type === "agent_message" && e.payload.content.text)
      .join("\n");
  } finally {
    watch.close();
    peer.close();
  }
}

const PERMISSION_PROMPT = [
  "permission read Read a file",
  "permission edit Edit a file",
  "permission other Reading the docs",
].join("\n");

/** The fixed policies (`ask` waits for a client: tests/runner/runner_ask_test.ts). */
const EXPECTED: Record<Exclude<PermissionPolicy, "ask">, string[]> = {
  approve_all: ["selected:allow_once", "selected:allow_once", "selected:allow_once"],
  approve_reads: ["selected:allow_once", "selected:reject_once", "selected:reject_once"],
  deny_all: ["selected:reject_once", "selected:reject_once", "selected:reject_once"],
};

for (const policy of Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]) {
  Deno.test(`permission policy ${policy}`, async () => {
    const bundle = await makeBundle({ session: { permissions: policy, mcpServers: [] } });
    const runner = new Runner(bundle);
    try {
      const peer = await runner.dial();
      await waitForPhase(peer, "idle");
      const out = await say(runner, PERMISSION_PROMPT);
      const got = [...out.matchAll(/permission:(\w+:\w+)/g)].map((m) => m[1]);
      assert.deepEqual(got, EXPECTED[policy]);
      assert.equal((await runner.stop(peer)).code, 0);
      peer.close();
    } finally {
      await runner.kill();
      await runner.stderr;
      await bundle.cleanup();
    }
  });
}

Deno.test("--permissions overrides session.permissions", async () => {
  const bundle = await makeBundle({ session: { permissions: "approve_all", mcpServers: [] } });
  const runner = new Runner(bundle, ["--permissions", "deny_all"]);
  try {
    const peer = await runner.dial();
    await waitForPhase(peer, "idle");
    const out = await say(runner, "permission read Read x");
    assert.match(out, /permission:selected:reject_once/);
    assert.equal((await runner.stop(peer)).code, 0);
    peer.close();
  } finally {
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  }
});

Deno.test("fs: inside the workspace works; ../ and symlinks out are refused", async () => {
  const bundle = await makeBundle({ files: { "a.txt": "one\ntwo\nthree\n" } });
  const secret = join(bundle.root, "secret.txt");
  await Deno.writeTextFile(secret, "top secret");
  await Deno.symlink(secret, join(bundle.workspace, "link.txt"));
  await Deno.symlink(bundle.root, join(bundle.workspace, "up"));
  const runner = new Runner(bundle);
  try {
    const peer = await runner.dial();
    await waitForPhase(peer, "idle");
    assert.match(await say(runner, "read a.txt"), /read:ok:one\ntwo\nthree/);
    assert.match(await say(runner, "write sub/dir/b.txt hello\\nworld"), /write:ok/);
    assert.equal(
      await Deno.readTextFile(join(bundle.workspace, "sub/dir/b.txt")),
      "hello\nworld",
    );
    assert.match(await say(runner, "read ../secret.txt"), /read:error:.*outside the workspace/);
    assert.match(await say(runner, "read link.txt"), /read:error:.*outside the workspace/);
    assert.match(await say(runner, "read up/secret.txt"), /read:error:.*outside the workspace/);
    assert.match(await say(runner, "write link.txt pwned"), /write:error:.*outside/);
    assert.match(await say(runner, "write up/new.txt pwned"), /write:error:.*outside/);
    assert.match(await say(runner, "write ../new.txt pwned"), /write:error:.*outside/);
    assert.match(await say(runner, "read missing.txt"), /read:error:/);
    assert.equal(await Deno.readTextFile(secret), "top secret");
    await assert.rejects(Deno.stat(join(bundle.root, "new.txt")));
    assert.equal((await runner.stop(peer)).code, 0);
    peer.close();
  } finally {
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  }
});
