/**
 * `massctl agentrun get` loads only what it needs: the modules it imports statically (the
 * entry and the agentrun noun; everything else is a dynamic import) reach no zod, yaml,
 * ink/react, inquirer or ACP SDK. Start-up times themselves are in
 * tests/bench/cli_startup_bench.ts.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** npm packages reached from `entry` through static imports only. */
async function staticNpmPackages(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(new URL(entry, import.meta.url))],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map<string, InfoModule>(
    info.modules.map((m: InfoModule) => [m.specifier, m]),
  );
  const redirects: Record<string, string> = info.redirects ?? {};
  const seen = new Set<string>();
  const npm = new Set<string>();
  const stack: string[] = [...info.roots];
  while (stack.length > 0) {
    const raw = stack.pop()!;
    const s = redirects[raw] ?? raw;
    if (seen.has(s)) continue;
    seen.add(s);
    const pkg = s.match(/^npm:\/?((?:@[^/@]+\/)?[^/@]+)/)?.[1];
    if (pkg) npm.add(pkg);
    for (const d of modules.get(s)?.dependencies ?? []) {
      if (d.code && !d.isDynamic) stack.push(d.code.specifier);
    }
  }
  return npm;
}

const HEAVY = ["zod", "yaml", "ink", "react", "@inquirer/prompts", "@agentclientprotocol/sdk"];

Deno.test("massctl ar get: no zod, yaml, ink, inquirer or ACP SDK on its static path", async () => {
  for (const entry of ["../../ctl/main.ts", "../../ctl/cli/commands/agentrun.ts"]) {
    const npm = await staticNpmPackages(entry);
    assert.ok(npm.has("@commander-js/extra-typings"), `${entry}: the walk sees npm packages`);
    for (const heavy of HEAVY) assert.ok(!npm.has(heavy), `${entry} loads ${heavy}`);
  }
});
