/**
 * Bad input against a real daemon on a real socket: every case gets the right JSON-RPC code
 * and a clear message, the daemon stays up, and the store is not damaged.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { TestDaemon } from "./ari_helpers.ts";
import { RawConn, rpcError, startTestDaemon, tempRoot } from "./ari_helpers.ts";

/** The daemon still answers and its store still lists what it held. */
async function assertHealthy(t: TestDaemon): Promise<void> {
  const info = await t.client.systemInfo();
  assert.equal(info.pid, Deno.pid);
  const agents = (await t.client.agentList()).items.map((a) => a.metadata.name);
  assert.ok(agents.includes("demo"), `store lost data: ${agents}`);
}

Deno.test("malformed JSON, invalid requests, oversized frames on a raw socket", async (tc) => {
  const t = await startTestDaemon();
  try {
    await tc.step("malformed JSON → -32700, connection stays usable", async () => {
      const c = await RawConn.dial(t.daemon.paths.socket);
      try {
        // Broken, not just cut off: `{"a":` then a newline may be a value spread over lines.
        await c.write('{"jsonrpc":"2.0","id":1,"method":}\n');
        const res = await c.readJson();
        assert.equal((res?.error as { code: number }).code, -32700);
        await c.write('{"jsonrpc":"2.0","id":2,"method":"system/info"}\n');
        const ok = await c.readJson();
        assert.equal(ok?.id, 2);
        assert.equal((ok?.result as { pid: number }).pid, Deno.pid);
      } finally {
        c.close();
      }
    });

    await tc.step("not a request → -32600; scalar params → -32602", async () => {
      const c = await RawConn.dial(t.daemon.paths.socket);
      try {
        await c.write('"just a string"\n');
        assert.equal(((await c.readJson())?.error as { code: number }).code, -32600);
        await c.write('{"jsonrpc":"2.0","id":3,"method":"agent/get","params":42}\n');
        const res = await c.readJson();
        assert.equal(res?.id, 3);
        assert.equal((res?.error as { code: number }).code, -32602);
      } finally {
        c.close();
      }
    });

    await tc.step("missing params → -32602 'missing params'", async () => {
      const c = await RawConn.dial(t.daemon.paths.socket);
      try {
        await c.write('{"jsonrpc":"2.0","id":4,"method":"agent/get"}\n');
        assert.deepEqual((await c.readJson())?.error, {
          code: -32602,
          message: "missing params",
          data: { kind: "invalid_input" },
        });
        await c.write('{"jsonrpc":"2.0","id":5,"method":"workspace/list"}\n');
        assert.deepEqual((await c.readJson())?.result, { items: [] });
      } finally {
        c.close();
      }
    });

    await tc.step("frame over 8 MiB → -32600 and the connection is closed", async () => {
      const c = await RawConn.dial(t.daemon.paths.socket);
      try {
        // One byte over the limit, no newline. Exactly that much, so the server has read all
        // of it when it closes (unread data would turn the close into a reset).
        const frame = new Uint8Array(8 * 1024 * 1024 + 1).fill(0x61);
        const written = c.write(frame).catch(() => {});
        const res = await c.readJson();
        assert.equal((res?.error as { code: number }).code, -32600);
        assert.match((res?.error as { message: string }).message, /exceeds/);
        assert.equal(await c.readJson(), undefined, "server closed the connection");
        await written;
      } finally {
        c.close();
      }
    });

    await tc.step("a client that disconnects mid-frame does no harm", async () => {
      const c = await RawConn.dial(t.daemon.paths.socket);
      await c.write('{"jsonrpc":"2.0","id":9,"method":"system/in');
      c.close();
    });

    await assertHealthy(t);
  } finally {
    await t.close();
  }
});

Deno.test("unknown methods, wrong types, missing fields → -32601 / -32602 naming the field", async () => {
  const t = await startTestDaemon();
  try {
    const c = t.client;
    assert.equal((await rpcError(() => c.request("nope/nothing", {}))).code, -32601);
    assert.equal((await rpcError(() => c.request("agent", {}))).code, -32601);
    assert.equal((await rpcError(() => c.request("", {}))).code, -32601);

    const wrongType = await rpcError(() =>
      c.request("agent/create", { metadata: { name: "x" }, spec: { command: 7 } })
    );
    assert.equal(wrongType.code, -32602);
    assert.match(wrongType.message, /spec\.command/);

    const noSpec = await rpcError(() => c.request("workspace/create", { metadata: { name: "x" } }));
    assert.equal(noSpec.code, -32602);
    assert.match(noSpec.message, /spec/);

    const badSource = await rpcError(() =>
      c.request("workspace/create", { metadata: { name: "x" }, spec: { source: { type: "ftp" } } })
    );
    assert.equal(badSource.code, -32602);
    assert.match(badSource.message, /spec\.source\.type/);

    const noUrl = await rpcError(() =>
      c.request("workspace/create", { metadata: { name: "x" }, spec: { source: { type: "git" } } })
    );
    assert.equal(noUrl.code, -32602);
    assert.match(noUrl.message, /spec\.source\.url/);

    const nameType = await rpcError(() => c.request("workspace/get", { name: 12 }));
    assert.equal(nameType.code, -32602);
    assert.match(nameType.message, /name/);

    const badList = await rpcError(() =>
      c.call("workspace/list", { fieldSelector: { color: "x" } })
    );
    assert.equal(badList.code, -32602);
    assert.match(badList.message, /color/);

    const listType = await rpcError(() => c.request("agent/list", { labels: "x" }));
    assert.equal(listType.code, -32602);
    assert.match(listType.message, /labels/);

    const sendEmpty = await rpcError(() =>
      c.call("workspace/send", { workspace: "w", from: "a", to: "b", message: [] })
    );
    assert.equal(sendEmpty.code, -32602);
    assert.match(sendEmpty.message, /message/);

    const arr = await rpcError(() => c.request("agent/get", ["demo"]));
    assert.equal(arr.code, -32602);

    await assertHealthy(t);
  } finally {
    await t.close();
  }
});

