/**
 * `deno task massctl …` resolves relative paths against the caller's directory (INIT_CWD),
 * not the mass checkout deno task runs it in.
 */
import assert from "node:assert/strict";
import { CONFIG, ok, startDaemonProcess, testAgentYaml } from "./cli_helpers.ts";

Deno.test("deno task massctl: --path ., -f FILE and compose run mean the caller's directory", async () => {
  const d = await startDaemonProcess();
  const here = await Deno.realPath(await Deno.makeTempDir({ prefix: "mt" }));
  // As from a shell: no INIT_CWD inherited (an outer `deno task test` sets one, and deno task
  // keeps an INIT_CWD it is given).
  const env: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "", NO_COLOR: "1" };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  const task = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "--config", CONFIG, "massctl", "--socket", d.socket, ...args],
      cwd: here,
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  };
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
