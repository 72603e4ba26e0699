/**
 * `spec.terminal` through a real agentd: it becomes config.json `runtime.terminal`, and the
 * agent of such a run can run commands through ACP `terminal/*`; other runs cannot.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { eventText } from "../../specs/events.ts";
import type { RuntimeConfig } from "../../specs/runtime.ts";
import { createIdle, text, turnEvents, withRunsDaemon } from "./runs_helpers.ts";

Deno.test("ari: a run created with terminal: true runs commands through terminal/*", async () => {
  await withRunsDaemon(async ({ client: c, wsPath }) => {
    const key = { workspace: "ws", name: "term" };
    const run = await createIdle(c, key, { agent: "test", terminal: true });
    assert.equal(run.spec.terminal, true);
    const config: RuntimeConfig = JSON.parse(
      await Deno.readTextFile(join(run.status.bundle!, "config.json")),
    );
    assert.equal(config.runtime.terminal, true);

    const acc = await c.agentrunPrompt({ ...key, prompt: text("terminal echo ok\nterminal pwd") });
    const said = (await turnEvents(c, key, acc.fromSeq))
      .filter((e) => e.type === "agent_message")
      .map(eventText)
      .join("");
    assert.match(said, /terminal:exit:0:ok\\n/);
    assert.match(said, new RegExp(`terminal:exit:0:${await Deno.realPath(wsPath)}\\\\n`));

    const plain = { workspace: "ws", name: "plain" };
    await createIdle(c, plain, { agent: "test" });
    const other = await c.agentrunPrompt({ ...plain, prompt: text("caps\nterminal echo ok") });
    const refused = (await turnEvents(c, plain, other.fromSeq))
      .filter((e) => e.type === "agent_message")
      .map(eventText)
      .join("");
    assert.match(refused, /"terminal":false/);
    assert.match(refused, /terminal:error:/);
    assert.doesNotMatch(refused, /terminal:exit/);

    await c.agentrunStop(key);
    await c.agentrunStop(plain);
  });
});
