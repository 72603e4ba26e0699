/**
 * The agent-run's own copy of its state.json, kept in memory and persisted in order on every
 * change (the file format and its reader/writer: specs/eventlog/state.ts).
 */
import { writeStateFile, writeStateFileSync } from "../specs/eventlog/state.ts";
import type { RuntimeState } from "../specs/runtime.ts";

export interface StateFileOptions {
  /** Fills live fields (eventCounts, lastSeq) right before each write. */
  decorate?: (state: RuntimeState) => void;
  now?: () => Date;
}

/** The agent-run's copy of its state; every `update` is persisted in order. */
export class StateFile {
  #state: RuntimeState;
  #chain: Promise<void> = Promise.resolve();
  readonly #opts: StateFileOptions;

  constructor(readonly path: string, initial: RuntimeState, opts: StateFileOptions = {}) {
    this.#state = structuredClone(initial);
    this.#opts = opts;
  }

  /** The latest state (live fields as of the last write). */
  get state(): Readonly<RuntimeState> {
    return this.#state;
  }

  /** A copy with live fields filled in now, for `runtime/status`. */
  snapshot(): RuntimeState {
    const copy = structuredClone(this.#state);
    this.#opts.decorate?.(copy);
    return copy;
  }

  /** Applies `mutate` at once and queues the write; resolves when it is on disk. */
  update(mutate: (state: RuntimeState) => void): Promise<void> {
    mutate(this.#state);
    return this.flush();
  }

  /** Writes the current state (after the writes already queued). */
  flush(): Promise<void> {
    const run = async () => {
      this.#opts.decorate?.(this.#state);
      this.#state.updatedAt = (this.#opts.now?.() ?? new Date()).toISOString();
      await writeStateFile(this.path, this.#state);
    };
    const p = this.#chain.then(run);
    this.#chain = p.catch(() => {});
    return p;
  }

  /** Synchronous last-ditch write for exit paths; never throws. */
  writeSync(): void {
    try {
      this.#opts.decorate?.(this.#state);
      this.#state.updatedAt = (this.#opts.now?.() ?? new Date()).toISOString();
      writeStateFileSync(this.path, this.#state);
    } catch {
      // nothing more we can do while dying
    }
  }
}
