import assert from "node:assert/strict";
import { join } from "node:path";
import { codexCommand } from "../../daemon/agents/builtins.ts";

const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";

Deno.test("codex built-in: the npm launcher on PATH leads to the native binary", async () => {
  const prefix = await Deno.makeTempDir({ prefix: "mcodex" });
  try {
    const scope = join(prefix, "lib", "node_modules", "@zed-industries");
    const launcher = join(scope, "codex-acp", "bin", "codex-acp.js");
    const native = join(scope, `codex-acp-${Deno.build.os}-${arch}`, "bin", "codex-acp");
    for (const f of [launcher, native]) {
      await Deno.mkdir(join(f, ".."), { recursive: true });
      await Deno.writeTextFile(f, "#!/bin/sh\n", { mode: 0o755 });
    }
    await Deno.mkdir(join(prefix, "bin"));
    await Deno.symlink(launcher, join(prefix, "bin", "codex-acp"));
    const onPath = (name: string) => name === "codex-acp" ? join(prefix, "bin", name) : undefined;
    assert.equal(codexCommand(onPath), await Deno.realPath(native));

    // Without the platform package: the launcher as found.
    await Deno.remove(native);
    assert.equal(codexCommand(onPath), join(prefix, "bin", "codex-acp"));
  } finally {
    await Deno.remove(prefix, { recursive: true });
  }
});

Deno.test("codex built-in: nothing on PATH leaves the bare command name", () => {
  assert.equal(codexCommand(() => undefined), "codex-acp");
});
