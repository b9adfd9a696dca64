// Soundness of compareSchemas against ajv: whenever it finds nothing breaking or unknown for a direction, every
// instance the reading side must accept really validates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject, JsonValue } from '../../src/core/json.js';
import { compareSchemas, type Direction } from '../../src/diff/compareSchemas.js';
import { createRandom } from '../../bench/mutableRegistry.mjs';

type Schema = JsonValue;

// ---- random schemas (fast-check, so failures shrink) ----

const names = ['a', 'b', 'c'];
const pool: JsonValue[] = [1, 2, 3, 'a', 'b', null, true, 2.5];

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });

function compact(object: Record<string, JsonValue | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as JsonObject;
}

const stringSchema = fc
  .record({
    minLength: optional(fc.integer({ min: 0, max: 3 })),
    maxLength: optional(fc.integer({ min: 1, max: 6 })),
    pattern: optional(fc.constantFrom('^a', 'b$', '^[a-c]*$')),
    format: optional(fc.constant('date')),
  })
  .map((r) => compact({ type: 'string', ...r }));

const numberSchema = fc
  .record({
    type: fc.constantFrom('integer', 'number'),
    minimum: optional(fc.integer({ min: -3, max: 3 })),
    maximum: optional(fc.integer({ min: 0, max: 8 })),
    exclusiveMinimum: optional(fc.integer({ min: -3, max: 3 })),
    exclusiveMaximum: optional(fc.integer({ min: 0, max: 8 })),
    multipleOf: optional(fc.constantFrom(1, 2, 3, 0.5)),
  })
  .map((r) => compact(r));

const leafSchema: fc.Arbitrary<Schema> = fc.oneof(
  stringSchema,
  numberSchema,
  fc.constantFrom<Schema>(
    { type: 'boolean' },
    { type: 'null' },
    { type: ['string', 'null'] },
    { type: ['integer', 'string'] },
    true,
    {},
    false,
  ),
  fc.subarray(pool, { minLength: 1 }).map((values) => ({ enum: values })),
  fc.constantFrom(...pool).map((value) => ({ const: value })),
  fc.constantFrom<Schema>({ $ref: '#/$defs/d' }, { $ref: '#/$defs/node' }),
);

const { schema: schemaArb } = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'schema' },
    { arbitrary: leafSchema, weight: 4 },
    {
      arbitrary: fc
        .record({
          properties: fc.dictionary(fc.constantFrom(...names), tie('schema'), { maxKeys: 3 }),
          required: fc.subarray(names),
          additionalProperties: optional(fc.oneof(fc.boolean(), tie('schema'))),
          minProperties: optional(fc.integer({ min: 0, max: 2 })),
          maxProperties: optional(fc.integer({ min: 1, max: 4 })),
          patternProperties: optional(fc.record({ '^x': tie('schema') })),
          dependentRequired: optional(fc.record({ a: fc.subarray(names, { minLength: 1 }) })),
          unevaluatedProperties: optional(fc.oneof(fc.boolean(), tie('schema'))),
        })
        .map((r) => compact({ type: 'object', ...r })),
      weight: 3,
    },
    {
      arbitrary: fc
        .record({
          items: optional(tie('schema')),
          minItems: optional(fc.integer({ min: 0, max: 2 })),
          maxItems: optional(fc.integer({ min: 1, max: 4 })),
          uniqueItems: optional(fc.boolean()),
          contains: optional(tie('schema')),
        })
        .map((r) => compact({ type: 'array', ...r })),
      weight: 2,
    },
    {
      arbitrary: fc
        .record({
          prefixItems: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }),
          items: optional(fc.oneof(fc.boolean(), tie('schema'))),
        })
        .map((r) => compact({ type: 'array', ...r })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('anyOf', 'oneOf', 'allOf'), fc.array(tie('schema'), { minLength: 1, maxLength: 4 }))
        .map(([k, v]) => ({ [k]: v })),
      weight: 2,
    },
    { arbitrary: tie('schema').map((s) => ({ not: s })), weight: 1 },
    {
      arbitrary: fc
        .tuple(tie('schema'), tie('schema'), tie('schema'))
        .map(([a, b, c]) => ({ if: a, then: b, else: c })),
      weight: 1,
    },
  ),
}));

