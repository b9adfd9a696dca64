// The kinds specstore knows out of the box; more are added by adding a descriptor to this list.
import { agentKind } from './agent/agentKind.js';
import type { KindDescriptor } from './kindDescriptor.js';
import { modelKind } from './model/modelKind.js';
import { policyKind } from './policy/policyKind.js';
import { predicateKind } from './predicate/predicateKind.js';
import { promptKind } from './prompt/promptKind.js';
import { schemaKind } from './schema/schemaKind.js';
import { toolKind } from './tool/toolKind.js';
import { workflowKind } from './workflow/workflowKind.js';

export const builtinKinds: readonly KindDescriptor[] = [
  toolKind,
  schemaKind,
  policyKind,
  predicateKind,
  promptKind,
  modelKind,
  agentKind,
  workflowKind,
];

export function kindByName(kinds: readonly KindDescriptor[], name: string): KindDescriptor | undefined {
  return kinds.find((kind) => kind.name === name);
}
