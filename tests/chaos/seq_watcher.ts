/**
 * A watcher that checks exactly-once delivery: it watches one run over ARI and, whenever
 * its connection ends (agentd killed, agent-run gone), redials and resumes from its last
 * seq + 1. Unlike the client's watchRun it keeps no dedup: any seq other than the next one
 * expected is recorded as a problem (a duplicate or a gap).
 */
import { AriMethods, type RunKey } from "../../mod.ts";
import { delay } from "../../specs/lib/delay.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";

export class SeqWatcher {
  /** The next seq expected (last seen + 1). */
  next = 0;
  received = 0;
  reconnects = 0;
  readonly problems: string[] = [];
  #peer?: RpcPeer;
  #stopped = false;
  readonly #loop: Promise<void>;

  constructor(readonly socket: string, readonly key: RunKey) {
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const peer = await dialUnix(this.socket, {
          connectTimeoutMs: 1_000,
          requestTimeoutMs: 5_000,
          setup: (p) => p.onNotification(AriMethods.agentrunEvent, (ev) => this.#on(ev)),
        });
        this.#peer = peer;
        if (this.#stopped) peer.close();
        await peer.request(AriMethods.agentrunWatch, {
          ...this.key,
          watchId: crypto.randomUUID(),
          fromSeq: this.next,
        });
        await peer.closed;
      } catch {
        // agentd down or recovering: retry below
      } finally {
        this.#peer?.close();
      }
      if (this.#stopped) break;
      this.reconnects++;
      await delay(100);
    }
  }

  #on(params: unknown): void {
    const seq = (params as { seq?: unknown }).seq;
    if (typeof seq !== "number") {
      this.problems.push(`${this.key.name}: event without seq`);
      return;
    }
    this.received++;
    if (seq !== this.next) {
      this.problems.push(
        `${this.key.name}: got seq ${seq}, expected ${this.next} (${
          seq < this.next ? "duplicate" : "gap"
        })`,
      );
    }
    this.next = Math.max(this.next, seq + 1);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#peer?.close();
    await this.#loop;
  }
}
