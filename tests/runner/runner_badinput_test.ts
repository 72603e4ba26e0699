/**
 * Bad input never crashes or hangs an agent-run: a bad bundle exits non-zero with one line on
 * stderr and no socket; malformed, oversized and ill-typed frames on the runner socket get an
 * error (or a closed connection) while the agent-run keeps serving.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { errorCode } from "../../specs/errors.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import type { RuntimeConfigInput } from "../../specs/runtime.ts";
import { deadline } from "../support/wait.ts";
import {
  socketExists,
  status,
  type TestBundle,
  text,
  waitForPhase,
  withRunner,
  withRunnerProcess,
} from "./harness.ts";

type Breaker = (b: TestBundle) => Promise<void>;

const withConfig = (patch: (c: Record<string, unknown>) => void): Breaker => async (b) => {
  const c = structuredClone(b.config) as unknown as Record<string, unknown>;
  patch(c);
  await b.writeConfig(c as unknown as RuntimeConfigInput);
};

const BAD_BUNDLES: [string, Breaker, RegExp][] = [
  ["missing config.json", (b) => Deno.remove(b.configPath), /cannot read .*config\.json/],
  ["config.json not JSON", (b) => Deno.writeTextFile(b.configPath, "{nope"), /not valid JSON/],
  ["wrong clientProtocol", withConfig((c) => (c.clientProtocol = "mcp")), /clientProtocol/],
  ["massVersion 1.x", withConfig((c) => (c.massVersion = "1.0.0")), /massVersion/],
  ["absolute agentRoot", withConfig((c) => (c.agentRoot = { path: "/tmp" })), /agentRoot/],
  [
    "unknown permission policy",
    withConfig((c) => ((c.session as Record<string, unknown>) = { permissions: "ask_me" })),
    /session\.permissions/,
  ],
  ["missing workspace", (b) => Deno.remove(b.workspace, { recursive: true }), /agentRoot\.path/],
  ["no process.command", withConfig((c) => (c.process = { args: [] })), /process\.command/],
];

for (const [name, breakIt, message] of BAD_BUNDLES) {
  Deno.test(`bad bundle (${name}): exit 1, one line on stderr, no socket`, async () => {
    await withRunnerProcess({ prepare: breakIt }, async ({ bundle, runner }) => {
      const st = await runner.wait(20_000);
      const stderr = await runner.stderr;
      assert.equal(st.code, 1);
      assert.equal(stderr.trimEnd().split("\n").length, 1, `one line: ${stderr}`);
      assert.match(stderr, /^mass run: /);
      assert.match(stderr, message);
      assert.equal(await socketExists(bundle.socket), false);
      await assert.rejects(Deno.stat(join(bundle.dir, "state.json")));
    });
  });
}

Deno.test("bad --permissions value: non-zero exit before anything starts", async () => {
  const runnerArgs = ["--permissions", "yolo"];
  await withRunnerProcess({ runnerArgs }, async ({ bundle, runner }) => {
    assert.notEqual((await runner.wait(20_000)).code, 0);
    assert.match(await runner.stderr, /yolo/);
    assert.equal(await socketExists(bundle.socket), false);
  });
});

/** Sends raw bytes on a fresh connection; returns what came back before `ms` or close. */
async function raw(socket: string, data: Uint8Array, ms = 3_000): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path: socket });
  const chunks: Uint8Array[] = [];
  const reading = (async () => {
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return;
      chunks.push(buf.slice(0, n));
      if (new TextDecoder().decode(buf.subarray(0, n)).includes("\n")) return;
    }
  })();
  const writing = (async () => {
    let off = 0;
    while (off < data.length) off += await conn.write(data.subarray(off));
  })().catch(() => {});
  await deadline(reading, ms, "a reply").catch(() => {});
  await writing;
  conn.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("malformed, oversized and ill-typed frames: errors, and the runner stays up", async () => {
  const enc = new TextEncoder();
  await withRunner({}, async ({ bundle, runner, peer }) => {
    await waitForPhase(peer, "idle");
    const parse = JSON.parse(await raw(bundle.socket, enc.encode("{not json\n")));
    assert.equal(parse.error.code, -32700);
    const invalid = JSON.parse(await raw(bundle.socket, enc.encode('{"foo":1}\n')));
    assert.equal(invalid.error.code, -32600);
    const unknown = JSON.parse(
      await raw(bundle.socket, enc.encode('{"jsonrpc":"2.0","id":1,"method":"nope/x"}\n')),
    );
    assert.equal(unknown.error.code, -32601);
    // 9 MiB without a newline: over the frame cap.
    const big = new Uint8Array(9 * 1024 * 1024).fill(0x61);
    const tooBig = await raw(bundle.socket, big, 10_000);
    assert.ok(tooBig === "" || JSON.parse(tooBig).error.code === -32600, tooBig.slice(0, 200));

    await assert.rejects(
      peer.request(RunnerMethods.prompt, { prompt: [] }),
      (err) => errorCode(err) === -32602 && /missing prompt/.test((err as Error).message),
    );
    await assert.rejects(
      peer.request(RunnerMethods.prompt, { prompt: "hello" }),
      (err) => errorCode(err) === -32602,
    );
    await assert.rejects(
      peer.request(RunnerMethods.prompt, [1, 2]),
      (err) => errorCode(err) === -32602,
    );
    await assert.rejects(
      peer.request(RunnerMethods.setModel, {}),
      (err) => errorCode(err) === -32602 && /modelId/.test((err as Error).message),
    );
    await assert.rejects(
      peer.request(RunnerMethods.setConfigOption, { configId: "model", value: 3 }),
      (err) => errorCode(err) === -32602,
    );
    // Still serving, and still able to run a turn.
    assert.equal((await status(peer)).state.phase, "idle");
    const res = await peer.request<{ stopReason: string }>(RunnerMethods.prompt, text("say ok"), {
      timeoutMs: 20_000,
    });
    assert.equal(res.stopReason, "end_turn");
    assert.equal((await runner.stop(peer)).code, 0);
  });
});
