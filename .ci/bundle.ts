/**
 * `deno task bundle`: writes dist/mass.js and dist/massctl.js with `deno bundle`, each one
 * ES module that needs nothing but deno (no source tree, no node_modules, no deno.json):
 *
 *   deno run -A dist/massctl.js ws get
 *   deno run -A --unstable-kv dist/mass.js server      # agentd then runs agent-runs from it too
 *
 * Usage: deno run -A .ci/bundle.ts [OUT_DIR]   (default: dist/ of this repository)
 *
 * `deno bundle` fetches esbuild from the npm registry on first use (then it is cached).
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface BundleTarget {
  /** Output file name. */
  name: string;
  /** Entry module, relative to the repository root. */
  entry: string;
  /** First line of the output, so that `./dist/<name>` runs it. */
  shebang: string;
}

export const TARGETS: readonly BundleTarget[] = [
  { name: "mass.js", entry: "mass.ts", shebang: "#!/usr/bin/env -S deno run -A --unstable-kv" },
  { name: "massctl.js", entry: "ctl/main.ts", shebang: "#!/usr/bin/env -S deno run -A" },
];

/**
 * Imports a single-file bundle cannot carry, kept out of the bundle and replaced by a
 * stand-in. ink imports React DevTools (an optional peer we do not install) from a module it
 * loads only when DEV=true and `import.meta.resolve("react-devtools-core")` succeeds, which
 * it never does in a bundle; the stand-in only satisfies the static import.
 */
export const STUBBED_IMPORTS: Readonly<Record<string, string>> = {
  "react-devtools-core": "{ initialize() {}, connectToDevTools() {} }",
};

export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces each `import x from "<stubbed>";` of `code` with `var x = <stand-in>;` (pure). */
export function stubImports(
  code: string,
  stubs: Readonly<Record<string, string>> = STUBBED_IMPORTS,
): string {
  let out = code;
  for (const [specifier, value] of Object.entries(stubs)) {
    const re = new RegExp(`^import (\\w+) from "${escapeRe(specifier)}";$`, "gm");
    out = out.replace(re, (_line, name: string) => `var ${name} = ${value};`);
  }
  return out;
}

/**
 * Specifiers of the top-level `import`/`export … from` statements of `code` that are not
 * `node:` built-ins (pure). A bundle with any of them does not run outside this repository.
 */
export function foreignImports(code: string): string[] {
  const re = /^(?:import|export)[\s{*][^;"']*?["']([^"']+)["'];?[ \t]*$/gm;
  const found = new Set<string>();
  for (const m of code.matchAll(re)) if (!m[1].startsWith("node:")) found.add(m[1]);
  return [...found];
}

/** Puts `shebang` on the first line of `code`, replacing the hashbang esbuild kept, if any. */
export function withShebang(code: string, shebang: string): string {
  const body = code.startsWith("#!") ? code.slice(code.indexOf("\n") + 1) : code;
  return `${shebang}\n${body}`;
}

export interface BundleOptions {
  /** Directory the bundles are written to (created). */
  outDir: string;
  /** Repository root; default: the one this file is in. */
  root?: string;
  /** The deno binary; default Deno.execPath(). */
  deno?: string;
  targets?: readonly BundleTarget[];
  /** Bound on each `deno bundle` (it may download esbuild first). */
  timeoutMs?: number;
}

export interface BundleOutput {
  target: BundleTarget;
  path: string;
  bytes: number;
  ms: number;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Bundles every target into `outDir`; throws BundleError with deno's output on failure. */
export async function bundle(opts: BundleOptions): Promise<BundleOutput[]> {
  const root = opts.root ?? REPO_ROOT;
  const deno = opts.deno ?? Deno.execPath();
  const outDir = resolve(opts.outDir);
  await Deno.mkdir(outDir, { recursive: true });
  const outputs: BundleOutput[] = [];
  for (const target of opts.targets ?? TARGETS) {
    const path = join(outDir, target.name);
    const started = performance.now();
    const res = await new Deno.Command(deno, {
      args: [
        "bundle",
        "--quiet",
        `--config=${join(root, "deno.json")}`,
        "--platform=deno",
        ...Object.keys(STUBBED_IMPORTS).map((s) => `--external=${s}`),
        `--output=${path}`,
        join(root, target.entry),
      ],
      cwd: root,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 300_000),
    }).output();
    if (!res.success) {
      const said = new TextDecoder().decode(res.stderr).trim() ||
        new TextDecoder().decode(res.stdout).trim();
      throw new BundleError(`deno bundle ${target.entry} failed (exit ${res.code}): ${said}`);
    }
    const code = withShebang(stubImports(await Deno.readTextFile(path)), target.shebang);
    const foreign = foreignImports(code);
    if (foreign.length > 0) {
      throw new BundleError(
        `${target.name} still imports ${foreign.join(", ")}: bundle them, or stub them in ` +
          `.ci/bundle.ts`,
      );
    }
    await Deno.writeTextFile(path, code, { mode: 0o755 });
    await Deno.chmod(path, 0o755);
    outputs.push({
      target,
      path,
      bytes: new TextEncoder().encode(code).length,
      ms: Math.round(performance.now() - started),
    });
  }
  return outputs;
}

if (import.meta.main) {
  const outDir = Deno.args[0] ?? join(REPO_ROOT, "dist");
  try {
    for (const out of await bundle({ outDir })) {
      const size = (out.bytes / 1e6).toFixed(2);
      console.log(`${relative(Deno.cwd(), out.path)}  ${size} MB  (${out.ms} ms)`);
    }
  } catch (err) {
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
}
