/**
 * ACP client duties of a real agent-run: permission policies (config and --permissions), and
 * fs/* served only inside the workspace, checked on real paths.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { PermissionPolicy } from "../../specs/runtime.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import {
  EventCollector,
  type Runner,
  type RunnerOptions,
  type TestBundle,
  text,
  waitForPhase,
  withRunner,
} from "./harness.ts";

/** Runs `fn` once the agent-run is idle; a clean runtime/stop (exit 0) ends the test. */
async function withIdleRun(opts: RunnerOptions, fn: (runner: Runner) => Promise<void>) {
  await withRunner(opts, async ({ runner, peer }) => {
    await waitForPhase(peer, "idle");
    await fn(runner);
    assert.equal((await runner.stop(peer)).code, 0);
  });
}

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
    await withIdleRun({ session: { permissions: policy, mcpServers: [] } }, async (runner) => {
      const out = await say(runner, PERMISSION_PROMPT);
      const got = [...out.matchAll(/permission:(\w+:\w+)/g)].map((m) => m[1]);
      assert.deepEqual(got, EXPECTED[policy]);
    });
  });
}

Deno.test("--permissions overrides session.permissions", async () => {
  await withIdleRun({
    session: { permissions: "approve_all", mcpServers: [] },
    runnerArgs: ["--permissions", "deny_all"],
  }, async (runner) => {
    const out = await say(runner, "permission read Read x");
    assert.match(out, /permission:selected:reject_once/);
  });
});

Deno.test("fs: inside the workspace works; ../ and symlinks out are refused", async () => {
  const secretIn = (bundle: TestBundle) => join(bundle.root, "secret.txt");
  const prepare = async (bundle: TestBundle) => {
    await Deno.writeTextFile(secretIn(bundle), "top secret");
    await Deno.symlink(secretIn(bundle), join(bundle.workspace, "link.txt"));
    await Deno.symlink(bundle.root, join(bundle.workspace, "up"));
  };
  await withIdleRun({ files: { "a.txt": "one\ntwo\nthree\n" }, prepare }, async (runner) => {
    const { bundle } = runner;
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
    assert.equal(await Deno.readTextFile(secretIn(bundle)), "top secret");
    await assert.rejects(Deno.stat(join(bundle.root, "new.txt")));
  });
});
