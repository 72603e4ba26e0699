/**
 * spec.sandbox through a real agentd: what a run may ask for (narrow, never widen), what
 * status, config.json and session_start say, `none` shown plainly, and the built-in demo
 * agent answering a prompt in its sandbox (network none).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RuntimeConfig } from "../../specs/runtime.ts";
import { codeOf } from "../support/rpc.ts";
import { createIdle, logEvents, withRunsDaemon } from "../daemon/runs_helpers.ts";
import { ask, bwrapMissing } from "./sandbox_helpers.ts";

const skip = await bwrapMissing();

Deno.test({
  name: "sandbox: a run narrows but never widens; none is shown plainly",
  ignore: skip !== undefined,
  fn: () =>
    withRunsDaemon(async ({ client: c }) => {
      const deno = Deno.execPath();
      const test = (await c.agentGet("test")).spec;
      await c.agentCreate({
        metadata: { name: "strict" },
        spec: { ...test, sandbox: { mode: "bwrap", network: "none" } },
      });
      const widen = [
        { agent: "strict", sandbox: { mode: "none" as const } },
        { agent: "strict", sandbox: { network: "host" as const } },
        { agent: "strict", sandbox: { paths: ["/etc"] } },
        { agent: "test", sandbox: { mode: "none" as const } },
      ];
      for (const [i, spec] of widen.entries()) {
        const code = await codeOf(
          c.agentrunCreate({ metadata: { workspace: "ws", name: `w${i}` }, spec }),
        );
        assert.equal(code, -32602, JSON.stringify(spec));
      }

      const strict = await createIdle(c, { workspace: "ws", name: "strict" }, { agent: "strict" });
      assert.deepEqual(strict.status.sandbox, { mode: "bwrap", network: "none" });
      const config: RuntimeConfig = JSON.parse(
        await Deno.readTextFile(join(strict.status.bundle!, "config.json")),
      );
      assert.equal(config.sandbox.mode, "bwrap");
      assert.equal(config.sandbox.network, "none");
      const start = (await logEvents(strict.status.bundle!)).find((e) =>
        e.type === "session_start"
      );
      assert.deepEqual((start?.payload as { sandbox?: unknown }).sandbox, {
        mode: "bwrap",
        network: "none",
      });

      await c.agentCreate({
        metadata: { name: "open" },
        spec: { command: deno, args: test.args, sandbox: { mode: "none" } },
      });
      const key = { workspace: "ws", name: "open" };
      const open = await createIdle(c, key, { agent: "open" });
      assert.equal(open.status.sandbox?.mode, "none");
      assert.match(open.status.sandbox?.reason ?? "", /unconfined/);
      const status = await c.agentrunStatus(key);
      assert.equal(status.state.sandbox?.mode, "none");
      assert.ok(status.state.runnerPid, "unconfined: the pids are the host's");
      // Unconfined means it: the agent reads what the user can.
      assert.match(await ask(c, key, `sh test -r ${c.socketPath} && echo can-see`), /can-see/);
      await c.agentrunStop(key);
      await c.agentrunStop({ workspace: "ws", name: "strict" });
    }),
});

Deno.test({
  name: "sandbox: the built-in demo agent reaches idle and answers, sandboxed without network",
  ignore: skip !== undefined,
  fn: () =>
    withRunsDaemon(async ({ client: c }) => {
      const key = { workspace: "ws", name: "demo" };
      const run = await createIdle(c, key, { agent: "demo" });
      assert.deepEqual(run.status.sandbox, { mode: "bwrap", network: "none" });
      const said = await ask(c, key, "hello there");
      assert.ok(said.length > 0, "the demo agent answered");
      await c.agentrunStop(key);
    }),
});
