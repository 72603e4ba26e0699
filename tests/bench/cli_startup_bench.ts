/**
 * massctl start-up: `massctl agentrun get` against a live daemon, beside a bare
 * `deno run` of an empty file, from source and as installed by `.ci/install` (the code-split
 * bundle). Target: the installed `get` within 2x the empty file.
 *
 * As a script, the variants run alternately (so machine load hits them alike) and medians
 * are printed:
 *
 *   deno run -A tests/bench/cli_startup_bench.ts [--runs 15] [--entry OTHER/ctl/main.ts]
 *
 * (`--entry` adds another massctl source entry, e.g. an older checkout, for before/after.)
 * Under `deno task bench` the same variants are Deno.bench cases (few iterations: each
 * starts a process).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleMassctl } from "../../.ci/install_cli.ts";
import { spawnServer } from "../support/server.ts";
import { killChild } from "../support/process.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const DENO = Deno.execPath();

export interface Variant {
  name: string;
  args: string[];
}

/** Starts a daemon with one workspace and run, bundles massctl; returns the variants. */
export async function setUp(extraEntries: string[] = []) {
  const root = await Deno.makeTempDir({ prefix: "mcsb" });
  const server = await spawnServer(root);
  const socket = join(root, "mass.sock");
  await server.client.workspaceCreate({
    metadata: { name: "w" },
    spec: { source: { type: "emptyDir" } },
  });
  const empty = join(root, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const bundle = await bundleMassctl(REPO, DENO, join(root, "massctl"));
  const get = ["--socket", socket, "agentrun", "get"];
  const variants: Variant[] = [
    { name: "deno run empty.ts", args: ["run", "--no-config", empty] },
    {
      name: "massctl ar get (installed bundle)",
      args: ["run", "-A", "--no-config", bundle, ...get],
    },
    { name: "massctl ar get (source)", args: ["run", "-A", join(REPO, "ctl/main.ts"), ...get] },
    ...extraEntries.map((e) => ({ name: `massctl ar get (${e})`, args: ["run", "-A", e, ...get] })),
  ];
  return {
    variants,
    async tearDown() {
      server.client.close();
      killChild(server.child, "SIGTERM");
      await server.child.status;
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs one variant to completion; its wall time in ms. Throws when it fails. */
export async function timeOnce(v: Variant): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(DENO, {
    args: v.args,
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const ms = performance.now() - started;
  if (!out.success) {
    throw new Error(`${v.name} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (import.meta.main) {
  const runsAt = Deno.args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(Deno.args[runsAt + 1]) : 15;
  const entries = Deno.args.flatMap((a, i) => Deno.args[i - 1] === "--entry" ? [a] : []);
  const { variants, tearDown } = await setUp(entries);
  try {
    const times = variants.map(() => [] as number[]);
    for (const v of variants) await timeOnce(v); // warm deno's caches
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < variants.length; i++) times[i].push(await timeOnce(variants[i]));
    }
    const base = median(times[0]);
    console.log(`median of ${runs} alternating runs:`);
    for (let i = 0; i < variants.length; i++) {
      const m = median(times[i]);
      const ratio = (m / base).toFixed(1);
      console.log(`  ${variants[i].name.padEnd(44)} ${m.toFixed(0).padStart(5)} ms  ${ratio}x`);
    }
  } finally {
    await tearDown();
  }
} else {
  const { variants, tearDown } = await setUp();
  globalThis.addEventListener("unload", () => void tearDown());
  for (const [i, v] of variants.entries()) {
    Deno.bench(v.name, { group: "cli-startup", baseline: i === 0, n: 10, warmup: 2 }, async () => {
      await timeOnce(v);
    });
  }
}
