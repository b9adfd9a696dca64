// The direction of imports in src/ (docs/architecture.md): a room may import its own layer and the layers below, never above.
// Kept apart from eslint.config.js so a test can lint a deliberate violation with just this rule.

/** The rooms of src/, lowest first; rooms on one line are one layer and may import each other. */
export const layers = [
  ['core'],
  ['source'],
  ['kinds'],
  ['validate'],
  // Above validate: specstore.yaml is checked with the same ajv set-up as plans and diff configs (createKindAjv).
  ['plugins'],
  ['store'],
  ['snapshot', 'build'],
  ['diff'],
  ['review'],
  // lint: reads a compiled registry and diffs it against the previous snapshot (review).
  ['lint'],
  ['catalog'],
  ['plan'],
  ['docgen'],
  ['maintain'],
  // drafts: editing the working registry (validated as a build, in-use checks against specs and plans).
  ['oci', 'runtime', 'drafts'],
  ['http'],
  ['cli'],
];

/** Rooms that must not touch the store or anything that reads it, whatever their layer. */
const pureRooms = { diff: ['store', 'snapshot', 'build'] };

/** One flat-config entry per room: `no-restricted-imports` naming every room above it. */
export function importDirectionConfigs() {
  return layers.flatMap((layer, index) => {
    const above = layers.slice(index + 1).flat();
    return layer.map((room) => {
      const forbidden = [...above, ...(pureRooms[room] ?? [])];
      return {
        files: [`src/${room}/**/*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
                  message: `src/${room}/ may not import from a room above it (${forbidden.join(', ')}): see docs/architecture.md`,
                },
                ...(room === 'core'
                  ? [
                      {
                        regex: '^node:',
                        allowTypeImports: true,
                        message:
                          'src/core/ is pure: no node:* module (docs/architecture.md); I/O belongs in a room above it',
                      },
                    ]
                  : []),
                {
                  regex: '^(\\.\\./)+index\\.js$',
                  message: 'src/index.ts is the public API; import the module itself',
                },
              ],
            },
          ],
        },
      };
    });
  });
}
