/**
 * Shell completion scripts (bash, zsh, fish) generated from the commander program, so they
 * always match the real command tree: subcommands and aliases, options, option values with
 * fixed choices, and file arguments.
 *
 * Each script finds the current command by walking the words typed so far (skipping
 * options and the values they take), then offers that command's subcommands or options.
 */
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { fishCompletion } from "./completion_fish.ts";
import {
  type CompletionNode,
  type CompletionOption,
  NAME_KINDS,
  type NameKind,
} from "./completion_types.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export { type CompletionNode, type CompletionOption, NAME_KINDS, type NameKind };

const FILE_OPTION = /file|path|workflow/i;

/** Options whose value is a name: `-w` a workspace, `--agent` an agent, `--run` a run. */
const NAME_OPTIONS: Record<string, NameKind> = {
  "--workspace": "workspaces",
  "--agent": "agents",
  "--run": "runs",
  "--from": "runs",
  "--to": "runs",
};

/** What the positional arguments of the command at `path` name, if names at all. */
function argNamesOf(path: string, cmd: CommandUnknownOpts): NameKind | undefined {
  const arg = cmd.registeredArguments[0];
  if (!arg || arg.argChoices || !/name/i.test(arg.name())) return undefined;
  const noun = path.split(" ")[0];
  if (noun === "agentrun") return "runs";
  if (noun === "workspace") return "workspaces";
  if (noun === "agent") return "agents";
  return undefined;
}

function optionsOf(cmd: CommandUnknownOpts, inherited: CompletionOption[]): CompletionOption[] {
  const own = cmd.options.filter((o) => !o.hidden).map((o): CompletionOption => ({
    flags: [o.short, o.long].filter((f): f is string => !!f),
    description: o.description ?? "",
    takesValue: o.required || o.optional,
    choices: o.argChoices ? [...o.argChoices] : undefined,
    files: (o.required || o.optional) && FILE_OPTION.test(o.long ?? ""),
    names: (o.required || o.optional) && !o.argChoices ? NAME_OPTIONS[o.long ?? ""] : undefined,
  }));
  const help: CompletionOption = {
    flags: ["-h", "--help"],
    description: "display help",
    takesValue: false,
    files: false,
  };
  return [...own, ...inherited, help];
}

/** Builds the completion tree; options of the root (e.g. --socket) apply everywhere. */
export function completionTree(program: CommandUnknownOpts): CompletionNode {
  const globals = optionsOf(program, []).filter((o) => !o.flags.includes("--help"));
  const walk = (cmd: CommandUnknownOpts, path: string): CompletionNode => ({
    path,
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: cmd.description(),
    options: path === "" ? optionsOf(cmd, []) : optionsOf(cmd, globals),
    argChoices: [...(cmd.registeredArguments[0]?.argChoices ?? [])],
    argNames: argNamesOf(path, cmd),
    commands: cmd.commands.filter((c) => !(c as { _hidden?: boolean })._hidden).map((c) =>
      walk(c, path ? `${path} ${c.name()}` : c.name())
    ),
  });
  return walk(program, "");
}

function nodes(tree: CompletionNode): CompletionNode[] {
  return [tree, ...tree.commands.flatMap(nodes)];
}

/** Single-quotes for sh-like shells. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function words(node: CompletionNode): string[] {
  return [...node.commands.flatMap((c) => [c.name, ...c.aliases]), ...node.argChoices];
}

function optionFlags(node: CompletionNode): string[] {
  return node.options.flatMap((o) => o.flags);
}

function valuedFlags(node: CompletionNode): string[] {
  return node.options.filter((o) => o.takesValue).flatMap((o) => o.flags);
}

/**
 * Shell (bash and zsh alike) that walks the words before the cursor down the command tree:
 * leaves `node` at the deepest command named and `skip` set when the last word is an option
 * still waiting for its value.
 */
function walkWords(id: string, words: string, first: number, current: string): string {
  return `  for (( i = ${first}; i < ${current}; i++ )); do
    w="\${${words}[i]}"
    if (( skip )); then
      skip=0
      case "$flag" in -w|--workspace) ws="$w" ;; --socket) sock="$w" ;; esac
      continue
    fi
    case "$w" in
      --*=*) continue ;;
      -*) [[ " $(_${id}_valued "$node") " == *" $w "* ]] && skip=1 flag="$w"; continue ;;
    esac
    next="$(_${id}_child "$node" "$w")"
    [[ -n "$next" ]] && node="$next"
  done`;
}