/** A root with a plain definition and a recursive one, so $ref and cycles are exercised. */
const rootArb = fc.tuple(schemaArb, schemaArb, schemaArb).map(([body, d, value]): Schema => {
  const defs = { d, node: { type: 'object', properties: { value, next: { $ref: '#/$defs/node' } } } };
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? { ...body, $defs: defs }
    : { allOf: [body], $defs: defs };
});

// ---- mutations, from a seed ----

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Every place holding a subschema, as a parent object and key, in the generated shapes. */
function schemaSlots(root: Schema): [JsonObject | JsonValue[], string | number][] {
  const slots: [JsonObject | JsonValue[], string | number][] = [];
  const visit = (node: Schema): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    for (const key of [
      'items',
      'additionalProperties',
      'unevaluatedProperties',
      'contains',
      'not',
      'if',
      'then',
      'else',
    ]) {
      if (key in node) {
        slots.push([node, key]);
        visit(node[key]!);
      }
    }
    for (const key of ['properties', 'patternProperties', '$defs']) {
      const map = node[key];
      if (map && typeof map === 'object' && !Array.isArray(map))
        for (const name of Object.keys(map)) {
          slots.push([map, name]);
          visit(map[name]!);
        }
    }
    for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
      const list = node[key];
      if (Array.isArray(list))
        list.forEach((item, i) => {
          slots.push([list, i]);
          visit(item);
        });
    }
  };
  visit(root);
  return slots;
}

