/**
 * The agent process and the ACP client side of its stdio.
 *
 * `session/update` notifications are taken off the agent's stdout here, in order, and each
 * is handed to `onUpdate` and awaited before the next line is read: nothing is dropped, a
 * slow event log slows the agent (the pipe fills), and every update the agent wrote before
 * answering `session/prompt` has been handled before that answer reaches the caller. All
 * other messages go to the ACP SDK's client connection.
 */
import * as acp from "@agentclientprotocol/sdk";
import { MASS_VERSION } from "../../specs/runtime.ts";
import { FrameTooLargeError, LineDecoder } from "../../specs/wire/framing.ts";
import type { FsService } from "../fs/fs_service.ts";
import type { PermissionDecision } from "../permissions/permission_policy.ts";
import type { TerminalService } from "../terminal/terminal_service.ts";

/** ACP protocol version we speak, and require the agent to answer. */
export const ACP_PROTOCOL_VERSION = 1;
/** Largest line the agent may write (file contents travel inside one). */
export const MAX_AGENT_LINE_BYTES = 64 * 1024 * 1024;

/** The agent process could not be started (e.g. its command does not exist). */
export class AgentSpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentSpawnError";
  }
}

/** The agent speaks an ACP protocol version mass does not. */
export class AcpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AcpProtocolError";
  }
}

export interface SpawnAgentOptions {
  command: string;
  args: string[];
  cwd: string;
  /** The agent's entire environment. */
  env: Record<string, string>;
  /** Receives the agent's stderr; awaited, so a slow sink slows the agent's stderr. */
  onStderr: (chunk: Uint8Array) => void | Promise<void>;
}

export interface AgentProcess {
  readonly pid: number;
  readonly status: Promise<Deno.CommandStatus>;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  /** Resolves once stderr reached EOF and was copied. */
  readonly stderrDone: Promise<void>;
}

