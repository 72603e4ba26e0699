/**
 * `bash .ci/install [DIR]`: installs `mass` and `massctl` as small shell wrappers in DIR
 * (default `$MASS_INSTALL_DIR`, else `~/.local/bin`) that call this deno by its absolute
 * path, so they work on a machine whose PATH has no deno (the `bash .ci/deno` path).
 *
 * - `massctl` runs a code-split bundle of ctl/main.ts (written to dist/massctl/): a command
 *   loads only the chunks it needs, so `massctl ar get` starts several times faster than from
 *   source (numbers: tests/bench/cli_startup_bench.ts).
 * - `mass` runs mass.ts from this checkout (agentd starts agent-runs from it).
 *
 * Re-run it after updating the checkout (the bundle is a snapshot).
 *
 * Usage: deno run -A .ci/install_cli.ts [DIR]
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { foreignImports, STUBBED_IMPORTS, stubImports } from "./bundle.ts";

const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));

export interface InstallOptions {
  /** Where the wrappers go (created). */
  binDir: string;
  /** The checkout; default the one this file is in. */
  repo?: string;
  /** Absolute deno the wrappers call; default Deno.execPath(). */
  deno?: string;
  /** Where the massctl bundle goes; default `<repo>/dist/massctl`. */
  bundleDir?: string;
}

export interface Installed {
  massctl: string;
  mass: string;
  bundle: string;
}

/** Quotes `s` for a POSIX shell. */
function sh(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Bundles ctl/main.ts split into chunks; the chunks import only each other and node:. */
export async function bundleMassctl(repo: string, deno: string, outDir: string): Promise<string> {
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const res = await new Deno.Command(deno, {
    args: [
      "bundle",
      "--quiet",
      `--config=${join(repo, "deno.json")}`,
      "--platform=deno",
      "--code-splitting",
      ...Object.keys(STUBBED_IMPORTS).map((s) => `--external=${s}`),
      `--outdir=${outDir}`,
      join(repo, "ctl/main.ts"),
    ],
    cwd: repo,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(300_000),
  }).output();
  if (!res.success) {
    const said = new TextDecoder().decode(res.stderr).trim();
    throw new Error(`deno bundle ctl/main.ts failed (exit ${res.code}): ${said}`);
  }
  for await (const entry of Deno.readDir(outDir)) {
    if (!entry.name.endsWith(".js")) continue;
    const path = join(outDir, entry.name);
    const code = stubImports(await Deno.readTextFile(path));
    const foreign = foreignImports(code).filter((s) => !s.startsWith("./"));
    if (foreign.length > 0) {
      throw new Error(`${entry.name} still imports ${foreign.join(", ")}: stub it in bundle.ts`);
    }
    await Deno.writeTextFile(path, code);
  }
  return join(outDir, "main.js");
}

/** Bundles massctl and writes the two wrappers; returns their paths. */
export async function install(opts: InstallOptions): Promise<Installed> {
  const repo = opts.repo ?? REPO;
  const deno = opts.deno ?? Deno.execPath();
  const binDir = resolve(opts.binDir);
  const bundle = await bundleMassctl(repo, deno, opts.bundleDir ?? join(repo, "dist/massctl"));
  await Deno.mkdir(binDir, { recursive: true });
  const wrappers = {
    // --no-config: a deno.json in the user's directory must not change how massctl runs.
    massctl: `exec ${sh(deno)} run -A --no-config ${sh(bundle)} "$@"`,
    mass: `exec ${sh(deno)} run -A --config ${sh(join(repo, "deno.json"))} ${
      sh(join(repo, "mass.ts"))
    } "$@"`,
  };
  const out: Record<string, string> = {};
  for (const [name, line] of Object.entries(wrappers)) {
    const path = join(binDir, name);
    await Deno.writeTextFile(path, `#!/bin/sh\n# written by mass's .ci/install\n${line}\n`);
    await Deno.chmod(path, 0o755);
    out[name] = path;
  }
  return { massctl: out.massctl, mass: out.mass, bundle };
}

if (import.meta.main) {
  const home = Deno.env.get("HOME") ?? "/tmp";
  const binDir = Deno.args[0] ?? Deno.env.get("MASS_INSTALL_DIR") ?? join(home, ".local/bin");
  try {
    const done = await install({ binDir });
    console.log(`installed: ${done.massctl}`);
    console.log(`installed: ${done.mass}`);
    const onPath = (Deno.env.get("PATH") ?? "").split(":").some((p) =>
      resolve(p) === resolve(binDir)
    );
    if (!onPath) {
      console.log(`${binDir} is not on your PATH; add it, e.g. in ~/.bashrc:`);
      console.log(`  export PATH="${binDir}:$PATH"`);
    }
  } catch (err) {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
}