/** One random edit of a schema object, chosen among the edits its keywords make relevant. */
function mutateNode(node: Schema, rand: () => number, sample: () => Schema): Schema {
  if (typeof node !== 'object' || node === null || Array.isArray(node))
    return pick(rand, [sample(), { type: 'string' }, true, false]);
  const copy: JsonObject = { ...node };
  const types =
    typeof copy['type'] === 'string' ? [copy['type']] : Array.isArray(copy['type']) ? (copy['type'] as string[]) : [];
  const has = (...keys: string[]): boolean => keys.some((k) => k in copy);
  const isA = (...kinds: string[]): boolean => types.length === 0 || kinds.some((k) => types.includes(k));
  const toggle = (key: string, values: JsonValue[]): void => {
    if (key in copy && rand() < 0.35) delete copy[key];
    else copy[key] = pick(rand, values);
  };
  const edits: (() => Schema)[] = [
    () => sample(),
    () => pick(rand, [true, false, {}]),
    () => pick(rand, [{ anyOf: [node, sample()] }, { allOf: [node, sample()] }, { oneOf: [node, sample()] }]),
    () => {
      const all = ['string', 'integer', 'number', 'null', 'object', 'array', 'boolean'];
      const r = rand();
      if (r < 0.3) copy['type'] = [...new Set([...types, pick(rand, all)])];
      else if (r < 0.6 && types.length > 1) copy['type'] = types.slice(1);
      else if (r < 0.8) delete copy['type'];
      else copy['type'] = pick(rand, all);
      return copy;
    },
  ];
  if (isA('object') || has('properties')) {
    edits.push(
      () => {
        const required = Array.isArray(copy['required']) ? [...(copy['required'] as string[])] : [];
        if (rand() < 0.5 && required.length > 0) required.splice(Math.floor(rand() * required.length), 1);
        else required.push(pick(rand, [...names, 'x']));
        copy['required'] = [...new Set(required)];
        return copy;
      },
      () => {
        const properties = { ...((copy['properties'] as JsonObject | undefined) ?? {}) };
        const name = pick(rand, [...names, 'x']);
        if (name in properties && rand() < 0.5) delete properties[name];
        else properties[name] = sample();
        copy['properties'] = properties;
        return copy;
      },
      () => (toggle('additionalProperties', [true, false, sample()]), copy),
      () => (toggle(pick(rand, ['minProperties', 'maxProperties']), [0, 1, 2, 3]), copy),
      () => (toggle('unevaluatedProperties', [false, true, sample()]), copy),
      () => (toggle('patternProperties', [{ '^x': sample() }, { '^a': sample() }]), copy),
      () => (toggle('dependentRequired', [{ a: ['b'] }, { a: ['b', 'c'] }, { b: ['a'] }]), copy),
    );
  }
  if (has('enum')) {
    edits.push(() => {
      const values = [...(copy['enum'] as JsonValue[])];
      if (rand() < 0.6 && values.length > 1) values.splice(Math.floor(rand() * values.length), 1);
      else values.push(pick(rand, [...pool, 'z', 7]));
      copy['enum'] = values;
      return copy;
    });
  }
  if (has('const') || rand() < 0.2) edits.push(() => (toggle('const', pool), copy));
  if (isA('integer', 'number')) {
    edits.push(
      () => {
        const key = pick(rand, ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);
        if (key in copy && rand() < 0.3) delete copy[key];
        else copy[key] = (typeof copy[key] === 'number' ? (copy[key] as number) : 2) + pick(rand, [-1, 1, 0.5]);
        return copy;
      },
      () => (toggle('multipleOf', [1, 2, 3, 4, 6, 0.5, 0.25]), copy),
    );
  }
  if (isA('string')) {
    edits.push(
      () => (toggle(pick(rand, ['minLength', 'maxLength']), [0, 1, 2, 3, 4]), copy),
      () => (toggle('pattern', ['^a', 'b$', '^[a-c]*$', 'a']), copy),
      () => (toggle('format', ['date']), copy),
    );
  }
  if (isA('array')) {
    edits.push(
      () => (toggle(pick(rand, ['minItems', 'maxItems']), [0, 1, 2, 3]), copy),
      () => (toggle('uniqueItems', [true, false]), copy),
      () => (toggle('contains', [sample(), { const: 1 }]), copy),
      () => {
        if (Array.isArray(copy['prefixItems'])) {
          const items = [...copy['prefixItems']];
          if (rand() < 0.5) items.push(sample());
          else items.pop();
          copy['prefixItems'] = items;
        } else copy['items'] = sample();
        return copy;
      },
    );
  }
  if (has('not')) edits.push(() => copy['not']!);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (!Array.isArray(copy[key])) continue;
    // Weighed up: a typeless node offers every other family of edits too.
    const editList = (): Schema => {
      const list = [...(copy[key] as JsonValue[])];
      if (rand() < 0.5 && list.length > 1) list.splice(Math.floor(rand() * list.length), 1);
      else list.push(sample());
      copy[key] = list;
      return copy;
    };
    edits.push(editList, editList, editList, editList);
  }
  return pick(rand, edits)();
}

function mutate(root: Schema, seed: number, samples: Schema[]): Schema {
  const rand = createRandom(seed);
  const sample = (): Schema => structuredClone(pick(rand, samples));
  const copy = structuredClone(root);
  const slots = schemaSlots(copy);
  if (slots.length === 0 || rand() < 0.1) return mutateNode(copy, rand, sample);
  // Combinator nodes are few among the slots; weigh them up so their rules get exercised.
  const isCombinator = ([parent, key]: (typeof slots)[number]): boolean => {
    const node = (parent as Record<string | number, JsonValue>)[key];
    return typeof node === 'object' && node !== null && ['anyOf', 'oneOf', 'allOf'].some((k) => k in node);
  };
  const combinators = slots.filter(isCombinator);
  const [parent, key] = pick(rand, combinators.length > 0 && rand() < 0.3 ? combinators : slots);
  (parent as Record<string | number, JsonValue>)[key] = mutateNode(
    (parent as Record<string | number, JsonValue>)[key]!,
    rand,
    sample,
  );
  return copy;
}

