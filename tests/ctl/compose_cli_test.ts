/**
 * compose run checks before it creates anything: an unknown agent leaves no workspace behind,
 * and a workspace pointing at another directory is refused unless --reuse. compose apply on a
 * workspace with another source is refused.
 */
import assert from "node:assert/strict";
import { massctl, ok, startDaemonProcess, testAgentYaml } from "./cli_helpers.ts";

Deno.test("compose run: refuses before creating; --reuse; apply refuses another source", async () => {
  const d = await startDaemonProcess();
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mcr" }));
  const ctl = (args: string[], cwd = dir) => massctl(d.socket, args, { cwd });
  try {
    await Deno.mkdir(`${dir}/a`);
    await Deno.mkdir(`${dir}/b`);
    await Deno.writeTextFile(`${dir}/agent.yaml`, testAgentYaml("tester"));
    ok(await ctl(["agent", "apply", "-f", "agent.yaml"]));

    const unknown = await ctl(["compose", "run", "-w", "x", "--agent", "nope"], `${dir}/a`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^Error: agent nope not found/);
    assert.deepEqual((await d.client.workspaceList()).items, [], "no workspace left behind");

    ok(await ctl(["compose", "run", "-w", "x", "--agent", "tester", "--no-wait"], `${dir}/a`));
    const other = await ctl(
      ["compose", "run", "-w", "x", "--agent", "tester", "--name", "t2"],
      `${dir}/b`,
    );
    assert.equal(other.code, 1);
    assert.match(other.stderr, new RegExp(`local ${dir}/a, not ${dir}/b: .*--reuse`));
    const dup = await ctl(["compose", "run", "-w", "x", "--agent", "tester"], `${dir}/a`);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /agent run x\/tester already exists: pick another --name/);
    assert.equal((await d.client.agentrunList()).items.length, 1, "nothing created");
    ok(
      await ctl(
        ["compose", "run", "-w", "x", "--agent", "tester", "--name", "t2", "--reuse", "--no-wait"],
        `${dir}/b`,
      ),
    );
    assert.equal((await d.client.agentrunList()).items.length, 2);

    await Deno.writeTextFile(
      `${dir}/compose.yaml`,
      "kind: workspace-compose\nmetadata: {name: x}\nspec:\n  source: {type: empty}\n  runs: []\n",
    );
    const apply = await ctl(["compose", "apply", "-f", "compose.yaml"]);
    assert.equal(apply.code, 1);
    assert.match(apply.stderr, /workspace "x" already exists with source local .*compose delete/);
  } finally {
    await d.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
