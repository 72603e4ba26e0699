/**
 * agentd process core: root layout and modes, one daemon per root, stale files, system/info,
 * the recovery gate, and graceful shutdown of a real `mass server` process.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { daemonStatus, stopDaemon } from "../../daemon/cli.ts";
import { rootPaths } from "../../daemon/context.ts";
import { startDaemon } from "../../daemon/main.ts";
import { resolveRoot, RootLockedError } from "../../daemon/root_lock.ts";
import { until } from "../support/wait.ts";
import { rpcError, startTestDaemon, tempRoot } from "./ari_helpers.ts";

/** `mass daemon status` reaches the daemon through the typed client, as mass.ts wires it. */
const probe = { connect: AriClient.connect.bind(AriClient) };

const MASS_TS = fileURLToPath(new URL("../../mass.ts", import.meta.url));

Deno.test("resolveRoot: --root beats MASS_ROOT beats $HOME/.mass", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assert.equal(resolveRoot("/r/flag", env({ MASS_ROOT: "/r/env", HOME: "/h" })), "/r/flag");
  assert.equal(resolveRoot(undefined, env({ MASS_ROOT: "/r/env", HOME: "/h" })), "/r/env");
  assert.equal(resolveRoot(undefined, env({ HOME: "/h" })), "/h/.mass");
  assert.equal(resolveRoot("", env({ HOME: "/h" })), "/h/.mass");
});

Deno.test("root is 0700 (tightened), socket and store 0600, pid file holds our pid", async () => {
  const root = await tempRoot();
  await Deno.chmod(root, 0o755);
  const t = await startTestDaemon({ root });
  try {
    const mode = async (p: string) => (await Deno.lstat(p)).mode! & 0o777;
    assert.equal(await mode(root), 0o700);
    assert.equal(await mode(t.daemon.paths.socket), 0o600);
    assert.ok((await Deno.lstat(t.daemon.paths.socket)).isSocket);
    assert.equal(await mode(t.daemon.paths.kv), 0o600);
    for (const dir of ["logs", "runs", "workspaces"]) {
      assert.equal(await mode(`${root}/${dir}`), 0o700);
    }
    assert.equal((await Deno.readTextFile(t.daemon.paths.pidFile)).trim(), String(Deno.pid));
  } finally {
    await t.close();
  }
});

Deno.test("system/info reports this daemon's real root, socket, pid and versions", async () => {
  const t = await startTestDaemon();
  try {
    const info = await t.client.systemInfo();
    assert.equal(info.root, t.root);
    assert.equal(info.socketPath, `${t.root}/mass.sock`);
    assert.equal(info.pid, Deno.pid);
    assert.equal(info.denoVersion, Deno.version.deno);
    assert.equal(info.goVersion, `deno ${Deno.version.deno}`);
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.ok(info.gitCommit.length > 0);
    assert.equal(info.recovery.phase, "complete");
    assert.ok(info.recovery.startedAt && info.recovery.finishedAt);
  } finally {
    await t.close();
  }
});

Deno.test("a second daemon on the same root is refused and named by pid", async () => {
  const t = await startTestDaemon();
  try {
    const err = await startDaemon({ root: t.root, runs: null }).then(
      async (d) => {
        await d.close();
        throw new Error("second daemon started");
      },
      (e) => e,
    );
    assert.ok(err instanceof RootLockedError, String(err));
    assert.equal(err.pid, Deno.pid);
    assert.match(err.message, new RegExp(`pid ${Deno.pid}`));
    // The first daemon is unharmed.
    assert.equal((await t.client.systemInfo()).pid, Deno.pid);
    assert.equal((await Deno.readTextFile(t.daemon.paths.pidFile)).trim(), String(Deno.pid));
  } finally {
    await t.close();
  }
});

