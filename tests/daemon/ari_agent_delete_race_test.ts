/**
 * agent/delete against concurrent agentrun/create through a real daemon: the refusal is
 * atomic, so the agent is never deleted while a run that names it gets created.
 */
import assert from "node:assert/strict";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { errorCode } from "../../specs/errors.ts";
import { killGroup } from "../support/process.ts";
import { sleep } from "../support/wait.ts";
import { ariRun, TEST_AGENT, waitPhase, withRunsDaemon } from "./runs_helpers.ts";

const ROUNDS = 4;
const CREATES = 2;

Deno.test("agent/delete racing agentrun/create: never both succeed", async () => {
  await withRunsDaemon(async ({ client: c, daemon }) => {
    const other = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 60_000 });
    const pids: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await c.agentCreate({
          metadata: { name: "racer" },
          spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
        });
        const keys = Array.from({ length: CREATES }, (_, i) => ({
          workspace: "ws",
          name: `r${round}-${i}`,
        }));
        // Creates on one connection, the delete on another, each side first in turn.
        const creates = () =>
          keys.map((key) => c.agentrunCreate({ metadata: key, spec: { agent: "racer" } }));
        const del = () => other.agentDelete("racer");
        const delay = <T>(fn: () => T) => sleep(round % 2).then(fn);
        const [made, deleted] = round % 2
          ? await Promise.all([Promise.allSettled(creates()), Promise.allSettled([delay(del)])])
          : await Promise.all([
            delay(() => Promise.allSettled(creates())),
            Promise.allSettled([del()]),
          ]);
        const createdKeys = keys.filter((_, i) => made[i].status === "fulfilled");
        const deleteOk = deleted[0].status === "fulfilled";
        assert.ok(
          !(deleteOk && createdKeys.length > 0),
          `round ${round}: agent deleted and ${createdKeys.length} run(s) of it created`,
        );
        for (const r of made) {
          if (r.status === "rejected") {
            assert.equal(errorCode(r.reason), -32602, String(r.reason));
            assert.match(String(r.reason), /agent racer not found/);
          }
        }
        if (!deleteOk) {
          const reason = (deleted[0] as PromiseRejectedResult).reason;
          assert.equal(errorCode(reason), -32001, String(reason));
          assert.match(String(reason), /agent racer is used by [1-9]\d* agent run\(s\)/);
          assert.ok((await c.agentGet("racer")).metadata.name);
        }
        // Clean up: stop and delete the runs that were made, then the agent goes.
        for (const key of createdKeys) {
          const run = await waitPhase(ariRun(c, key), key, ["idle", "error"]);
          if (run.status.pid) pids.push(run.status.pid);
          await c.agentrunStop(key);
          await c.agentrunDelete(key);
        }
        if (!deleteOk) assert.equal(await c.agentDelete("racer"), null);
        assert.equal(errorCode(await c.agentGet("racer").catch((e) => e)), -32602);
      }
    } finally {
      other.close();
      for (const pid of pids) killGroup(pid);
    }
  });
});