// ---- instances: drawn from the schema so that many are valid, then checked by ajv ----

function instance(schema: Schema, root: Schema, rand: () => number, depth: number): JsonValue {
  const anything = (): JsonValue =>
    pick(rand, [...pool, 'abc', 0, -1, 4, 7.5, [], {}, [1, 'a'], { a: 1 }, '2024-01-02']);
  if (depth > 4 || rand() < 0.05 || typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return anything();
  if (typeof schema['$ref'] === 'string') {
    const target = (root as JsonObject)['$defs'] as JsonObject;
    return instance(target[schema['$ref'].slice('#/$defs/'.length)]!, root, rand, depth + 1);
  }
  if (Array.isArray(schema['enum'])) return pick(rand, schema['enum']);
  if ('const' in schema) return schema['const']!;
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(schema[key])) return instance(pick(rand, schema[key] as Schema[]), root, rand, depth + 1);
  }
  if ('if' in schema)
    return instance(pick(rand, [schema['then'] ?? true, schema['else'] ?? true, schema['if']!]), root, rand, depth + 1);
  const types =
    typeof schema['type'] === 'string'
      ? [schema['type']]
      : Array.isArray(schema['type'])
        ? (schema['type'] as string[])
        : [];
  const type =
    types.length > 0
      ? pick(rand, types)
      : schema['properties']
        ? 'object'
        : schema['items'] || schema['prefixItems']
          ? 'array'
          : undefined;
  const low = (k: string, e: string): number =>
    Math.max(
      typeof schema[k] === 'number' ? (schema[k] as number) : -4,
      typeof schema[e] === 'number' ? (schema[e] as number) : -4,
    );
  const high = (k: string, e: string): number =>
    Math.min(
      typeof schema[k] === 'number' ? (schema[k] as number) : 9,
      typeof schema[e] === 'number' ? (schema[e] as number) : 9,
    );
  switch (type) {
    case 'string': {
      if (schema['format'] === 'date' && rand() < 0.7) return `2024-01-0${1 + Math.floor(rand() * 9)}`;
      const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
      const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : min + 4;
      const length = min + Math.floor(rand() * (Math.max(max, min) - min + 2));
      return Array.from({ length }, () => pick(rand, ['a', 'b', 'c', 'z'])).join('');
    }
    case 'integer':
    case 'number': {
      const lo = Math.floor(low('minimum', 'exclusiveMinimum')) - 1;
      const hi = Math.ceil(high('maximum', 'exclusiveMaximum')) + 1;
      const whole = lo + Math.floor(rand() * (hi - lo + 1));
      if (typeof schema['multipleOf'] === 'number' && rand() < 0.5)
        return Math.round(whole / schema['multipleOf']) * schema['multipleOf'];
      return type === 'number' && rand() < 0.3 ? whole + 0.5 : whole;
    }
    case 'boolean':
      return rand() < 0.5;
    case 'null':
      return null;
    case 'object': {
      const result: JsonObject = {};
      const properties = (schema['properties'] as JsonObject | undefined) ?? {};
      const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
      for (const name of [...names, 'x', 'next', 'value']) {
        const declared = Object.hasOwn(properties, name);
        if (required.includes(name) || (declared && rand() < 0.6) || rand() < 0.12) {
          const patterns = (schema['patternProperties'] as JsonObject | undefined) ?? {};
          const pattern = Object.keys(patterns).find((p) => new RegExp(p, 'u').test(name));
          const other =
            pattern !== undefined
              ? patterns[pattern]!
              : (schema['additionalProperties'] ?? schema['unevaluatedProperties'] ?? true);
          result[name] = instance(declared ? properties[name]! : other, root, rand, depth + 1);
        }
      }
      return result;
    }
    case 'array': {
      const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as Schema[]) : [];
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      const length = min + Math.floor(rand() * 4);
      const items = Array.from({ length }, (_, i) =>
        instance(prefix[i] ?? schema['items'] ?? true, root, rand, depth + 1),
      );
      // Repeats make uniqueItems matter.
      if (items.length > 1 && rand() < 0.3) items[items.length - 1] = structuredClone(items[0]!);
      return items;
    }
    default:
      return anything();
  }
}

