import assert from "node:assert/strict";
import { ConfigFileError, parseConfigText, readConfigFile } from "./config.ts";

const MINIMAL = {
  massVersion: "0.1.0",
  metadata: { name: "a" },
  agentRoot: { path: "workspace" },
  clientProtocol: "acp",
  process: { command: "agent" },
};

Deno.test("parseConfigText: defaults filled in", () => {
  const config = parseConfigText(JSON.stringify(MINIMAL));
  assert.equal(config.session.permissions, "approve_all");
  assert.equal(config.runtime.eventMaxSegments, 0);
});

Deno.test("parseConfigText: one-line reasons naming config.json", () => {
  assert.throws(() => parseConfigText("{nope"), (err: Error) => {
    assert.ok(err instanceof ConfigFileError);
    assert.match(err.message, /^config\.json is not valid JSON: /);
    return true;
  });
  assert.throws(
    () => parseConfigText(JSON.stringify({ ...MINIMAL, clientProtocol: "x" })),
    (err: Error) =>
      err instanceof ConfigFileError && /^config\.json: clientProtocol: /.test(err.message),
  );
});

Deno.test("readConfigFile: an unreadable file names its path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mass-config-" });
  try {
    await assert.rejects(readConfigFile(`${dir}/config.json`), (err: Error) => {
      assert.ok(err instanceof ConfigFileError);
      assert.ok(err.message.startsWith(`cannot read ${dir}/config.json: `), err.message);
      return true;
    });
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(MINIMAL));
    assert.equal((await readConfigFile(`${dir}/config.json`)).process.command, "agent");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
