// Resolves one ref many times in an opened snapshot and prints the time per call.
import { openSnapshot, openStore } from '../dist/index.js';

const [directory, selector, ref] = process.argv.slice(2);
const store = await openStore({ directory });
const snapshot = await openSnapshot(store, selector);
await snapshot.resolve(ref); // loads the path to the leaf and the spec once
const calls = 200_000;
const useSync = typeof snapshot.resolveCached === 'function';
const started = process.hrtime.bigint();
if (useSync) for (let i = 0; i < calls; i++) snapshot.resolveCached(ref);
else for (let i = 0; i < calls; i++) await snapshot.lookup(ref);
const microseconds = Number(process.hrtime.bigint() - started) / 1e3 / calls;
await store.close();
process.stdout.write(`${JSON.stringify({ microseconds, calls, method: useSync ? 'resolveCached (sync)' : 'lookup (async)' })}\n`);