const PROG_PLACEHOLDER = "@PROG@";

/** Case arms shared by bash and zsh (both accept `pattern) cmd ;;`). */
function shCaseFunctions(prog: string, tree: CompletionNode): string {
  const all = nodes(tree);
  const arms = (fn: string, rows: [string, string][]) =>
    [
      `${fn}() {`,
      `  case "$1" in`,
      ...rows.map(([pat, out]) => `    ${pat}) echo ${sq(out)} ;;`),
      `  esac`,
      `}`,
    ].join("\n");
  const child: [string, string][] = all.flatMap((n) =>
    n.commands.map((c): [string, string] => [
      [c.name, ...c.aliases].map((w) => sq(`${n.path}|${w}`)).join("|"),
      c.path,
    ])
  );
  const childFn = [
    `_${prog}_child() {`,
    `  case "$1|$2" in`,
    ...child.map(([pat, out]) => `    ${pat}) echo ${sq(out)} ;;`),
    `  esac`,
    `}`,
  ].join("\n");
  const valueRows: [string, string][] = [];
  const fileRows: string[] = [];
  const nameRows: [string, string][] = [];
  for (const n of all) {
    for (const o of n.options) {
      const pats = o.flags.map((f) => sq(`${n.path}|${f}`)).join("|");
      if (o.choices) valueRows.push([pats, o.choices.join(" ")]);
      else if (o.files) fileRows.push(pats);
      else if (o.names) nameRows.push([pats, o.names]);
    }
    // An empty flag: the command's positional arguments.
    if (n.argNames) nameRows.push([sq(`${n.path}|`), n.argNames]);
  }
  const namesFn = [
    `# The kind of name (workspaces, agents, runs) an option value or argument is.`,
    `_${prog}_namekind() {`,
    `  case "$1|$2" in`,
    ...nameRows.map(([pat, out]) => `    ${pat}) echo ${sq(out)} ;;`),
    `  esac`,
    `}`,
    ``,
    `# The names the daemon knows (quietly nothing when it does not answer).`,
    `_${prog}_names() {`,
    `  local kind; kind="$(_${prog}_namekind "$1" "$2")"`,
    `  [[ -n "$kind" ]] || return 0`,
    // Arrays, not \${x:+…}: zsh would pass "--socket PATH" as one word.
    `  local -a before after`,
    `  [[ -n "$sock" ]] && before=(--socket "$sock")`,
    `  [[ -n "$ws" ]] && after=(-w "$ws")`,
    `  ${PROG_PLACEHOLDER} "\${before[@]}" __complete "$kind" "\${after[@]}" 2>/dev/null`,
    `}`,
  ].join("\n");
  const valuesFn = [
    `_${prog}_values() {`,
    `  case "$1|$2" in`,
    ...valueRows.map(([pat, out]) => `    ${pat}) echo ${sq(out)} ;;`),
    `  esac`,
    `}`,
  ].join("\n");
  const filesFn = [
    `_${prog}_files() {`,
    `  case "$1|$2" in`,
    ...(fileRows.length ? [`    ${fileRows.join("|")}) echo 1 ;;`] : []),
    `  esac`,
    `}`,
  ].join("\n");
  return [
    childFn,
    arms(`_${prog}_words`, all.map((n) => [sq(n.path), words(n).join(" ")])),
    arms(`_${prog}_opts`, all.map((n) => [sq(n.path), optionFlags(n).join(" ")])),
    arms(`_${prog}_valued`, all.map((n) => [sq(n.path), valuedFlags(n).join(" ")])),
    valuesFn,
    filesFn,
    namesFn.replaceAll(PROG_PLACEHOLDER, prog),
  ].join("\n\n");
}