// ---- the property ----

const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;
const ajv = new Ajv2020({
  strict: false,
  allErrors: false,
  validateSchema: false,
  code: { optimize: false },
  addUsedSchema: false,
});
addFormats(ajv);

/** A validator that answers undefined where ajv itself fails (a $ref cycle that never descends overflows the stack). */
function validator(schema: Schema): ((value: JsonValue) => boolean | undefined) | undefined {
  try {
    const validate = ajv.compile(schema as object | boolean);
    return (value) => {
      try {
        return validate(value) as boolean;
      } catch {
        return undefined;
      }
    };
  } catch {
    return undefined;
  }
}

const blocking = new Set(['breaking', 'unknown']);
const samples = fc.sample(schemaArb, { numRuns: 60, seed: 7 });

/** Up to `count` instances drawn from `schema` that `validate` accepts (ajv failures are left out). */
function validInstances(
  schema: Schema,
  validate: (value: JsonValue) => boolean | undefined,
  seed: number,
  count: number,
): JsonValue[] {
  const rand = createRandom(seed);
  const found: JsonValue[] = [];
  for (let i = 0; i < count; i++) {
    const value = instance(schema, schema, rand, 0);
    if (validate(value) === true) found.push(value);
  }
  return found;
}

test('compareSchemas never calls a change compatible that ajv shows to break (backward and forward)', () => {
  const checked: Record<Direction, number> = { backward: 0, forward: 0 };
  fc.assert(
    fc.property(rootArb, fc.integer(), (oldSchema, seed) => {
      const validOld = validator(oldSchema);
      if (validOld === undefined) return;
      const fromOld = validInstances(oldSchema, validOld, seed, 40);
      // Several mutations of each old schema: compiling and sampling the old one is the expensive part.
      for (let m = 0; m < 8; m++) {
        const newSchema = mutate(oldSchema, seed + m, samples);
        const verdicts = (['backward', 'forward'] as const).map((direction) => ({
          direction,
          changes: compareSchemas({ schema: oldSchema }, { schema: newSchema }, { direction }),
        }));
        const claimed = verdicts.filter(({ changes }) => !changes.some((c) => blocking.has(c.severity)));
        if (claimed.length === 0) continue;
        const validNew = validator(newSchema);
        if (validNew === undefined) continue;
        for (const { direction, changes } of claimed) {
          // backward: what the old schema accepted must pass the new; forward: the reverse.
          const [written, accepts] =
            direction === 'backward' ? [fromOld, validNew] : [validInstances(newSchema, validNew, seed, 40), validOld];
          for (const value of written) {
            const verdict = accepts(value);
            if (verdict === undefined) continue;
            checked[direction] += 1;
            assert.ok(
              verdict,
              `${direction}: ${JSON.stringify(value)} rejected; changes ${JSON.stringify(changes.map((c) => [c.rule, c.pointer]))}\nold ${JSON.stringify(oldSchema)}\nnew ${JSON.stringify(newSchema)}`,
            );
          }
        }
      }
    }),
    { numRuns: Number(process.env['PROPERTY_RUNS'] ?? 300), seed: Number(process.env['PROPERTY_SEED'] ?? 20240601) },
  );
  if (process.env['PROPERTY_STATS']) console.log(checked);
  // The property must not pass vacuously: plenty of instances were checked against verdicts of "compatible".
  assert.ok(checked.backward > 1500 && checked.forward > 1500, JSON.stringify(checked));
});
