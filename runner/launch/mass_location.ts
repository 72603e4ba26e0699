/**
 * Where `mass` runs from (source tree, bundle, or `deno compile` binary), and so how to start
 * it again for `mass run` and `mass mesh-mcp`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * How `mass` is running: from its source tree, as the single file `deno bundle` writes
 * (dist/mass.js), or as a `deno compile` binary ("standalone").
 */
export type MassKind = "source" | "bundled" | "standalone";

/** Where `mass` runs from, and so how to start it again (`mass run`, `mass mesh-mcp`). */
export interface MassLocation {
  kind: MassKind;
  /** mass.ts, or the bundle file. For "standalone", a path inside the binary deno cannot run. */
  entry: string;
  /** The deno.json that resolves mass's imports (source only: a bundle is self-contained). */
  config?: string;
}

/**
 * Locates `mass` from this module's URL: in a bundle every module shares the bundle file's
 * URL, so a URL that is not this module's source path is the bundle (of mass: massctl's
 * bundle does not contain this module).
 */
export function locateMass(moduleUrl: string, standalone: boolean): MassLocation {
  const here = fileURLToPath(moduleUrl);
  if (!here.endsWith(join("runner", "launch", "mass_location.ts"))) {
    return { kind: standalone ? "standalone" : "bundled", entry: here };
  }
  const entry = join(dirname(here), "..", "..", "mass.ts");
  return standalone
    ? { kind: "standalone", entry }
    : { kind: "source", entry, config: join(dirname(entry), "deno.json") };
}

/** Where this process's `mass` runs from. */
export const MASS_LOCATION: MassLocation = locateMass(import.meta.url, Deno.build.standalone);

/** Absolute path of the `mass` entry point (mass.ts, or the bundle file). */
export const MASS_ENTRY = MASS_LOCATION.entry;

/**
 * The `deno run` flags that give `mass` its configuration: its deno.json from source;
 * `--no-config` for a bundle, so no deno.json found in the working directory applies.
 */
export function massConfigFlags(mass: MassLocation = MASS_LOCATION): string[] {
  return mass.config ? [`--config=${mass.config}`] : ["--no-config"];
}

/** Thrown when agent-runs cannot be started from this kind of `mass`. */
export class MassEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MassEntryError";
  }
}

/**
 * Why this `mass` cannot start agent-runs, if it cannot: a `deno compile` binary has its
 * permissions fixed at compile time, so it cannot narrow them per agent-run.
 */
export function massSpawnProblem(mass: MassLocation = MASS_LOCATION): string | undefined {
  return mass.kind === "standalone"
    ? "a `deno compile` binary of mass cannot start agent-runs (they run under `deno run` " +
      "with per-run permissions); run `mass server` from source or from the bundle " +
      "(deno run -A --unstable-kv dist/mass.js server)"
    : undefined;
}
