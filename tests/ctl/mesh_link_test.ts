/**
 * The mesh's connection to agentd, against a real daemon: it dials lazily, dials again after
 * agentd restarts, and fails with a clear error (not a hang) when agentd is gone.
 */
import assert from "node:assert/strict";
import { AgentdUnavailableError, AriLink } from "../../runner/mesh/ari_link.ts";
import { startDaemon } from "../../daemon/main.ts";
import { tempRoot } from "../daemon/ari_helpers.ts";

Deno.test("link: survives an agentd restart on the same root", async () => {
  const root = await tempRoot();
  let daemon = await startDaemon({ root, runs: null, seedBuiltins: false });
  const link = new AriLink({ socketPath: daemon.paths.socket, dialRetryMs: 10_000 });
  try {
    await daemon.recovered;
    assert.equal(link.dials, 0, "nothing is dialled before the first call");
    const first = await link.call((c) => c.systemInfo(), { readOnly: true });
    assert.equal(first.pid, Deno.pid);
    assert.equal(link.dials, 1);
    await link.call((c) => c.systemInfo(), { readOnly: true });
    assert.equal(link.dials, 1, "a live connection is reused");

    await daemon.close();
    daemon = await startDaemon({ root, runs: null, seedBuiltins: false });
    await daemon.recovered;

    // Not read-only on purpose: the dropped connection is noticed before anything is sent.
    const ws = await link.call((c) =>
      c.workspaceCreate({ metadata: { name: "w" }, spec: { source: { type: "emptyDir" } } })
    );
    assert.equal(ws.metadata.name, "w");
    assert.equal(link.dials, 2);
  } finally {
    link.close();
    await daemon.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("link: agentd not there is an AgentdUnavailableError after the retry budget", async () => {
  const root = await tempRoot();
  const link = new AriLink({ socketPath: `${root}/mass.sock`, dialRetryMs: 300 });
  try {
    await assert.rejects(
      () => link.call((c) => c.systemInfo()),
      (err: unknown) => {
        assert.ok(err instanceof AgentdUnavailableError);
        assert.equal(err.code, -32603);
        assert.match(err.message, /cannot reach agentd at .*mass\.sock/);
        return true;
      },
    );
  } finally {
    link.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("link: agentd that comes up while a call waits is used", async () => {
  const root = await tempRoot();
  const link = new AriLink({ socketPath: `${root}/mass.sock`, dialRetryMs: 30_000 });
  const pending = link.call((c) => c.systemInfo(), { readOnly: true });
  // The call is already redialling when the daemon starts.
  await new Promise((r) => setTimeout(r, 100));
  const daemon = await startDaemon({ root, runs: null, seedBuiltins: false });
  try {
    const info = await pending;
    assert.equal(info.pid, Deno.pid);
  } finally {
    link.close();
    await daemon.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("link: closed link refuses calls", async () => {
  const link = new AriLink({ socketPath: "/nonexistent/mass.sock", dialRetryMs: 0 });
  link.close();
  await assert.rejects(() => link.call((c) => c.systemInfo()), /shutting down/);
});
