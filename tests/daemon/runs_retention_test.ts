/**
 * Event log retention through agentd: `spec.eventLog` and `mass server --event-max-segments`
 * reach config.json; the run's status shows the log's size and oldest seq; a watch from before
 * it is refused (-32602 naming it) whether the run is live or stopped; a log kept whole is
 * warned about; agentd's own cursor survives retention that overtook it while it was away.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunKey } from "../../specs/ari.ts";
import { AriMethods } from "../../specs/ari_methods.ts";
import { errorCode } from "../../specs/errors.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import type { RuntimeConfig } from "../../specs/runtime.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { rootPaths } from "../../daemon/context.ts";
import type { Logger, LogProps } from "../../daemon/logging.ts";
import { RunSupervisor } from "../../daemon/runs/run_supervisor.ts";
import { codeOf } from "../support/rpc.ts";
import { spawnServer } from "../support/server.ts";
import { deadline, until } from "../support/wait.ts";
import {
  ariRun,
  collect,
  createIdle,
  runInput,
  runsFixture,
  setupAri,
  text,
  waitPhase,
  withRunsDaemon,
} from "./runs_helpers.ts";

const key: RunKey = { workspace: "ws", name: "a" };
const MIB = 1024 * 1024;
/** ~1.5 MB of events: more than one 1 MiB segment. */
const BIG_TURN = "chunks 30 50000";

interface LogOnDisk {
  segments: number;
  bytes: number;
  firstSeq: number;
}

async function logOnDisk(bundle: string): Promise<LogOnDisk> {
  const dir = join(bundle, "events");
  const firsts: number[] = [];
  let bytes = 0;
  for await (const e of Deno.readDir(dir)) {
    const m = /^events-(\d+)\.jsonl$/.exec(e.name);
    if (!m) continue;
    firsts.push(Number(m[1]));
    bytes += (await Deno.stat(join(dir, e.name))).size;
  }
  return { segments: firsts.length, bytes, firstSeq: Math.min(...firsts) };
}

async function readConfig(bundle: string): Promise<RuntimeConfig> {
  return JSON.parse(await Deno.readTextFile(join(bundle, "config.json")));
}

/** A watch from before `firstSeq` fails with -32602 naming it, raw and through the client. */
async function assertNotRetained(c: AriClient, firstSeq: number): Promise<void> {
  const names = (err: unknown) =>
    errorCode(err) === -32602 &&
    (err as Error).message.includes(`events before seq ${firstSeq} are no longer retained`);
  for (const fromSeq of [0, firstSeq - 1]) {
    await assert.rejects(
      c.call(AriMethods.agentrunWatch, { ...key, watchId: `old-${fromSeq}`, fromSeq }),
      names,
    );
  }
  await assert.rejects(collect(c.watch({ ...key, fromSeq: 0 }), () => true, 10_000), names);
}

/** Replays from `fromSeq` to `lastSeq` and checks the seqs are contiguous. */
async function assertReplays(c: AriClient, fromSeq: number, lastSeq: number): Promise<void> {
  const got = await collect(c.watch({ ...key, fromSeq }), (ev) => ev.seq === lastSeq);
  assert.deepEqual(
    got.map((e: AgentRunEvent) => e.seq),
    Array.from({ length: lastSeq - fromSeq + 1 }, (_, i) => fromSeq + i),
  );
}

Deno.test("eventLog over ARI: config.json, status.firstSeq advances, old watches refused live and stopped", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    for (
      const eventLog of [
        { segmentMiB: 0 },
        { segmentMiB: 1025 },
        { segmentMiB: 1.5 },
        { maxSegments: -1 },
        { maxSegment: 2 },
      ]
    ) {
      const create = c.call(AriMethods.agentrunCreate, {
        metadata: key,
        spec: { agent: "test", eventLog },
      });
      assert.equal(await codeOf(create), -32602, JSON.stringify(eventLog));
    }

    const idle = await createIdle(c, key, {
      agent: "test",
      eventLog: { segmentMiB: 1, maxSegments: 1 },
    });
    const bundle = idle.status.bundle!;
    const config = await readConfig(bundle);
    assert.equal(config.runtime.eventSegmentBytes, MIB);
    assert.equal(config.runtime.eventMaxSegments, 1);
    assert.equal(idle.status.firstSeq, 0);
    assert.ok((idle.status.eventLogBytes ?? 0) > 0, "size recorded at attach");

    await c.agentrunPrompt({ ...key, prompt: text(BIG_TURN) });
    // Refreshed from the agent-run once the turn is over.
    const after = await until("status.firstSeq past 0", async () => {
      const r = await c.agentrunGet(key);
      return r.status.phase === "idle" && (r.status.firstSeq ?? 0) > 0 ? r : undefined;
    });
    const disk = await logOnDisk(bundle);
    assert.equal(disk.segments, 1);
    assert.equal(after.status.firstSeq, disk.firstSeq);
    assert.equal(after.status.eventLogBytes, disk.bytes);
    const status = await c.agentrunStatus(key);
    assert.deepEqual(status.state.eventLog, {
      bytes: disk.bytes,
      segments: 1,
      firstSeq: disk.firstSeq,
      lastSeq: status.recovery.lastSeq,
      maxSegments: 1,
    });

    // Live agent-run.
    await assertNotRetained(c, disk.firstSeq);
    await assertReplays(c, disk.firstSeq, status.recovery.lastSeq);

    // Stopped: served from the files.
    await c.agentrunStop(key);
    const stopped = await c.agentrunGet(key);
    const diskAfter = await logOnDisk(bundle);
    assert.equal(stopped.status.firstSeq, diskAfter.firstSeq);
    assert.equal(stopped.status.eventLogBytes, diskAfter.bytes);
    await assertNotRetained(c, diskAfter.firstSeq);
    await assertReplays(c, diskAfter.firstSeq, stopped.status.lastSeq!);
  });
});