Deno.test("two daemons on two roots run side by side in one process", async () => {
  const a = await startTestDaemon();
  const b = await startTestDaemon();
  try {
    await a.client.agentCreate({ metadata: { name: "only-a" }, spec: { command: "x" } });
    assert.ok((await a.client.agentList()).items.some((x) => x.metadata.name === "only-a"));
    assert.ok(!(await b.client.agentList()).items.some((x) => x.metadata.name === "only-a"));
    assert.notEqual((await a.client.systemInfo()).root, (await b.client.systemInfo()).root);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("stale socket and pid file from a dead daemon are replaced", async () => {
  const root = await tempRoot();
  const paths = rootPaths(root);
  // A process that listened on the socket and was killed -9: its socket file stays behind.
  const dead = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${JSON.stringify(paths.socket)} });` +
      "setInterval(() => {}, 1000);",
    ],
    stdin: "null",
    stdout: "null",
  }).spawn();
  await until(
    "stale socket",
    () => Deno.lstat(paths.socket).then((s) => s.isSocket || undefined, () => undefined),
  );
  dead.kill("SIGKILL");
  await dead.status;
  assert.ok((await Deno.lstat(paths.socket)).isSocket);
  await Deno.writeTextFile(paths.pidFile, `${dead.pid}\n`);
  assert.equal(await daemonStatus(paths, probe), "daemon: not running (stale pid file)");

  const t = await startTestDaemon({ root });
  try {
    assert.equal((await t.client.systemInfo()).pid, Deno.pid);
    assert.equal((await Deno.readTextFile(paths.pidFile)).trim(), String(Deno.pid));
    assert.match(
      await daemonStatus(paths, probe),
      new RegExp(`^daemon: running \\(pid: ${Deno.pid}, `),
    );
  } finally {
    await t.close();
  }
});

Deno.test("close() removes socket and pid file, releases the root, keeps the store", async () => {
  const t = await startTestDaemon({ keepRoot: true });
  await t.client.agentCreate({ metadata: { name: "kept" }, spec: { command: "x" } });
  await t.close();
  const paths = t.daemon.paths;
  await assert.rejects(() => Deno.lstat(paths.socket), Deno.errors.NotFound);
  await assert.rejects(() => Deno.lstat(paths.pidFile), Deno.errors.NotFound);
  assert.equal(await daemonStatus(paths, probe), "daemon: not running");
  // A new daemon on the same root sees the old data.
  const again = await startTestDaemon({ root: t.root });
  try {
    assert.equal((await again.client.agentGet("kept")).spec.command, "x");
  } finally {
    await again.close();
  }
});

Deno.test("recovery gate: mutating calls get -32001 while recovering, reads work", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inRecovery = new Promise<void>((r) => (entered = r));
  const t = await startTestDaemon({
    waitRecovery: false,
    duringRecovery: () => {
      entered();
      return held;
    },
  });
  try {
    await inRecovery;
    const info = await t.client.systemInfo();
    assert.equal(info.recovery.phase, "recovering");
    const err = await rpcError(() =>
      t.client.agentCreate({ metadata: { name: "a" }, spec: { command: "x" } })
    );
    assert.deepEqual(err, { code: -32001, message: "daemon is recovering agents" });
    const del = await rpcError(() => t.client.workspaceDelete("nope"));
    assert.equal(del.code, -32001);
    assert.ok((await t.client.agentList()).items.length >= 1);
    release();
    await t.daemon.recovered;
    assert.equal((await t.client.systemInfo()).recovery.phase, "complete");
    const a = await t.client.agentCreate({ metadata: { name: "a" }, spec: { command: "x" } });
    assert.equal(a.metadata.name, "a");
  } finally {
    release();
    await t.close();
  }
});

Deno.test({
  name: "mass server process: refuses a second server, SIGTERM removes socket and pid file",
  async fn() {
    const root = await tempRoot();
    const paths = rootPaths(root);
    const server = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MASS_TS, "server", "--root", root],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(server.stderr).text();
    try {
      const client = await until("daemon socket", async () => {
        try {
          return await AriClient.connect(paths.socket, { connectTimeoutMs: 500 });
        } catch {
          return undefined;
        }
      }, 30_000);
      const info = await client.systemInfo();
      client.close();
      assert.equal(info.pid, server.pid);
      assert.equal(info.root, root);

      const second = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MASS_TS, "server", "--root", root],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(second.code, 1);
      assert.match(new TextDecoder().decode(second.stderr), new RegExp(`pid ${server.pid}`));

      assert.equal(
        await daemonStatus(paths, probe),
        `daemon: running (pid: ${server.pid}, version: ${info.version}, ${info.goVersion})`,
      );
      const res = await stopDaemon(paths, { timeoutMs: 20_000 });
      assert.deepEqual(res, { state: "stopped", pid: server.pid });
      const status = await server.status;
      assert.equal(status.code, 0);
      await assert.rejects(() => Deno.lstat(paths.socket), Deno.errors.NotFound);
      await assert.rejects(() => Deno.lstat(paths.pidFile), Deno.errors.NotFound);
      assert.equal(await daemonStatus(paths, probe), "daemon: not running");
      assert.deepEqual(await stopDaemon(paths), { state: "not-running" });
      assert.match(await stderr, /listening on/);
    } finally {
      try {
        server.kill("SIGKILL");
      } catch {
        // already exited
      }
      await server.status;
      await stderr.catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("daemon status: process holds the root but its socket is not ready", async () => {
  const t = await startTestDaemon();
  try {
    await Deno.remove(t.daemon.paths.socket);
    assert.equal(
      await daemonStatus(t.daemon.paths, probe),
      `daemon: process running (pid: ${Deno.pid}) but socket not ready`,
    );
  } finally {
    await t.close();
  }
});
