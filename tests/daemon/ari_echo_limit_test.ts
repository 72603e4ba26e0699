/**
 * Errors name what the client sent, clipped: a 4 MB field never comes back whole.
 */
import assert from "node:assert/strict";
import { rpcError, startTestDaemon } from "./ari_helpers.ts";
import { withRunsDaemon } from "./runs_helpers.ts";

const HUGE = "x".repeat(4 * 1024 * 1024);
// The clipped value (80 characters, then its length) plus the words around it.
const SHORT = 400;

function assertClipped(what: string, err: { code?: number; message: string }, code = -32602) {
  assert.equal(err.code, code, `${what}: ${err.message.slice(0, 200)}`);
  assert.ok(err.message.length < SHORT, `${what}: ${err.message.length} chars back`);
  assert.match(err.message, /x{79}… \(4194304 chars\)/, what);
}

Deno.test("ARI errors clip echoed params (selectors, paths, record keys)", async () => {
  const t = await startTestDaemon();
  try {
    const c = t.client;
    const cases: [string, unknown][] = [
      ["workspace/list", { fieldSelector: { [HUGE]: "x" } }],
      ["workspace/create", {
        metadata: { name: "w" },
        spec: { source: { type: "local", path: HUGE } },
      }],
      ["workspace/create", {
        metadata: { name: "w" },
        spec: { source: { type: "local", path: "/" + HUGE.slice(1) } },
      }],
      ["agent/create", {
        metadata: { name: "ok", labels: { [HUGE]: 5 } },
        spec: { command: "x" },
      }],
    ];
    for (const [method, params] of cases) {
      assertClipped(method, await rpcError(() => c.request(method, params)));
    }
  } finally {
    await t.close();
  }
});

Deno.test("ARI errors clip an echoed watchId", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    assertClipped(
      "agentrun/unwatch",
      await rpcError(() => c.call("agentrun/unwatch", { watchId: HUGE })),
    );
  });
});
