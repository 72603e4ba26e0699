/**
 * `massctl agentrun chat NAME -w WS`: an interactive chat with one AgentRun, over ARI only.
 *
 * It replays the run's history (watch from seq 0), then follows live events; the watch
 * reconnects and resumes by itself. Prompts go through agentrun/prompt, so the daemon's
 * idle→running reservation applies to the chat like to every other client.
 *
 * The parts: pure state (chat_state.ts, state/), the pure key map (keymap.ts), the views
 * (chat_app.tsx, components/), and the ARI side (chat_client.ts, chat_requests.ts,
 * use_run_events.ts).
 */
import process from "node:process";
import { render } from "ink";
import type { AgentRun } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import { AriClient } from "../client/ari_client.ts";
import { RedialingClient } from "./chat_client.ts";
import { ChatApp } from "./chat_app.tsx";

export { ChatApp, type ChatAppProps } from "./chat_app.tsx";
export type { ChatClient } from "./chat_client.ts";

export interface RunChatOptions {
  socketPath: string;
  workspace: string;
  name: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Where connection errors are printed before the UI starts (default: stderr). */
  stderr?: (line: string) => void;
}

/**
 * Runs the chat until the user quits; resolves to the process exit code.
 *
 * @example
 * ```ts
 * const code = await runChat({ socketPath: "mass.sock", workspace: "ws", name: "a" });
 * ```
 */
export async function runChat(opts: RunChatOptions): Promise<number> {
  const printErr = opts.stderr ?? ((line: string) => console.error(line));
  let client: AriClient;
  try {
    client = await AriClient.connect(opts.socketPath, { connectTimeoutMs: 5_000 });
  } catch (err) {
    printErr(`Error: cannot connect to ${opts.socketPath}: ${errorMessage(err)}`);
    return 1;
  }
  const chatClient = new RedialingClient(client, opts.socketPath);
  let run: AgentRun;
  try {
    run = await client.agentrunGet({ workspace: opts.workspace, name: opts.name });
  } catch (err) {
    printErr(`Error: ${errorMessage(err)}`);
    chatClient.close();
    return 1;
  }
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const app = render(
    <ChatApp
      client={chatClient}
      workspace={opts.workspace}
      name={opts.name}
      initialRun={run}
      onExit={(code) => resolveExit(code)}
    />,
    {
      stdin: opts.stdin,
      stdout: opts.stdout,
      // ink turns itself non-interactive when CI is set; a chat in a terminal is interactive.
      interactive: (opts.stdout ?? process.stdout).isTTY === true,
      exitOnCtrlC: false,
      alternateScreen: true,
      patchConsole: false,
    },
  );
  const code = await exited;
  app.unmount();
  await app.waitUntilExit().catch(() => {});
  chatClient.close();
  return code;
}