Deno.test("mass server --event-max-segments is the default a run's spec.eventLog overrides", async () => {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  const server = await spawnServer(root, { args: ["--event-max-segments", "3"] });
  const c = server.client;
  try {
    await setupAri(c);
    const cases = [
      { name: "dflt", eventLog: undefined, segmentBytes: 64 * MIB, maxSegments: 3 },
      { name: "all", eventLog: { maxSegments: 0 }, segmentBytes: 64 * MIB, maxSegments: 0 },
      { name: "size", eventLog: { segmentMiB: 2 }, segmentBytes: 2 * MIB, maxSegments: 3 },
    ];
    for (const t of cases) {
      const k = { workspace: "ws", name: t.name };
      const spec = t.eventLog ? { agent: "test", eventLog: t.eventLog } : { agent: "test" };
      const run = await c.agentrunCreate({ metadata: k, spec });
      const bundle = run.status.bundle!;
      const config = await until(
        `${t.name}: config.json`,
        () => readConfig(bundle).catch(() => undefined),
      );
      assert.equal(config.runtime.eventSegmentBytes, t.segmentBytes, t.name);
      assert.equal(config.runtime.eventMaxSegments, t.maxSegments, t.name);
      await waitPhase(ariRun(c, k), k, ["idle", "error"]);
      await c.agentrunStop(k);
    }
  } finally {
    c.close();
    server.child.kill("SIGTERM");
    await deadline(server.child.status, 30_000, "mass server to exit");
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

function captureLogger(lines: { message: string; props?: LogProps }[]): Logger {
  const log = (message: string, props?: LogProps) => void lines.push({ message, props });
  const logger: Logger = {
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
    child: () => logger,
  };
  return logger;
}

Deno.test("a log kept whole is warned about past the threshold; one with retention is not", async () => {
  const lines: { message: string; props?: LogProps }[] = [];
  const fx = await runsFixture({ logger: captureLogger(lines), eventLogWarnBytes: 20_000 });
  const whole = { workspace: "ws", name: "whole" };
  const kept = { workspace: "ws", name: "kept" };
  const warned = (k: RunKey) =>
    lines.some((l) =>
      /event log keeps growing/.test(l.message) && l.props?.run === `${k.workspace}/${k.name}`
    );
  try {
    await fx.runs.create(runInput("whole"));
    await fx.runs.create(runInput("kept", "test", { eventLog: { maxSegments: 5 } }));
    const get = (k: RunKey) => fx.store.getRun(k);
    for (const k of [whole, kept]) {
      await waitPhase(get, k, "idle");
      assert.equal(warned(k), false);
      await fx.runs.prompt(k, text("chunks 100 300"));
    }
    await until("warning for the run without retention", () => warned(whole));
    // The other run's size is refreshed after its turn too, and stays unremarked.
    await until("size of the run with retention", async () => {
      const r = await fx.store.getRun(kept);
      return r?.status.phase === "idle" && (r.status.eventLogBytes ?? 0) > 20_000;
    });
    assert.equal(warned(kept), false);
    const line = lines.find((l) => /event log keeps growing/.test(l.message))!;
    assert.ok((line.props?.bytes as number) > 20_000);
    await fx.runs.stop(whole);
    await fx.runs.stop(kept);
  } finally {
    await fx.close();
  }
});

Deno.test("recovery: agentd's cursor older than the retained log resumes from the oldest event", async () => {
  const fx = await runsFixture();
  const lines: { message: string; props?: LogProps }[] = [];
  let second: RunSupervisor | undefined;
  try {
    await fx.runs.create(runInput("a", "test", { eventLog: { segmentMiB: 1, maxSegments: 1 } }));
    const idle = await waitPhase((k) => fx.store.getRun(k), key, "idle");
    // agentd goes away; the agent-run keeps working and rotates past agentd's cursor.
    await fx.runs.close();
    const cursor = (await fx.store.getCursor(key)) ?? -1;
    const peer = await dialUnix(idle.status.socketPath!, { requestTimeoutMs: 60_000 });
    try {
      await peer.request(RunnerMethods.prompt, { prompt: text(BIG_TURN) });
    } finally {
      peer.close();
    }
    const disk = await logOnDisk(idle.status.bundle!);
    assert.ok(disk.firstSeq > cursor + 1, `oldest ${disk.firstSeq}, cursor ${cursor}`);

    second = new RunSupervisor({
      store: fx.store,
      paths: rootPaths(fx.root),
      logger: captureLogger(lines),
      stopTimeouts: { gracefulMs: 5_000, termMs: 1_000, killMs: 1_000 },
    });
    const summary = await second.recover();
    assert.deepEqual(summary, { attached: 1, stopped: 0, failed: 0, restarted: 0 });
    const skipped = lines.find((l) => /removed by retention/.test(l.message));
    assert.ok(skipped, "the skipped range is logged");
    assert.deepEqual(skipped.props, { run: "ws/a", from: cursor + 1, to: disk.firstSeq });

    // Still fully followed: a new turn moves the phase and the cursor.
    const run = await second.get(key);
    assert.equal(run.status.phase, "idle");
    assert.equal(run.status.firstSeq, disk.firstSeq);
    await second.prompt(key, text("say hello"));
    await until("the turn's idle seen by agentd", async () => {
      const r = await fx.store.getRun(key);
      return r?.status.phase === "idle" && (r.status.lastSeq ?? 0) > idle.status.lastSeq! + 30;
    });
    await second.stop(key);
  } finally {
    await second?.close();
    await fx.close();
  }
});
