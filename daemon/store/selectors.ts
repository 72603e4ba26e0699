/**
 * List filters for ARI `ListOptions`: label selectors and field selectors, as pure functions.
 *
 * - `labels`: every given label must be present on `metadata.labels` with an equal value
 *   (the original MASS ignored labels; we honour them).
 * - `fieldSelector`: exact string equality on a known field. Supported fields:
 *   - every kind: `name` (alias `metadata.name`)
 *   - Workspace: `phase` (`status.phase`), `source.type` (`spec.source.type`)
 *   - AgentRun: `workspace` (`metadata.workspace`), `phase` (`status.phase`),
 *     `agent` (`spec.agent`)
 *   - Agent: `disabled` (`spec.disabled`, "true" | "false"; absent counts as "false")
 *
 * An unknown field is bad input (-32602), not a silent no-op.
 */
import type { Agent, AgentRun, ListOptions, Workspace } from "../../specs/ari.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import { clip } from "../../specs/lib/clip.ts";

export type StoredObject = Agent | Workspace | AgentRun;
export type ObjectKind = StoredObject["kind"];

type FieldGetter<T> = (obj: T) => string | undefined;

const nameField: FieldGetter<StoredObject> = (o) => o.metadata.name;

const FIELDS: {
  [K in ObjectKind]: Record<string, FieldGetter<Extract<StoredObject, { kind: K }>>>;
} = {
  Workspace: {
    "name": nameField,
    "metadata.name": nameField,
    "phase": (w) => w.status?.phase,
    "status.phase": (w) => w.status?.phase,
    "source.type": (w) => w.spec.source.type,
    "spec.source.type": (w) => w.spec.source.type,
  },
  AgentRun: {
    "name": nameField,
    "metadata.name": nameField,
    "workspace": (r) => r.metadata.workspace,
    "metadata.workspace": (r) => r.metadata.workspace,
    "phase": (r) => r.status?.phase,
    "status.phase": (r) => r.status?.phase,
    "agent": (r) => r.spec.agent,
    "spec.agent": (r) => r.spec.agent,
  },
  Agent: {
    "name": nameField,
    "metadata.name": nameField,
    "disabled": (a) => String(a.spec.disabled === true),
    "spec.disabled": (a) => String(a.spec.disabled === true),
  },
};

/** The field names `fieldSelector` accepts for `kind`. */
export function supportedFields(kind: ObjectKind): string[] {
  return Object.keys(FIELDS[kind]);
}

/** Throws -32602 when `opts` names a field `kind` does not support. */
export function assertListOptions(kind: ObjectKind, opts?: ListOptions | null): void {
  for (const field of Object.keys(opts?.fieldSelector ?? {})) {
    if (!(field in FIELDS[kind])) {
      throw new InvalidParamsError(
        `unsupported field selector ${JSON.stringify(clip(field))} for ${kind} (supported: ${
          supportedFields(kind).join(", ")
        })`,
      );
    }
  }
}

/** The value of a selectable field, or undefined when the object has none. */
export function fieldValue(obj: StoredObject, field: string): string | undefined {
  const getter = (FIELDS[obj.kind] as Record<string, FieldGetter<StoredObject>>)[field];
  if (!getter) {
    throw new InvalidParamsError(`unsupported field selector ${JSON.stringify(clip(field))}`);
  }
  return getter(obj);
}

/**
 * True when `obj` has every label in `labels` with the same value (always true without labels).
 */
export function matchesLabels(
  obj: StoredObject,
  labels?: Record<string, string> | null,
): boolean {
  if (!labels) return true;
  const have = obj.metadata.labels ?? {};
  return Object.entries(labels).every(([k, v]) => Object.hasOwn(have, k) && have[k] === v);
}

/**
 * True when `obj` satisfies every label and every field selector in `opts`.
 * Throws -32602 for a field the object's kind does not support.
 */
export function matchesSelector(obj: StoredObject, opts?: ListOptions | null): boolean {
  if (!opts) return true;
  if (!matchesLabels(obj, opts.labels)) return false;
  for (const [field, want] of Object.entries(opts.fieldSelector ?? {})) {
    if (fieldValue(obj, field) !== want) return false;
  }
  return true;
}
