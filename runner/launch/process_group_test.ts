import assert from "node:assert/strict";
import { signalGroup, stopProcessGroup } from "./process_group.ts";
import { pidAlive, waitGone } from "../../tests/support/process.ts";

/** A detached shell (its own group) that starts a grandchild and, optionally, ignores TERM. */
function spawnGroup(script: string): Deno.ChildProcess {
  return new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    detached: true,
  }).spawn();
}

async function firstLine(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.getReader();
  const dec = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  reader.releaseLock();
  return text.trim();
}

Deno.test("stopProcessGroup: a polite child leaves on stdin close", async () => {
  const child = spawnGroup("read line; exit 0");
  const res = await stopProcessGroup(child, {
    closeInput: () => child.stdin.close(),
    graceMs: 5_000,
  });
  assert.deepEqual(res.steps, ["input"]);
  assert.equal(res.status?.code, 0);
  await child.stdout.cancel();
});

Deno.test("stopProcessGroup: SIGTERM, then SIGKILL, reaching the whole group", async () => {
  // The shell ignores TERM and stdin EOF; its background grandchild would outlive it.
  const child = spawnGroup("trap '' TERM; sleep 60 & echo $!; while :; do sleep 1; done");
  const grandchild = Number(await firstLine(child));
  assert.ok(pidAlive(grandchild));
  const res = await stopProcessGroup(child, {
    closeInput: () => child.stdin.close(),
    graceMs: 200,
    termMs: 300,
    killMs: 5_000,
  });
  assert.deepEqual(res.steps, ["input", "SIGTERM", "SIGKILL"]);
  assert.equal(res.status?.signal, "SIGKILL");
  await waitGone(grandchild, "grandchild gone", 5_000);
  await child.stdout.cancel();
});

Deno.test("stopProcessGroup: stragglers of a leader that left are killed too", async () => {
  const child = spawnGroup("sleep 60 & echo $!; read line; exit 0");
  const grandchild = Number(await firstLine(child));
  const res = await stopProcessGroup(child, { closeInput: () => child.stdin.close() });
  assert.deepEqual(res.steps, ["input"]);
  await waitGone(grandchild, "straggler gone", 5_000);
  await child.stdout.cancel();
});

Deno.test("signalGroup: a group that is gone is not an error", async () => {
  const child = spawnGroup("exit 0");
  await child.status;
  await signalGroup(child.pid, "SIGKILL");
  await signalGroup(0, "SIGKILL");
  await child.stdin.close().catch(() => {});
  await child.stdout.cancel();
});
