/**
 * Completion scripts are generated from the real command tree, parse in their shell, and
 * complete subcommands, options and option values.
 */
import assert from "node:assert/strict";
import { completionScript, completionTree } from "../../ctl/cli/completion.ts";
import { createCli } from "../../ctl/cli/program.ts";
import { MASSCTL, massctl, memoryDeps, ok, startDaemonProcess } from "./cli_helpers.ts";

async function program() {
  return (await createCli(memoryDeps())).program;
}

function hasShell(name: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function shell(cmd: string, script: string, code: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mc" });
  try {
    const file = `${dir}/script`;
    await Deno.writeTextFile(file, script);
    const out = await new Deno.Command(cmd, {
      args: ["-c", code.replaceAll("SCRIPT", file)],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `${cmd} failed: ${stderr}`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("completion tree: every noun, alias and global option", async () => {
  const tree = completionTree(await program());
  const names = tree.commands.map((c) => c.name);
  for (
    const n of ["workspace", "agent", "agentrun", "compose", "daemon", "version", "completion"]
  ) {
    assert.ok(names.includes(n), n);
  }
  const ar = tree.commands.find((c) => c.name === "agentrun")!;
  assert.deepEqual(ar.aliases, ["ar"]);
  const get = ar.commands.find((c) => c.name === "get")!;
  const output = get.options.find((o) => o.flags.includes("--output"))!;
  assert.deepEqual(output.choices, ["table", "wide", "json", "yaml"]);
  assert.ok(get.options.some((o) => o.flags.includes("--socket")), "global --socket inherited");
});

Deno.test({
  name: "completion bash: parses and completes commands, options and values",
  ignore: !hasShell("bash"),
  fn: async () => {
    const script = completionScript("bash", await program());
    const out = await shell(
      "bash",
      script,
      `source SCRIPT
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _massctl; echo "\${COMPREPLY[*]}"; }
t massctl ""
t massctl ar ""
t massctl ar get -o ""
t massctl --socket /x ws cr
t massctl ar create --permissions ""
t massctl completion ""`,
    );
    const lines = out.trimEnd().split("\n");
    assert.match(lines[0], /\bworkspace\b.*\bagentrun\b.*\bcompose\b/);
    assert.match(lines[1], /\bget\b.*\bprompt\b.*\bevents\b.*\bchat\b/);
    assert.equal(lines[2], "table wide json yaml");
    assert.equal(lines[3], "create");
    assert.equal(lines[4], "approve_all approve_reads deny_all ask");
    assert.equal(lines[5], "bash zsh fish");
  },
});

Deno.test({
  name: "completion zsh: parses and offers described commands and values",
  ignore: !hasShell("zsh"),
  fn: async () => {
    const script = completionScript("zsh", await program());
    await shell("zsh", script, "zsh -n SCRIPT");
    const out = await shell(
      "zsh",
      script,
      `compdef() { :; }
source SCRIPT
_describe() { local arr=\${@[-1]}; print -r -- "\${(P)arr}"; }
compadd() { shift; print -r -- "$*"; }
_files() { print -r -- files; }
t() { words=("$@"); CURRENT=\${#words}; _massctl; }
t massctl ws ""
t massctl ar events -o ""
t massctl compose apply -f ""`,
    );
    const lines = out.trimEnd().split("\n");
    assert.match(lines[0], /^get:list workspaces.* create:create a workspace/);
    assert.equal(lines[1], "table json yaml");
    assert.equal(lines[2], "files");
  },
});

Deno.test({
  name: "completion fish: parses and completes through fish's own engine",
  ignore: !hasShell("fish"),
  fn: async () => {
    const script = completionScript("fish", await program());
    await shell("fish", script, "fish -n SCRIPT");
    const out = await shell(
      "fish",
      script,
      `source SCRIPT; complete -C "massctl ar "; echo ===; complete -C "massctl ar get -o "`,
    );
    const [cmds, values] = out.split("===\n");
    assert.match(cmds, /^prompt\tsend a prompt/m);
    assert.match(cmds, /^chat\t/m);
    assert.deepEqual(values.trim().split("\n").map((l) => l.split("\t")[0]).sort(), [
      "json",
      "table",
      "wide",
      "yaml",
    ]);
  },
});

Deno.test({
  name: "completion: -w, --agent and run arguments complete names from the daemon (bash, zsh)",
  ignore: !hasShell("bash"),
  fn: async () => {
    const d = await startDaemonProcess();
    try {
      ok(await massctl(d.socket, ["ws", "create", "empty", "--name", "w1", "--wait"]));
      ok(await massctl(d.socket, ["ws", "create", "empty", "--name", "w2", "--wait"]));
      ok(await massctl(d.socket, ["ar", "create", "-w", "w1", "--name", "r1", "--agent", "demo"]));
      ok(await massctl(d.socket, ["ar", "create", "-w", "w2", "--name", "r2", "--agent", "demo"]));
      const hidden = ok(await massctl(d.socket, ["--help"])).stdout;
      assert.doesNotMatch(hidden, /__complete/, "the helper stays out of help");
      const fn = `massctl() { ${JSON.stringify(Deno.execPath())} run -A ${
        JSON.stringify(MASSCTL)
      } "$@"; }`;
      const s = d.socket;
      const out = await shell(
        "bash",
        completionScript("bash", await program()),
        `${fn}
source SCRIPT
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _massctl; echo "\${COMPREPLY[*]}"; }
t massctl --socket ${s} ar get -w ""
t massctl --socket ${s} ar stop -w w2 ""
t massctl --socket ${s} ws delete ""
t massctl --socket ${s} compose run -w x --agent de
t massctl --socket ${s} ar get r ""`,
      );
      const lines = out.trimEnd().split("\n");
      assert.equal(lines[0], "w1 w2", "-w offers workspaces");
      assert.equal(lines[1], "r2", "runs of the -w typed");
      assert.equal(lines[2], "w1 w2");
      assert.equal(lines[3], "demo");
      assert.equal(lines[4], "r1 r2");
      if (hasShell("zsh")) {
        const z = await shell(
          "zsh",
          completionScript("zsh", await program()),
          `${fn}
compdef() { :; }
source SCRIPT
compadd() { shift; print -r -- "$*"; }
_files() { print -r -- files; }
t() { words=("$@"); CURRENT=\${#words}; _massctl; }
t massctl --socket ${s} ar events -w ""`,
        );
        assert.equal(z.trim(), "w1 w2");
      }
      if (hasShell("fish")) {
        const fishFn = `function massctl; ${JSON.stringify(Deno.execPath())} run -A ${
          JSON.stringify(MASSCTL)
        } $argv; end`;
        const f = await shell(
          "fish",
          completionScript("fish", await program()),
          `${fishFn}; source SCRIPT; complete -C "massctl --socket ${s} ar stop -w w1 "`,
        );
        assert.equal(f.trim(), "r1", "fish: runs of the -w typed");
      }
    } finally {
      await d.stop();
    }
  },
});
