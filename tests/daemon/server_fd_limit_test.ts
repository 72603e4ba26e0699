/**
 * agentd out of file descriptors: accepting fails (EMFILE) while the connections are open; it
 * logs that, and once they close it accepts and answers again.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { killChild } from "../support/process.ts";
import { recoveredClient } from "../support/server.ts";
import { deadline, until } from "../support/wait.ts";

const MASS = fileURLToPath(new URL("../../mass.ts", import.meta.url));
// agentd holds about 35 descriptors once started: 64 leaves room to start, not for 80 clients.
const FD_LIMIT = 64;
const CLIENTS = 80;

Deno.test("mass server keeps accepting after running out of file descriptors", async () => {
  const root = await Deno.makeTempDir({ prefix: "mass-fd-" });
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${FD_LIMIT} && exec ${quote(Deno.execPath())} run -A ${quote(MASS)} server ` +
      `--root ${quote(root)}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const socket = `${root}/mass.sock`;
  const log = `${root}/logs/mass-server.log`;
  const conns: Deno.Conn[] = [];
  try {
    const first = await until("mass server to start", () => recoveredClient(socket, 5_000), 60_000);
    first.close();

    for (let i = 0; i < CLIENTS; i++) {
      // Past the listen backlog, connect itself may be refused: that is fine here.
      const c = await Deno.connect({ transport: "unix", path: socket }).catch(() => undefined);
      if (c) conns.push(c);
    }
    await until(
      "agentd to log the failed accept",
      async () => (await Deno.readTextFile(log)).includes("accept failed"),
      20_000,
    );
    for (const c of conns.splice(0)) c.close();

    const client = await until(
      "a new connection to be answered",
      () => recoveredClient(socket, 2_000),
      20_000,
    );
    try {
      const info = await deadline(client.systemInfo(), 5_000, "system/info");
      assert.equal(info.pid, child.pid);
    } finally {
      client.close();
    }
    const lines = (await Deno.readTextFile(log)).split("\n");
    const line = lines.find((l) => l.includes("accept failed"));
    assert.match(line ?? "", /"level":"WARN"/);
    assert.match(line ?? "", /open files|EMFILE|os error 24/i);
    assert.ok(lines.some((l) => l.includes("accepting again")), "recovery is logged too");
  } finally {
    for (const c of conns) c.close();
    killChild(child);
    await child.status;
    await Deno.remove(root, { recursive: true });
  }
});
