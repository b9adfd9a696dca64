// Ports (tool inputs and outputs, prompt variables) read from a spec, and how a list of them changed.
import { getAtPointer, isJsonObject, joinPointer, type JsonObject, type JsonValue } from '../core/json.js';
import type { ContractComparison } from '../kinds/kindDescriptor.js';
import { schemaChanges, type SchemaResolvers } from './schemaChanges.js';
import type { Direction } from './severity.js';
import { differs, type DiffChange, type SpecRuleCatalogue } from './specRules.js';

export interface Port {
  name: string;
  /** Index in the spec's list: the port is at `/<list>/<index>`. */
  index: number;
  type?: string;
  schema?: string;
  required: boolean;
  hasDefault: boolean;
  default?: JsonValue;
  /** The port as written, for its annotations. */
  fields: JsonObject;
}

/** The ports of a list, by name; entries that are not ports (the kind schema forbids them) are skipped. */
export function readPorts(spec: JsonObject, list: string): Map<string, Port> {
  return portsOf(spec[list]);
}

function portsOf(items: JsonValue | undefined): Map<string, Port> {
  const ports = new Map<string, Port>();
  if (!Array.isArray(items)) return ports;
  items.forEach((item, index) => {
    if (!isJsonObject(item) || typeof item['name'] !== 'string') return;
    const port: Port = {
      name: item['name'],
      index,
      required: item['required'] === true,
      hasDefault: Object.hasOwn(item, 'default'),
      fields: item,
    };
    if (typeof item['type'] === 'string') port.type = item['type'];
    if (typeof item['schema'] === 'string') port.schema = item['schema'];
    if (port.hasDefault) port.default = item['default']!;
    ports.set(port.name, port);
  });
  return ports;
}

/** A port's values as a JSON Schema: its `type`, or a `$ref` to the schema spec it names. */
export function portSchema(port: Pick<Port, 'type' | 'schema'>): JsonValue {
  if (port.schema !== undefined) return { $ref: port.schema };
  return port.type === undefined ? true : { type: port.type };
}

/** A required port without a default must be given (sent by callers, produced by the tool). */
function mandatory(port: Port): boolean {
  return port.required && !port.hasDefault;
}

const annotationFields = (key: string) => key === 'description' || key.startsWith('x-');

/**
 * Compares a list of ports. Values sent to the spec (inputs) are compared in `direction`, values it produces
 * (outputs) in the other one: a caller still sends what it sent (the new input must accept it) and must still accept
 * what it receives (the old output schema must accept what the new one produces).
 */
export function comparePorts(
  ports: Extract<ContractComparison, { compare: 'ports' }>,
  rules: SpecRuleCatalogue,
  oldSpec: JsonObject,
  newSpec: JsonObject,
  direction: Direction,
  resolvers: SchemaResolvers,
): DiffChange[] {
  const changes: DiffChange[] = [];
  const before = portsOf(getAtPointer(oldSpec, ports.pointer));
  const after = portsOf(getAtPointer(newSpec, ports.pointer));
  const at = (port: Port) => `${ports.pointer}/${port.index}`;
  const specChange = rules.change.bind(rules);
  const valueDirection: Direction =
    ports.role === 'input' ? direction : direction === 'backward' ? 'forward' : 'backward';
  for (const [name, oldPort] of before) {
    if (!after.has(name))
      changes.push(
        specChange(ports.rules.removed, direction, at(oldPort), `${ports.role} "${name}" removed`, oldPort.fields),
      );
  }
  for (const [name, newPort] of after) {
    const oldPort = before.get(name);
    if (!oldPort) {
      const rule = mandatory(newPort) ? ports.rules.addedRequired : ports.rules.added;
      changes.push(
        specChange(
          rule,
          direction,
          at(newPort),
          `${ports.role} "${name}" added${mandatory(newPort) ? ' (required)' : ''}`,
          undefined,
          newPort.fields,
        ),
      );
      continue;
    }
    const pointer = at(newPort);
    if (mandatory(oldPort) !== mandatory(newPort)) {
      const rule = mandatory(newPort) ? ports.rules.becameRequired : ports.rules.becameOptional;
      changes.push(
        specChange(
          rule,
          direction,
          pointer,
          `${ports.role} "${name}" became ${mandatory(newPort) ? 'required' : 'optional'}`,
          mandatory(oldPort),
          mandatory(newPort),
        ),
      );
    }
    if (differs(oldPort.default, newPort.default)) {
      changes.push(
        specChange(
          ports.rules.defaultChanged,
          direction,
          `${pointer}/default`,
          `default of ${ports.role} "${name}" changed`,
          oldPort.default,
          newPort.default,
        ),
      );
    }
    const rename = (schemaPointer: string) =>
      schemaPointer.startsWith('/$ref') ? `/schema${schemaPointer.slice(5)}` : schemaPointer;
    changes.push(
      ...schemaChanges(portSchema(oldPort), portSchema(newPort), valueDirection, resolvers, pointer, rename),
    );
    for (const key of new Set([...Object.keys(oldPort.fields), ...Object.keys(newPort.fields)])) {
      if (!annotationFields(key) || !differs(oldPort.fields[key], newPort.fields[key])) continue;
      changes.push(
        specChange(
          'spec.annotation-changed',
          direction,
          joinPointer(pointer, key),
          `${key} of ${ports.role} "${name}" changed`,
          oldPort.fields[key],
          newPort.fields[key],
        ),
      );
    }
  }
  return changes;
}
