/**
 * End to end: the real chat TUI in a real terminal (tmux), against a real daemon
 * (`mass server` subprocess) running the built-in demo agent. Types a prompt, waits for
 * the demo agent's answer and the phase back to idle, sets the model and the mode with /model
 * and /mode, then quits with Ctrl+C.
 */
import { assert, assertEquals } from "./tui_assert.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { recoveredClient } from "../support/server.ts";
import { until } from "../support/wait.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const tmuxAvailable = new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
  .outputSync().success;
const daemonAvailable = existsSync(join(repo, "mass.ts")) &&
  existsSync(join(repo, "ctl", "main.ts"));

/** {@link until}, polling every 100 ms, with `detail()` added to the timeout's message. */
function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  detail: () => string = () => "",
): Promise<T> {
  return until(what, check, timeoutMs, 100).catch((err) => {
    throw new Error(`${err.message}\n${detail()}`);
  });
}

class Tmux {
  constructor(readonly server: string) {}

  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.server, ...args],
      env: { TERM: "xterm-256color" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    return text;
  }

  /** Types `text` into the chat and presses Enter. */
  async type(text: string): Promise<void> {
    await this.run("send-keys", "-t", "chat", "-l", text);
    await this.run("send-keys", "-t", "chat", "Enter");
  }

  screen(): Promise<string> {
    return this.run("capture-pane", "-p", "-t", "chat");
  }

  /** Kills only this test's tmux server and removes its socket file. */
  async kill(): Promise<void> {
    const socket = (await this.run("display-message", "-p", "#{socket_path}").catch(() => ""))
      .trim();
    await this.run("kill-server").catch(() => {});
    if (socket) await Deno.remove(socket).catch(() => {});
  }
}

Deno.test({
  name: "chat TUI e2e: prompt the demo agent in tmux, see the answer, /model, /mode, quit",
  ignore: !tmuxAvailable || !daemonAvailable,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
    const socket = join(root, "mass.sock");
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(repo, "mass.ts"), "server", "--root", root],
      cwd: repo,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let daemonLog = "";
    const logDone = daemon.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (daemonLog += chunk) }),
    );
    const tmux = new Tmux(`mass-chat-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
    let client: AriClient | undefined;
    let screen = "";
    try {
      client = await waitFor(
        "the daemon socket",
        // Mutating calls are refused until recovery is over: wait for that, not the socket.
        () => recoveredClient(socket, 60_000),
        60_000,
        () => daemonLog,
      );
      const c = client;
      await c.workspaceCreate({ metadata: { name: "w" }, spec: { source: { type: "emptyDir" } } });
      await waitFor("workspace ready", async () => {
        const ws = await c.workspaceGet("w");
        assert(ws.status.phase !== "error", `workspace failed: ${JSON.stringify(ws.status)}`);
        return ws.status.phase === "ready" ? ws : undefined;
      }, 30_000);
      await c.agentrunCreate({
        metadata: { name: "a", workspace: "w" },
        spec: { agent: "demo", systemPrompt: "You are the demo." },
      });
      await waitFor(
        "run idle",
        async () => {
          const run = await c.agentrunGet({ workspace: "w", name: "a" });
          assert(run.status.phase !== "error", `run failed: ${JSON.stringify(run.status)}`);
          return run.status.phase === "idle" ? run : undefined;
        },
        60_000,
        () => daemonLog,
      );

      const exitFile = join(root, "chat.exit");
      const chat = [
        Deno.execPath(),
        "run",
        "-A",
        join(repo, "ctl", "main.ts"),
        "--socket",
        socket,
        "agentrun",
        "chat",
        "a",
        "-w",
        "w",
      ].map((a) => `'${a}'`).join(" ");
      await tmux.run(
        "new-session",
        "-d",
        "-s",
        "chat",
        "-x",
        "120",
        "-y",
        "40",
        `${chat}; echo $? > '${exitFile}'; sleep 60`,
      );
      const detail = () => `--- screen ---\n${screen}\n--- daemon ---\n${daemonLog.slice(-2000)}`;
      const shows = (pred: (s: string) => boolean) => async () => {
        screen = await tmux.screen();
        return pred(screen) ? screen : undefined;
      };

      // History replay: the system-prompt turn shows collapsed, the header names the run and
      // the model the session started with (from agentrun/status: no event carries it).
      await waitFor(
        "the chat to render the run",
        shows((s) =>
          s.includes("MASS > w > a > demo-small") && s.includes("● idle") &&
          s.includes("system prompt")
        ),
        60_000,
        detail,
      );

      await tmux.type("hello from tmux");
      await waitFor(
        "the demo agent's answer and idle again",
        shows((s) =>
          // The demo echoes the prompt; the system-prompt turn's answer does not match.
          s.includes('You wrote 3 word(s): "hello from tmux"') && s.includes("● idle") &&
          !s.includes("working…")
        ),
        60_000,
        detail,
      );
      assert(screen.includes("❯ hello from tmux"), detail());
      assert(/Plan \d\/3/.test(screen), detail());
      assert(screen.includes("read"), detail());
      // The header shows the context usage the turn reported.
      assert(/MASS > w > a( > \S+)? [\d.]+K?\/[\d.]+K/.test(screen), detail());

      // /model and /mode go through agentrun/set_model and agentrun/set_mode.
      await tmux.type("/model demo-large");
      await waitFor(
        "the header to show the new model",
        shows((s) => s.includes("MASS > w > a > demo-large")),
        30_000,
        detail,
      );
      await tmux.type("/mode plan");
      await waitFor(
        "the mode to be plan",
        async () => {
          const st = await c.agentrunStatus({ workspace: "w", name: "a" });
          return st.state.session?.currentMode === "plan" ? st : undefined;
        },
        30_000,
        detail,
      );
      screen = await tmux.screen();
      assert(!/\/(model|mode) failed/.test(screen), detail());

      await tmux.run("send-keys", "-t", "chat", "C-c");
      const code = await waitFor(
        "the chat to exit",
        async () => {
          try {
            return (await Deno.readTextFile(exitFile)).trim();
          } catch {
            return undefined;
          }
        },
        20_000,
        detail,
      );
      assertEquals(code, "0");
    } finally {
      await tmux.kill();
      if (client) {
        await client.agentrunStop({ workspace: "w", name: "a" }).catch(() => {});
        client.close();
      }
      try {
        daemon.kill("SIGTERM");
      } catch { /* already gone */ }
      await daemon.status;
      await logDone.catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
