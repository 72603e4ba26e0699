/**
 * The ARI calls the chat makes, and a client for them that redials after the daemon
 * restarted.
 */
import type {
  AgentRun,
  AgentRunDiff,
  AgentRunRuntimeStatus,
  AriPromptParams,
  AriRespondPermissionParams,
  AriSetModelParams,
  AriSetModeParams,
  PromptAccepted,
  RunKey,
} from "../../specs/ari.ts";
import type { AgentRunEvent, PermissionAnswer } from "../../specs/events.ts";
import { AriClient, type WatchOptions } from "../client/ari_client.ts";

/** What the chat needs from an ARI connection. */
export type ChatClient =
  & Pick<
    AriClient,
    | "agentrunGet"
    | "agentrunPrompt"
    | "agentrunCancel"
    | "agentrunSetModel"
    | "agentrunSetMode"
    | "agentrunStatus"
    | "agentrunRespondPermission"
    | "watch"
  >
  & Partial<Pick<AriClient, "agentrunDiff">>;

/**
 * An ARI client for commands that redials when its connection dropped (the daemon
 * restarted), so prompts work again once the watch has reconnected.
 */
export class RedialingClient implements ChatClient {
  #client: AriClient;
  #closed = false;
  #dead = false;
  readonly #socketPath: string;

  constructor(client: AriClient, socketPath: string) {
    this.#client = client;
    this.#socketPath = socketPath;
    this.#watchClose(client);
  }

  #watchClose(c: AriClient): void {
    c.closed.then(() => {
      if (c === this.#client) this.#dead = true;
    });
  }

  async #get(): Promise<AriClient> {
    if (this.#closed) throw new Error("chat closed");
    if (!this.#dead) return this.#client;
    const c = await AriClient.connect(this.#socketPath, { connectTimeoutMs: 5_000 });
    this.#client = c;
    this.#dead = false;
    this.#watchClose(c);
    return c;
  }

  async agentrunGet(key: RunKey): Promise<AgentRun> {
    return (await this.#get()).agentrunGet(key);
  }
  async agentrunPrompt(params: AriPromptParams): Promise<PromptAccepted> {
    return (await this.#get()).agentrunPrompt(params);
  }
  async agentrunCancel(key: RunKey): Promise<null> {
    return (await this.#get()).agentrunCancel(key);
  }
  async agentrunSetModel(params: AriSetModelParams): Promise<null> {
    return (await this.#get()).agentrunSetModel(params);
  }
  async agentrunSetMode(params: AriSetModeParams): Promise<null> {
    return (await this.#get()).agentrunSetMode(params);
  }
  async agentrunStatus(key: RunKey): Promise<AgentRunRuntimeStatus> {
    return (await this.#get()).agentrunStatus(key);
  }
  async agentrunRespondPermission(params: AriRespondPermissionParams): Promise<PermissionAnswer> {
    return (await this.#get()).agentrunRespondPermission(params);
  }
  async agentrunDiff(params: RunKey & { stat?: boolean }): Promise<AgentRunDiff> {
    return (await this.#get()).agentrunDiff(params);
  }
  watch(opts: WatchOptions): AsyncIterable<AgentRunEvent> {
    return this.#client.watch(opts);
  }
  close(): void {
    this.#closed = true;
    this.#client.close();
  }
}
