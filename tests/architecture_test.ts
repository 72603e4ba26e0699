/**
 * The dependency rule of README.md §Architecture, checked over the real import graph:
 * client → daemon → agent-run → agent, each layer talking only to its neighbour through a
 * contract in specs/. (specs/imports_test.ts holds specs/ itself to its narrower rule.)
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LAYERS = ["daemon", "runner", "ctl", "specs"];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

/** The files of ours that `file` imports (relative specifiers), as paths from the root. */
function localImports(file: string, text = Deno.readTextFileSync(file)): string[] {
  const patterns = [
    /^\s*import\b[^"';]*["']([^"']+)["']/gm,
    /^\s*export\b[^"';]*\bfrom\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]))
    .filter((s) => s.startsWith("."))
    .map((s) => relative(ROOT, resolve(dirname(file), s)));
}

/** The import graph of the product (tests excluded), keyed by path from the root. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const layer of LAYERS) {
    for (const file of sourceFiles(join(ROOT, layer))) {
      if (/_test\.tsx?$/.test(file)) continue;
      edges.set(relative(ROOT, file), localImports(file));
    }
  }
  for (const entry of ["mod.ts", "mass.ts"]) {
    edges.set(entry, localImports(join(ROOT, entry)));
  }
  return edges;
}

const under = (path: string, folder: string) => path.startsWith(`${folder}/`);

/** Why `from` may not import `to`, or undefined when the rule allows it. */
export function _ruleBroken(from: string, to: string): string | undefined {
  if (under(from, "specs") && !under(to, "specs")) return "specs/ imports only specs/";
  if (under(from, "daemon")) {
    if (under(to, "ctl")) return "the daemon never imports the CLI, TUI or client";
    if (under(to, "runner") && !under(to, "runner/launch")) {
      return "the daemon reaches runner/ only through runner/launch/";
    }
  }
  if (under(from, "runner")) {
    if (under(to, "daemon")) return "the agent-run never imports the daemon";
    if (under(to, "ctl") && !(under(from, "runner/mesh") && under(to, "ctl/client"))) {
      return "runner/ never imports ctl/ (the mesh may use ctl/client/)";
    }
  }
  if (under(from, "ctl")) {
    if (under(to, "daemon") || under(to, "runner")) {
      return "ctl/ reaches agentd only through ctl/client/ and the wire";
    }
    if (!under(from, "ctl/client") && under(to, "specs/wire")) {
      return "the CLI and TUI speak to agentd only through ctl/client/";
    }
  }
  if (from === "mod.ts" && !(under(to, "ctl/client") || under(to, "specs"))) {
    return "mod.ts exports only the client and the contracts";
  }
  return undefined;
}

/** Every import cycle, each as a list of files (Tarjan's strongly connected components). */
export function _cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

Deno.test("architecture: every import follows the dependency rule", () => {
  const broken: string[] = [];
  for (const [from, tos] of graph()) {
    for (const to of tos) {
      const why = _ruleBroken(from, to);
      if (why) broken.push(`${from} -> ${to}: ${why}`);
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("architecture: there are no import cycles", () => {
  assert.deepEqual(_cycles(graph()), []);
});

Deno.test("architecture: the checks can fail", () => {
  assert.ok(_ruleBroken("daemon/x.ts", "ctl/client/ari_client.ts"));
  assert.ok(_ruleBroken("daemon/x.ts", "runner/rpc/rpc_server.ts"));
  assert.equal(_ruleBroken("daemon/x.ts", "runner/launch/mod.ts"), undefined);
  assert.ok(_ruleBroken("runner/x.ts", "daemon/main.ts"));
  assert.ok(_ruleBroken("ctl/cli/x.ts", "specs/wire/socket.ts"));
  assert.ok(_ruleBroken("mod.ts", "ctl/cli/program.ts"));
  const cyclic = new Map([["a.ts", ["b.ts"]], ["b.ts", ["a.ts"]], ["c.ts", ["a.ts"]]]);
  assert.deepEqual(_cycles(cyclic), [["a.ts", "b.ts"]]);
  assert.deepEqual(
    localImports("/r/ctl/x.ts", 'import { a } from "../specs/a.ts";\nexport * from "./b.ts";'),
    [relative(ROOT, "/r/specs/a.ts"), relative(ROOT, "/r/ctl/b.ts")],
  );
});
