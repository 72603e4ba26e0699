/**
 * specs/ is the bottom layer: it imports nothing of ours outside specs/, specs/lib imports
 * nothing of ours outside specs/lib, and specs/wire only specs/lib and specs/errors.ts.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isInside } from "./lib/is_inside.ts";

const SPECS = dirname(fileURLToPath(import.meta.url));

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

/** The files of ours that `file` imports (relative specifiers, resolved). */
function localImports(file: string): string[] {
  const text = Deno.readTextFileSync(file);
  const patterns = [
    /^\s*import\b[^"';]*["']([^"']+)["']/gm, // static imports, side-effect ones too
    /^\s*export\b[^"';]*\bfrom\s*["']([^"']+)["']/gm, // re-exports
    /\bimport\(\s*["']([^"']+)["']\s*\)/g, // dynamic imports
  ];
  const specifiers = patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]));
  return specifiers.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
}

/** Every import of ours from a file below `from` that is not allowed by `allowed`. */
function violations(from: string, allowed: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(from)) {
    for (const target of localImports(file)) {
      if (!allowed(target)) out.push(`${relative(SPECS, file)} -> ${relative(SPECS, target)}`);
    }
  }
  return out;
}

Deno.test("specs/ imports nothing of ours outside specs/", () => {
  assert.deepEqual(violations(SPECS, (t) => isInside(SPECS, t)), []);
});

Deno.test("specs/lib imports nothing of ours outside specs/lib", () => {
  const lib = join(SPECS, "lib");
  assert.deepEqual(violations(lib, (t) => isInside(lib, t)), []);
});

Deno.test("specs/wire imports only specs/wire, specs/lib and specs/errors.ts", () => {
  const wire = join(SPECS, "wire");
  const lib = join(SPECS, "lib");
  const errors = join(SPECS, "errors.ts");
  assert.deepEqual(
    violations(wire, (t) => isInside(wire, t) || isInside(lib, t) || t === errors),
    [],
  );
});

Deno.test("the import scan sees relative imports (so the checks above can fail)", () => {
  const found = localImports(join(SPECS, "wire", "socket.ts"));
  assert.ok(found.includes(join(SPECS, "lib", "deadline.ts")), found.join(", "));
});
