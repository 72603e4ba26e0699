/**
 * `mass server` as a subprocess on a temp root, for tests and benchmarks that kill or restart
 * agentd for real.
 */
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { killChild } from "./process.ts";
import { until } from "./wait.ts";

const MASS = fileURLToPath(new URL("../../mass.ts", import.meta.url));

export interface ServerProcess {
  root: string;
  child: Deno.ChildProcess;
  /** Connected once the server had finished its recovery. */
  client: AriClient;
}

export interface SpawnServerOptions {
  /** Extra `mass server` arguments. */
  args?: string[];
  /** Request timeout of `client`. */
  requestTimeoutMs?: number;
  /** How often to try the socket while the server starts. */
  everyMs?: number;
}

/** Spawns `mass server --root <root>` and connects once its recovery is complete. */
export async function spawnServer(
  root: string,
  opts: SpawnServerOptions = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MASS, "server", "--root", root, ...opts.args ?? []],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const socket = `${root}/mass.sock`;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  try {
    const client = await until(
      "mass server to finish recovery",
      () => recoveredClient(socket, requestTimeoutMs),
      120_000,
      opts.everyMs,
    );
    return { root, child, client };
  } catch (err) {
    killChild(child);
    await child.status;
    throw err;
  }
}

/** A client on `socket` if the server there answers and has recovered; else undefined. */
export async function recoveredClient(
  socket: string,
  requestTimeoutMs: number,
): Promise<AriClient | undefined> {
  let client: AriClient;
  try {
    client = await AriClient.connect(socket, { connectTimeoutMs: 1_000, requestTimeoutMs });
  } catch {
    return undefined; // not listening yet
  }
  const info = await client.systemInfo().catch(() => undefined);
  if (info?.recovery.phase === "complete") return client;
  client.close();
  return undefined;
}
