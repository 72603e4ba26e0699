/**
 * mass-server.log stays bounded under bad input: a connection's malformed frames are logged
 * a few at a time then counted, and the log file rotates by size.
 */
import assert from "node:assert/strict";
import { openFileLogger } from "../../daemon/logging.ts";
import { PROTOCOL_ERRORS_REPORTED } from "../../specs/wire/peer.ts";
import { exchange } from "../support/raw_socket.ts";
import { until } from "../support/wait.ts";
import { startTestDaemon, tempRoot } from "./ari_helpers.ts";

Deno.test("50 malformed frames on one connection: a few log lines, then one count", async () => {
  const t = await startTestDaemon();
  try {
    const log = `${t.root}/logs/mass-server.log`;
    const { replies } = await exchange(t.daemon.paths.socket, "{nope}\n".repeat(50), 50);
    assert.equal(replies.length, 50, "every bad frame still gets its -32700");
    const protocolLines = async () =>
      (await Deno.readTextFile(log)).split("\n").filter((l) => l.includes("ari protocol error"));
    const lines = await until("the count at close", async () => {
      const ls = await protocolLines();
      return ls.some((l) => l.includes("45 more protocol errors")) && ls;
    }, 10_000);
    assert.equal(lines.length, PROTOCOL_ERRORS_REPORTED + 1, lines.join("\n"));
  } finally {
    await t.close();
  }
});

Deno.test("the file log rotates by size and keeps N old files", async () => {
  const dir = await tempRoot();
  try {
    const path = `${dir}/logs/mass-server.log`;
    const logger = await openFileLogger({ path, maxBytes: 2_000, keep: 2 });
    for (let i = 0; i < 200; i++) logger.info("line", { i, pad: "p".repeat(50) });
    await logger.close();
    const names = [];
    for await (const e of Deno.readDir(`${dir}/logs`)) names.push(e.name);
    assert.deepEqual(names.sort(), ["mass-server.log", "mass-server.log.1", "mass-server.log.2"]);
    const seen: number[] = [];
    for (const name of ["mass-server.log.2", "mass-server.log.1", "mass-server.log"]) {
      const text = await Deno.readTextFile(`${dir}/logs/${name}`);
      assert.ok(text.length <= 2_000, `${name}: ${text.length} bytes`);
      for (const l of text.trim().split("\n")) seen.push(JSON.parse(l).properties.i);
    }
    // The newest lines, in order, none cut.
    assert.equal(seen.at(-1), 199);
    assert.deepEqual(seen, seen.map((_, k) => seen[0] + k));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
