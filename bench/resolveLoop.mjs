// Resolution in an opened snapshot, per call: the same ref again (sync resolveCached and async resolve); refs
// resolved for the first time by a lazy view (each reads its tree path and spec from LevelDB and re-hashes them);
// and every ref of a preloaded view (openSnapshot(..., { preload: true }), whose opening time is reported too).
import { openSnapshot, openStore } from '../dist/index.js';

const [directory, selector, ref] = process.argv.slice(2);
const store = await openStore({ directory });
const snapshot = await openSnapshot(store, selector);
await snapshot.resolve(ref); // loads the path to the leaf and the spec once
const perCall = async (calls, body) => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await body(i);
  return Number(process.hrtime.bigint() - started) / 1e3 / calls;
};
const perCallSync = (calls, body) => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) body(i);
  return Number(process.hrtime.bigint() - started) / 1e3 / calls;
};
const cached = perCallSync(1_000_000, () => snapshot.resolveCached(ref));
const again = await perCall(200_000, () => snapshot.resolve(ref));
const refs = (await snapshot.list()).map((entry) => entry.id);
const lazy = await openSnapshot(store, selector);
const sample = refs.filter((_, i) => i % 5 === 0).slice(0, 2000);
const first = await perCall(sample.length, (i) => lazy.resolve(sample[i]));
const started = process.hrtime.bigint();
const preloaded = await openSnapshot(store, selector, { preload: true });
const preloadMs = Number(process.hrtime.bigint() - started) / 1e6;
let missing = 0;
const preloadedPerCall = perCallSync(1_000_000, (i) => {
  if (preloaded.resolveCached(refs[i % refs.length]) === undefined) missing++;
});
await store.close();
if (missing > 0) throw new Error(`${missing} refs missing from the preloaded view`);
process.stdout.write(
  `${JSON.stringify({ resolveCached: cached, resolveAgain: again, resolveFirst: first, distinctRefs: sample.length, preloadMs, preloadedPerCall, refs: refs.length })}\n`,
);
