/**
 * ACP `terminal/*` end to end: a real `mass run` under its computed permissions serves the test
 * agent's terminal commands (exit code, output, cwd, env, byte limit, kill of the whole process
 * group, cleanup on release and on stop), and serves and advertises nothing without
 * `runtime.terminal`. Plus the test agent's word splitting, and TerminalService's kill in-process.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { eventText } from "../../specs/events.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { agentRunCommand } from "../../runner/launch/mod.ts";
import { TerminalService } from "../../runner/terminal/terminal_service.ts";
import { shellWords } from "../agents/test_agent.ts";
import { killGroup, pidAlive, processesIn, waitGone } from "../support/process.ts";
import { until } from "../support/wait.ts";
import { type EventCollector, type TestBundle, text, withIdleRunner } from "./harness.ts";

/** Runs one prompt turn and returns the text the agent said in it. */
async function say(peer: RpcPeer, watch: EventCollector, script: string): Promise<string> {
  const res = await peer.request<{ stopReason: string; turnId: string }>(
    RunnerMethods.prompt,
    text(script),
    { timeoutMs: 20_000 },
  );
  assert.equal(res.stopReason, "end_turn");
  await watch.waitFor((e) => e.type === "turn_end" && e.turnId === res.turnId);
  return watch.events
    .filter((e) => e.type === "agent_message" && e.turnId === res.turnId)
    .map(eventText)
    .join("");
}

/** Live `sleep` processes working in the bundle's workspace (only terminals start them). */
function sleepers(bundle: TestBundle): number[] {
  return processesIn(bundle.workspace).filter((pid) => {
    try {
      // argv[0] is the path the command was resolved to.
      const argv0 = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0")[0];
      return basename(argv0) === "sleep";
    } catch {
      return false;
    }
  });
}

/** Pids the command printed (e.g. `echo $$ $!`), from "<name>:...:<output>". */
function printedPids(reply: string): number[] {
  const output = reply.slice(reply.lastIndexOf(":") + 1).replaceAll("\\n", " ");
  const pids = output.trim().split(/\s+/).map(Number);
  assert.ok(pids.length > 0 && pids.every((p) => p > 1), `pids in ${JSON.stringify(reply)}`);
  return pids;
}

/** Last resort for a failed test: the sleepers its terminals started. */
function reapSleepers(bundle: TestBundle): void {
  for (const pid of sleepers(bundle)) killGroup(pid);
}

const TERMINAL = { runtime: { terminal: true } };

Deno.test("terminal: the agent-run gets unrestricted --allow-run and runs commands", async () => {
  await withIdleRunner(TERMINAL, async ({ bundle, peer, watch }) => {
    try {
      const { args } = agentRunCommand(bundle.dir);
      assert.ok(args.includes("--allow-run"), `unrestricted --allow-run in ${args.join(" ")}`);
      assert.ok(!args.some((a) => a.startsWith("--allow-run=")));

      const caps = await say(peer, watch, "caps");
      assert.equal(JSON.parse(caps.slice("caps:".length)).terminal, true);

      const reply = await say(peer, watch, 'terminal sh -c "echo hi; exit 3"');
      assert.match(reply, /^terminal:created:\S+terminal:exit:3:hi\\n$/);

      assert.ok(
        (await say(peer, watch, "terminal sh -c pwd")).endsWith(
          `terminal:exit:0:${bundle.workspace}\\n`,
        ),
        "runs in the workspace",
      );
      assert.match(
        await say(peer, watch, "terminal no-such-command-here"),
        /^terminal:error:.*no-such-command-here/,
      );
    } finally {
      reapSleepers(bundle);
    }
  });
});

Deno.test("terminal: env is the agent's plus the request's, never the agent-run's own", async () => {
  const opts = {
    ...TERMINAL,
    agentEnv: ["AGENT_VAR=from-agent", "SHARED=agent"],
    runnerEnv: { RUNNER_SECRET: "leaked" },
  };
  await withIdleRunner(opts, async ({ peer, watch }) => {
    const reply = await say(
      peer,
      watch,
      `terminal REQ_VAR=from-request SHARED=request sh -c 'echo "\${RUNNER_SECRET-unset}|$AGENT_VAR|$REQ_VAR|$SHARED"'`,
    );
    assert.ok(
      reply.endsWith("terminal:exit:0:unset|from-agent|from-request|request\\n"),
      reply,
    );
  });
});

Deno.test("terminal: outputByteLimit keeps the tail and reports truncation", async () => {
  await withIdleRunner(TERMINAL, async ({ peer, watch }) => {
    assert.ok(
      (await say(peer, watch, "terminal_limit 10 printf 0123456789abcdefghij")).endsWith(
        "terminal_limit:truncated:abcdefghij",
      ),
    );
    assert.ok(
      (await say(peer, watch, "terminal_limit 100 printf short")).endsWith(
        "terminal_limit:complete:short",
      ),
    );
  });
});

