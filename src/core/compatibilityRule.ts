// What a compatibility rule is, as data: the kinds declare theirs, diff/ runs them and docs/compatibility.md lists them.

/** How bad a change is for one direction of compatibility. */
export type Severity = 'breaking' | 'warning' | 'compatible' | 'unknown';

/** Confluent's sense: backward = the new schema reads what the old accepted; forward = the old reads what the new accepts. */
export type Direction = 'backward' | 'forward';

/** One rule, like buf's ENUM_NO_DELETE: a stable id, what it is for, and its severity in each direction. */
export interface CompatibilityRule<Id extends string = string> {
  /** Stable: reported as a change's `rule` and matched by `ignore`; never renamed. */
  id: Id;
  /** What the rule is for, in one sentence. */
  purpose: string;
  backward: Severity;
  forward: Severity;
  /** A change it reports (old → new), for the docs. */
  example: string;
}