/** Starts the agent in its own process group with exactly `env`. */
export function spawnAgent(opts: SpawnAgentOptions): AgentProcess {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(opts.command, {
      args: opts.args,
      cwd: opts.cwd,
      env: opts.env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (err) {
    throw new AgentSpawnError(`cannot start agent ${opts.command}: ${(err as Error).message}`);
  }
  const stderrDone = (async () => {
    try {
      for await (const chunk of child.stderr) await opts.onStderr(chunk);
    } catch {
      // stderr closed under us
    }
  })();
  return {
    pid: child.pid,
    status: child.status,
    stdin: child.stdin,
    stdout: child.stdout,
    stderrDone,
  };
}

export interface AcpClientHandlers {
  /** One `session/update` notification's params, in arrival order; awaited. */
  onUpdate(params: acp.SessionNotification): Promise<void>;
  requestPermission(
    params: acp.RequestPermissionRequest,
  ): PermissionDecision | Promise<PermissionDecision>;
  fs: FsService;
  /** Serve terminal/* (and advertise it) only when given. */
  terminal?: TerminalService;
  /** Lines that are not JSON-RPC, oversized lines, handler failures. */
  onProtocolError?(message: string): void;
}

const encoder = new TextEncoder();

function isSessionUpdate(msg: unknown): msg is { params: acp.SessionNotification } {
  if (typeof msg !== "object" || msg === null) return false;
  const m = msg as Record<string, unknown>;
  return m.method === "session/update" && !("id" in m);
}

/** Our RpcErrors (and anything else with a numeric code) as ACP RequestErrors. */
function asRequestError(err: unknown): unknown {
  if (err instanceof acp.RequestError) return err;
  const code = typeof err === "object" && err !== null && "code" in err
    ? (err as { code: unknown }).code
    : undefined;
  if (typeof code === "number") {
    return new acp.RequestError(code, err instanceof Error ? err.message : String(err));
  }
  return new acp.RequestError(-32603, err instanceof Error ? err.message : String(err));
}

function guarded<P, R>(fn: (params: P) => R | Promise<R>) {
  return async ({ params }: { params: P }): Promise<R> => {
    try {
      return await fn(params);
    } catch (err) {
      throw asRequestError(err);
    }
  };
}

/** The ACP client connection to one agent process. */
export class AcpClient {
  readonly #conn: acp.ClientConnection;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #inputClosed = false;

  private constructor(conn: acp.ClientConnection, writer: WritableStreamDefaultWriter<Uint8Array>) {
    this.#conn = conn;
    this.#writer = writer;
  }

  static connect(proc: AgentProcess, handlers: AcpClientHandlers): AcpClient {
    const onError = handlers.onProtocolError ?? (() => {});
    const writer = proc.stdin.getWriter();
    const writable = new WritableStream<acp.AnyMessage>({
      async write(msg) {
        await writer.write(encoder.encode(JSON.stringify(msg) + "\n"));
      },
    });
    const readable = agentMessages(proc.stdout, handlers.onUpdate, onError);
    let app = acp.client({ name: "mass" })
      .onRequest(
        acp.methods.client.session.requestPermission,
        guarded((p: acp.RequestPermissionRequest) => handlers.requestPermission(p)),
      )
      .onRequest(
        acp.methods.client.fs.readTextFile,
        guarded((p: acp.ReadTextFileRequest) => handlers.fs.readTextFile(p)),
      )
      .onRequest(
        acp.methods.client.fs.writeTextFile,
        guarded((p: acp.WriteTextFileRequest) => handlers.fs.writeTextFile(p)),
      );
    const term = handlers.terminal;
    if (term) {
      app = app
        .onRequest(
          acp.methods.client.terminal.create,
          guarded((p: acp.CreateTerminalRequest) => term.create(p)),
        )
        .onRequest(
          acp.methods.client.terminal.output,
          guarded((p: acp.TerminalOutputRequest) => term.output(p.terminalId)),
        )
        .onRequest(
          acp.methods.client.terminal.waitForExit,
          guarded((p: acp.WaitForTerminalExitRequest) => term.waitForExit(p.terminalId)),
        )
        .onRequest(
          acp.methods.client.terminal.kill,
          guarded((p: acp.KillTerminalRequest) => term.kill(p.terminalId)),
        )
        .onRequest(
          acp.methods.client.terminal.release,
          guarded((p: acp.ReleaseTerminalRequest) => term.release(p.terminalId)),
        );
    }
    const conn = app.connect({ readable, writable });
    return new AcpClient(conn, writer);
  }

  /** Calls agent methods (typed by ACP method name). */
  get agent(): acp.ClientContext {
    return this.#conn.agent;
  }

  /** Resolves when the connection is gone (agent stdout closed, or `close`). */
  get closed(): Promise<void> {
    return this.#conn.closed;
  }

  /** `initialize` with protocol version 1; refuses an agent that answers another version. */
  async initialize(opts: { terminal: boolean }): Promise<acp.InitializeResponse> {
    const res = await this.agent.request(acp.methods.agent.initialize, {
      protocolVersion: ACP_PROTOCOL_VERSION,
      clientCapabilities: {
        fs: { readTextFile: true, writeTextFile: true },
        terminal: opts.terminal,
      },
      clientInfo: { name: "mass", version: MASS_VERSION },
    });
    if (res.protocolVersion !== ACP_PROTOCOL_VERSION) {
      throw new AcpProtocolError(
        `agent answered ACP protocol version ${res.protocolVersion}; mass speaks only version ${ACP_PROTOCOL_VERSION}`,
      );
    }
    return res;
  }

  /** Closes the agent's stdin (the polite way to ask it to exit). */
  async closeInput(): Promise<void> {
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    try {
      await this.#writer.close();
    } catch {
      // the agent is gone already
    }
  }

  close(): void {
    this.#conn.close();
  }
}

/**
 * The agent's stdout as JSON-RPC messages for the SDK, minus `session/update`, which goes
 * to `onUpdate` (awaited) instead. Pull-based: nothing is read ahead of the consumer.
 */
export function agentMessages(
  stdout: ReadableStream<Uint8Array>,
  onUpdate: (params: acp.SessionNotification) => Promise<void>,
  onError: (message: string) => void,
): ReadableStream<acp.AnyMessage> {
  const reader = stdout.getReader();
  const decoder = new LineDecoder(MAX_AGENT_LINE_BYTES);
  let lines: string[] = [];
  let next = 0;
  return new ReadableStream<acp.AnyMessage>({
    async pull(controller) {
      while (true) {
        while (next < lines.length) {
          const line = lines[next++].trim();
          if (line === "") continue;
          let msg: unknown;
          try {
            msg = JSON.parse(line);
          } catch {
            onError(`agent wrote a line that is not JSON: ${line.slice(0, 200)}`);
            continue;
          }
          if (isSessionUpdate(msg)) {
            try {
              await onUpdate(msg.params);
            } catch (err) {
              onError(`session/update handler failed: ${err}`);
            }
            continue;
          }
          controller.enqueue(msg as acp.AnyMessage);
          return;
        }
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          controller.close();
          return;
        }
        if (chunk.done) {
          controller.close();
          return;
        }
        try {
          lines = decoder.push(chunk.value);
        } catch (err) {
          if (!(err instanceof FrameTooLargeError)) throw err;
          onError(`agent wrote a line over ${MAX_AGENT_LINE_BYTES} bytes; closing the connection`);
          await reader.cancel().catch(() => {});
          controller.error(err);
          return;
        }
        next = 0;
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