Deno.test("hostile names are refused before they touch a path", async () => {
  const t = await startTestDaemon();
  try {
    const c = t.client;
    const hostile = [
      "..",
      "../x",
      "a/b",
      "/etc",
      "a\0b",
      "x".repeat(64),
      "x".repeat(5000),
      "",
      "UPPER",
      ".hidden",
      "-flag",
      "a b",
      "é",
    ];
    for (const name of hostile) {
      const label = JSON.stringify(
        name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name,
      );
      const ws = await rpcError(() =>
        c.workspaceCreate({ metadata: { name }, spec: { source: { type: "emptyDir" } } })
      );
      assert.equal(ws.code, -32602, `workspace/create ${label}: ${ws.message}`);
      assert.match(ws.message, /name/);
      for (
        const call of [
          () => c.agentCreate({ metadata: { name }, spec: { command: "x" } }),
          () => c.agentGet(name),
          () => c.agentDelete(name),
          () => c.workspaceGet(name),
          () => c.workspaceDelete(name),
          () =>
            c.workspaceSend({
              workspace: name,
              from: "a",
              to: "b",
              message: [{ type: "text", text: "hi" }],
            }),
          () =>
            c.workspaceSend({
              workspace: "w",
              from: name,
              to: "b",
              message: [{ type: "text", text: "hi" }],
            }),
        ]
      ) {
        const err = await rpcError(call);
        assert.equal(err.code, -32602, `${label}: ${err.message}`);
      }
    }
    // Nothing was created anywhere: not in the store, not on disk.
    assert.deepEqual((await c.workspaceList()).items, []);
    assert.deepEqual(
      (await c.agentList()).items.map((a) => a.metadata.name),
      ["claude", "codex", "demo", "gsd-pi"],
    );
    assert.deepEqual(await entries(join(t.root, "workspaces")), []);
    assert.deepEqual(await entries(join(t.root, "runs")), []);
    await assertHealthy(t);
  } finally {
    await t.close();
  }
});

Deno.test("local workspace paths: relative, missing, a file, a symlink loop, inside the root", async () => {
  const t = await startTestDaemon();
  const dir = await tempRoot();
  try {
    const file = join(dir, "file.txt");
    await Deno.writeTextFile(file, "x");
    const loop = join(dir, "loop");
    await Deno.symlink(join(dir, "loop2"), loop);
    await Deno.symlink(loop, join(dir, "loop2"));
    const cases: [string, RegExp][] = [
      ["relative/path", /absolute/],
      [join(dir, "missing"), /does not exist/],
      [file, /not a directory/],
      [loop, /symlink loop/],
      [t.root, /inside the mass root/],
      [join(t.root, "runs"), /inside the mass root/],
      [`${dir}\0x`, /NUL/],
    ];
    for (const [path, why] of cases) {
      const err = await rpcError(() =>
        t.client.workspaceCreate({
          metadata: { name: "loc" },
          spec: { source: { type: "local", path } },
        })
      );
      assert.equal(err.code, -32602, `${JSON.stringify(path)}: ${err.message}`);
      assert.match(err.message, why);
    }
    assert.deepEqual((await t.client.workspaceList()).items, []);
    await assertHealthy(t);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workspace/send: sender must be a run of the workspace; unknown target is -32602", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    const store = t.daemon.deps.store;
    await store.createWorkspace({
      metadata: { name: "w" },
      spec: { source: { type: "emptyDir" } },
      status: { phase: "ready", path: "/nonexistent" },
    });
    await store.createWorkspace({
      metadata: { name: "v" },
      spec: { source: { type: "emptyDir" } },
      status: { phase: "ready", path: "/nonexistent" },
    });
    await store.createRun({ metadata: { workspace: "w", name: "a" }, spec: { agent: "x" } });
    await store.createRun({ metadata: { workspace: "v", name: "spoof" }, spec: { agent: "x" } });
    const msg = [{ type: "text", text: "hi" }];
    const noWs = await rpcError(() =>
      t.client.workspaceSend({ workspace: "nows", from: "a", to: "a", message: msg })
    );
    assert.deepEqual(noWs, { code: -32602, message: "workspace nows not found" });
    const spoofed = await rpcError(() =>
      t.client.workspaceSend({ workspace: "w", from: "spoof", to: "a", message: msg })
    );
    assert.equal(spoofed.code, -32602);
    assert.match(spoofed.message, /sender w\/spoof is not an agent run in workspace w/);
    const noTarget = await rpcError(() =>
      t.client.workspaceSend({ workspace: "w", from: "a", to: "ghost", message: msg })
    );
    assert.deepEqual(noTarget, { code: -32602, message: "target agent w/ghost not found" });
  } finally {
    await t.close();
  }
});

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}