/** The bash completion script for the command tree `tree`, installed as `prog`. */
export function bashCompletion(tree: CompletionNode, prog = tree.name): string {
  const id = prog.replace(/[^A-Za-z0-9_]/g, "_");
  return `# bash completion for ${prog}; generated by \`${prog} completion bash\`.
# Load it with:  source <(${prog} completion bash)

${shCaseFunctions(id, tree)}

_${id}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" node="" w next i skip=0 flag="" ws="" sock=""
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
${walkWords(id, "COMP_WORDS", 1, "COMP_CWORD")}
  if (( skip )); then
    local values; values="$(_${id}_values "$node" "$prev")"
    if [[ -n "$values" ]]; then
      COMPREPLY=( $(compgen -W "$values" -- "$cur") )
    elif [[ -n "$(_${id}_files "$node" "$prev")" ]]; then
      COMPREPLY=( $(compgen -f -- "$cur") )
    elif [[ -n "$(_${id}_namekind "$node" "$prev")" ]]; then
      # A name, never a file, even when the daemon has none to offer.
      compopt +o default 2>/dev/null
      COMPREPLY=( $(compgen -W "$(_${id}_names "$node" "$prev")" -- "$cur") )
    else
      COMPREPLY=()
    fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$(_${id}_opts "$node")" -- "$cur") )
  else
    local cands; cands="$(_${id}_words "$node")"
    [[ -z "$cands" ]] && cands="$(_${id}_names "$node" "")"
    COMPREPLY=( $(compgen -W "$cands" -- "$cur") )
  fi
  return 0
}

complete -o default -F _${id} ${prog}
`;
}

/** zsh `_describe` wants `name:description` with colons in the name escaped. */
function describeItem(name: string, description: string): string {
  return `${name.replace(/:/g, "\\:")}:${description.replace(/\n/g, " ")}`;
}

/** The zsh completion script for the command tree `tree`, installed as `prog`. */
export function zshCompletion(tree: CompletionNode, prog = tree.name): string {
  const id = prog.replace(/[^A-Za-z0-9_]/g, "_");
  const all = nodes(tree);
  const descArms = (fn: string, pick: (n: CompletionNode) => string[]) =>
    [
      `${fn}() {`,
      `  case "$1" in`,
      ...all.map((n) => `    ${sq(n.path)}) print -rl -- ${pick(n).map(sq).join(" ")} ;;`),
      `  esac`,
      `}`,
    ].join("\n");
  const cmdItems = (n: CompletionNode) => [
    ...n.commands.flatMap((c) => [c.name, ...c.aliases].map((w) => describeItem(w, c.description))),
    ...n.argChoices.map((c) => describeItem(c, "")),
  ];
  const optItems = (n: CompletionNode) =>
    n.options.flatMap((o) => o.flags.map((f) => describeItem(f, o.description)));
  return `#compdef ${prog}
# zsh completion for ${prog}; generated by \`${prog} completion zsh\`.
# Load it with:  source <(${prog} completion zsh)
# or save it as _${prog} in a directory on $fpath.

${shCaseFunctions(id, tree)}

${descArms(`_${id}_cmd_items`, cmdItems)}

${descArms(`_${id}_opt_items`, optItems)}

_${id}() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" node="" w next i skip=0
  local flag="" ws="" sock=""
  local -a items
${walkWords(id, "words", 2, "CURRENT")}
  if (( skip )); then
    local values; values="$(_${id}_values "$node" "$prev")"
    if [[ -n "$values" ]]; then
      compadd -- \${=values}
    elif [[ -n "$(_${id}_files "$node" "$prev")" ]]; then
      _files
    elif [[ -n "$(_${id}_namekind "$node" "$prev")" ]]; then
      compadd -- \${(f)"$(_${id}_names "$node" "$prev")"}
    fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    items=("\${(@f)$(_${id}_opt_items "$node")}")
    _describe -t options 'option' items
  else
    items=("\${(@f)$(_${id}_cmd_items "$node")}")
    if (( \${#items} > 0 )) && [[ -n "\${items[1]}" ]]; then
      _describe -t commands 'command' items
    elif [[ -n "$(_${id}_namekind "$node" "")" ]]; then
      compadd -- \${(f)"$(_${id}_names "$node" "")"}
    else
      _files
    fi
  fi
}

if [[ "$funcstack[1]" == "_${id}" ]]; then
  _${id} "$@"
else
  compdef _${id} ${prog}
fi
`;
}

/** The completion script for `shell`, generated from the program's own commands and options. */
export function completionScript(shell: Shell, program: CommandUnknownOpts): string {
  const tree = completionTree(program);
  switch (shell) {
    case "bash":
      return bashCompletion(tree);
    case "zsh":
      return zshCompletion(tree);
    case "fish":
      return fishCompletion(tree);
  }
}
