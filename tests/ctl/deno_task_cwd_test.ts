/**
 * `deno task massctl …` resolves relative paths against the caller's directory (INIT_CWD),
 * not the mass checkout deno task runs it in.
 */
import assert from "node:assert/strict";
import { CONFIG, ok, run, startDaemonProcess, testAgentYaml } from "./cli_helpers.ts";

Deno.test("deno task massctl: --path ., -f FILE and compose run mean the caller's directory", async () => {
  const d = await startDaemonProcess();
  const here = await Deno.realPath(await Deno.makeTempDir({ prefix: "mt" }));
  const task = (args: string[]) =>
    run(Deno.execPath(), [
      "task",
      "-q",
      "--config",
      CONFIG,
      "massctl",
      "--socket",
      d.socket,
      ...args,
    ], {
      cwd: here,
    });
  try {
    ok(await task(["ws", "create", "local", "--name", "dot", "--path", ".", "--wait"]));
    assert.deepEqual((await d.client.workspaceGet("dot")).spec.source, {
      type: "local",
      path: here,
    });
    await Deno.writeTextFile(`${here}/agent.yaml`, testAgentYaml("tester"));
    ok(await task(["agent", "apply", "-f", "agent.yaml"]));
    assert.equal((await d.client.agentGet("tester")).metadata.name, "tester");
    ok(await task(["compose", "run", "-w", "cwd", "--agent", "tester", "--no-wait"]));
    assert.deepEqual((await d.client.workspaceGet("cwd")).spec.source, {
      type: "local",
      path: here,
    });
  } finally {
    await d.stop();
    await Deno.remove(here, { recursive: true });
  }
});
