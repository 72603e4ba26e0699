/**
 * Shared setup for the daemon/ARI tests: a real daemon on a temp root, a real socket, and
 * raw-socket helpers for the bad-input tests.
 */
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/client/ari_client.ts";
import type { Workspace } from "../../specs/ari.ts";
import { type Daemon, type DaemonOptions, startDaemon } from "../../daemon/main.ts";
import { errorCode } from "../../specs/errors.ts";
import { deadline, until } from "../support/wait.ts";

const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));

/** Short temp roots: Unix socket paths are limited to 107 bytes. */
export function tempRoot(): Promise<string> {
  return Deno.makeTempDir({ prefix: "m" });
}

export interface TestDaemon {
  daemon: Daemon;
  client: AriClient;
  root: string;
  close(): Promise<void>;
}

/** Starts a daemon on a fresh root and connects a client; close() tears both down. */
export async function startTestDaemon(
  opts: Partial<DaemonOptions> & { keepRoot?: boolean; waitRecovery?: boolean } = {},
): Promise<TestDaemon> {
  const root = opts.root ?? await tempRoot();
  const daemon = await startDaemon({ runs: null, ...opts, root });
  if (opts.waitRecovery ?? true) await daemon.recovered;
  const client = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 20_000 });
  return {
    daemon,
    client,
    root,
    async close() {
      client.close();
      await daemon.close();
      if (!opts.keepRoot) await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Defines the scriptable test agent as agent `agent` and creates the emptyDir workspace
 * `workspace`; returns the workspace once it is ready.
 */
export async function setupTestAgent(
  client: AriClient,
  agent = "t",
  workspace = "w",
): Promise<Workspace> {
  await client.agentCreate({
    metadata: { name: agent },
    spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
  });
  await client.workspaceCreate({
    metadata: { name: workspace },
    spec: { source: { type: "emptyDir" } },
  });
  return await until(`workspace ${workspace} ready`, async () => {
    const ws = await client.workspaceGet(workspace);
    return ws.status.phase === "ready" && ws;
  });
}

/** Runs `fn` and returns the JSON-RPC error it failed with (fails the test if it did not). */
export async function rpcError(
  fn: () => Promise<unknown>,
): Promise<{ code: number | undefined; message: string }> {
  try {
    await fn();
  } catch (err) {
    return { code: errorCode(err), message: err instanceof Error ? err.message : String(err) };
  }
  throw new Error("expected the call to fail");
}

/** A raw connection that writes bytes and reads newline-delimited JSON replies. */
export class RawConn {
  readonly #conn: Deno.UnixConn;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf = "";
  readonly #decoder = new TextDecoder();

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
    this.#reader = conn.readable.getReader();
  }

  static async dial(path: string): Promise<RawConn> {
    return new RawConn(await Deno.connect({ transport: "unix", path }));
  }

  async write(data: string | Uint8Array): Promise<void> {
    let bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    while (bytes.length > 0) bytes = bytes.subarray(await this.#conn.write(bytes));
  }

  /** The next JSON line, or undefined at EOF; throws after `timeoutMs`. */
  async readJson(timeoutMs = 10_000): Promise<Record<string, unknown> | undefined> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        return JSON.parse(line);
      }
      const left = end - Date.now();
      if (left <= 0) throw new Error("timed out reading a reply");
      const res = await deadline(this.#reader.read(), left, "reading a reply");
      if (res.done) return undefined;
      this.#buf += this.#decoder.decode(res.value, { stream: true });
    }
  }

  close(): void {
    this.#reader.cancel().catch(() => {});
    try {
      this.#conn.close();
    } catch {
      // already closed by the server
    }
  }
}
