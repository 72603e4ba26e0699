/**
 * state.json: written only by the agent-run, always whole and atomically (temp file in the
 * same directory, fsync, rename), so a reader never sees a torn file.
 */
import { writeFileAtomic, writeFileAtomicSync } from "../specs/lib/atomic_file.ts";
import type { RuntimeState } from "../specs/runtime.ts";

/** Reads state.json; undefined when missing or unreadable. */
export async function readStateFile(path: string): Promise<RuntimeState | undefined> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    return parsed && typeof parsed === "object" ? parsed as RuntimeState : undefined;
  } catch {
    return undefined;
  }
}

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
      await writeFileAtomic(this.path, JSON.stringify(this.#state, null, 2) + "\n", {
        sync: true,
      });
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
      writeFileAtomicSync(this.path, JSON.stringify(this.#state, null, 2) + "\n");
    } catch {
      // nothing more we can do while dying
    }
  }
}
