/**
 * Event log settings from massctl: `ar create --event-segment-mib/--event-max-segments` and
 * compose `eventLog` become `spec.eventLog`; `ar get -o wide` shows the log's size (LOG).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCompose } from "../../ctl/cli/compose.ts";
import { CliError } from "../../ctl/cli/errors.ts";
import { runCli } from "../../ctl/cli/program.ts";
import type { RuntimeConfig } from "../../specs/runtime.ts";
import { ariRun, waitPhase, withRunsDaemon } from "../daemon/runs_helpers.ts";
import { memoryDeps } from "./cli_helpers.ts";

const COMPOSE = `kind: workspace-compose
metadata:
  name: team
spec:
  source:
    type: emptyDir
  runs:
    - name: coder
      agent: demo
      eventLog:
        segmentMiB: 8
        maxSegments: 4
    - name: plain
      agent: demo
`;

Deno.test("compose: eventLog reaches the run's spec; bad values name the field", () => {
  const plan = parseCompose(COMPOSE, "c.yaml", { baseDir: "/base" });
  assert.deepEqual(plan.runs[0].spec.eventLog, { segmentMiB: 8, maxSegments: 4 });
  assert.equal(plan.runs[1].spec.eventLog, undefined);
  for (const bad of ["segmentMiB: 0", "segmentMiB: 2048", "maxSegments: -1", "keep: 3"]) {
    const text = COMPOSE.replace("segmentMiB: 8\n        maxSegments: 4", bad);
    assert.throws(() => parseCompose(text, "c.yaml", { baseDir: "/base" }), (err) => {
      assert.ok(err instanceof CliError);
      assert.match(err.message, /eventLog/, bad);
      return true;
    });
  }
});

Deno.test("ar create --event-segment-mib/--event-max-segments; ar get -o wide shows LOG", async () => {
  await withRunsDaemon(async ({ client, daemon }) => {
    const socket = daemon.paths.socket;
    const ctl = async (args: string[]) => {
      const deps = memoryDeps();
      const code = await runCli(["--socket", socket, ...args], deps);
      return { code, stdout: deps.stdout(), stderr: deps.stderr() };
    };
    const create = ["ar", "create", "-w", "ws", "--agent", "test"];

    const bad = await ctl([...create, "--name", "bad", "--event-segment-mib", "0"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /segmentMiB/);
    const notInt = await ctl([...create, "--name", "bad", "--event-max-segments", "x"]);
    assert.equal(notInt.code, 1);
    assert.match(notInt.stderr, /--event-max-segments/);

    const ok = await ctl([
      ...create,
      "--name",
      "r",
      "--event-segment-mib",
      "2",
      "--event-max-segments",
      "4",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const key = { workspace: "ws", name: "r" };
    const run = await waitPhase(ariRun(client, key), key, ["idle", "error"]);
    assert.equal(run.status.phase, "idle", run.status.errorMessage);
    assert.deepEqual(run.spec.eventLog, { segmentMiB: 2, maxSegments: 4 });
    const config: RuntimeConfig = JSON.parse(
      await Deno.readTextFile(join(run.status.bundle!, "config.json")),
    );
    assert.equal(config.runtime.eventSegmentBytes, 2 * 1024 * 1024);
    assert.equal(config.runtime.eventMaxSegments, 4);

    const wide = (await ctl(["ar", "get", "-w", "ws", "-o", "wide"])).stdout.split("\n");
    assert.match(wide[0], /RESTARTS\s+LOG\s+WORKTREE\s+SANDBOX\s+ERROR$/);
    // LOG, then SANDBOX (mode/network) last on a row without a worktree or an error.
    const size = /\s(\d+(?:\.\d)?(?:B|KiB|MiB))\s+\w+\/\w+$/.exec(wide[1])?.[1];
    assert.ok(size, wide[1]);
    assert.ok(run.status.eventLogBytes! > 0);
    await client.agentrunStop(key);
  });
});