Deno.test("terminal: kill SIGKILLs the command's whole process group", async () => {
  await withIdleRunner(TERMINAL, async ({ bundle, peer, watch }) => {
    try {
      const plain = await say(peer, watch, "terminal_kill sleep 30");
      assert.match(plain, /terminal_kill:exit:null:SIGKILL:$/);
      assert.deepEqual(sleepers(bundle), [], "the sleep is gone");

      // A shell that waits for a background child: both are in the group and both die.
      const reply = await say(peer, watch, "terminal_kill sh -c 'sleep 30 & echo $$ $!; wait'");
      assert.match(reply, /terminal_kill:exit:null:SIGKILL:\d+ \d+\\n$/);
      const pids = printedPids(reply);
      assert.equal(pids.length, 2);
      await waitGone(pids, "the shell and its background sleep", 5_000);
    } finally {
      reapSleepers(bundle);
    }
  });
});

Deno.test("terminal: exit does not wait for a background child; release kills it", async () => {
  await withIdleRunner(TERMINAL, async ({ bundle, peer, watch }) => {
    try {
      // The background sleep keeps the output pipe open for 30 s after the shell exits.
      const reply = await say(peer, watch, "terminal sh -c 'sleep 30 & echo $!'");
      assert.match(reply, /terminal:exit:0:\d+\\n$/);
      await waitGone(printedPids(reply), "the background sleep after release", 5_000);
    } finally {
      reapSleepers(bundle);
    }
  });
});

Deno.test("terminal: stopping the agent-run kills running terminals", async () => {
  await withIdleRunner(TERMINAL, async ({ bundle, runner, peer, watch }) => {
    try {
      const turn = peer.request(RunnerMethods.prompt, text("terminal sleep 60"), {
        timeoutMs: 30_000,
      }).catch(() => {});
      await watch.waitFor((e) => eventText(e).startsWith("terminal:created:"));
      const pids = await until("the terminal's sleep", () => {
        const found = sleepers(bundle);
        return found.length > 0 ? found : undefined;
      }, 10_000);
      assert.equal(pids.length, 1);
      assert.equal((await runner.stop(peer)).code, 0);
      await turn;
      assert.equal(pidAlive(pids[0]), false, "sleep 60 is gone once the agent-run has exited");
    } finally {
      reapSleepers(bundle);
    }
  });
});

Deno.test("terminal off: not advertised, and terminal/* is refused", async () => {
  await withIdleRunner({}, async ({ bundle, peer, watch }) => {
    const { args } = agentRunCommand(bundle.dir);
    assert.ok(!args.includes("--allow-run"), "no unrestricted --allow-run");
    const caps = JSON.parse((await say(peer, watch, "caps")).slice("caps:".length));
    assert.equal(caps.terminal, false);
    assert.deepEqual(caps.fs, { readTextFile: true, writeTextFile: true });
    const reply = await say(peer, watch, "terminal echo hi");
    assert.match(reply, /^terminal:error:.*method not found/i);
    assert.deepEqual(sleepers(bundle), []);
  });
});

Deno.test("test agent: shellWords splits like a shell, without expansions", () => {
  assert.deepEqual(shellWords(`sh -c "echo hi; exit 3"`), ["sh", "-c", "echo hi; exit 3"]);
  assert.deepEqual(shellWords(`a 'b  c' d\\ e "f\\"g" '$x'`), ["a", "b  c", "d e", 'f"g', "$x"]);
  assert.deepEqual(shellWords(`  x""y  ''  `), ["xy", ""]);
  assert.throws(() => shellWords(`echo "open`), /unterminated/);
  assert.throws(() => shellWords(`echo 'open`), /unterminated/);
});

Deno.test("TerminalService: kill reaches the background children, before any release", async () => {
  const ws = await Deno.realPath(await Deno.makeTempDir({ prefix: "mterm" }));
  const svc = new TerminalService(ws, { PATH: "/usr/bin:/bin" });
  try {
    const { terminalId } = await svc.create({
      command: "sh",
      args: ["-c", "sleep 30 & echo $$ $!; wait"],
    });
    const out = await until("pids printed", () => {
      const o = svc.output(terminalId).output;
      return o.endsWith("\n") ? o : undefined;
    }, 10_000);
    const pids = out.trim().split(" ").map(Number);
    assert.equal(pids.length, 2);
    await svc.kill(terminalId);
    assert.deepEqual(await svc.waitForExit(terminalId), { exitCode: null, signal: "SIGKILL" });
    await waitGone(pids, "the shell and its background sleep", 5_000);
    await svc.release(terminalId);
  } finally {
    await svc.closeAll();
    await Deno.remove(ws, { recursive: true });
  }
});
