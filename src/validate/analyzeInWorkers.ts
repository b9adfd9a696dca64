// Analyses many files on every core: worker threads take batches until none are left; results keep input order.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtinKinds } from '../kinds/builtinKinds.js';
import type { KindDescriptor } from '../kinds/kindDescriptor.js';
import type { FileAnalysis } from './analyzeSpecFile.js';

export interface AnalysisTask {
  file: string;
  path: string;
  kind: string;
  absolutePath: string;
}

/** How a worker rebuilds one kind: a built-in one by name (its `check` is code), any other as the descriptor's data. */
export type WorkerKind = { builtin: string } | { descriptor: KindDescriptor };

/**
 * The kind set as workers receive it, or undefined when some kind cannot cross a thread (a descriptor that is not
 * plain data, such as one with a `check` function): then the files are analysed on this thread.
 */
export function kindsForWorkers(kinds: readonly KindDescriptor[]): WorkerKind[] | undefined {
  const sent: WorkerKind[] = [];
  for (const kind of kinds) {
    if (builtinKinds.includes(kind)) {
      sent.push({ builtin: kind.name });
      continue;
    }
    try {
      sent.push({ descriptor: structuredClone(kind) });
    } catch {
      return undefined;
    }
  }
  return sent;
}

/** The kinds a worker was sent, rebuilt. */
export function kindsFromWorkerData(sent: readonly WorkerKind[]): KindDescriptor[] {
  return sent.map((each) =>
    'builtin' in each ? builtinKinds.find((kind) => kind.name === each.builtin)! : each.descriptor,
  );
}

/** Below this many files, threads cost more to start than they save. */
export const minFilesForWorkers = 400;
const batchSize = 128;

/** `kinds` (from kindsForWorkers) are the kinds the tasks name; each worker rebuilds them. */
export async function analyzeInWorkers(
  tasks: readonly AnalysisTask[],
  options: { kinds: WorkerKind[]; threads?: number; onProgress?: (done: number) => void },
): Promise<FileAnalysis[]> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(tasks.length / batchSize)));
  const results = new Array<FileAnalysis>(tasks.length);
  let next = 0;
  let done = 0;
  const kindLists = new Map<string, readonly string[]>();
  // Run from TypeScript sources (the tests), the worker registers the TypeScript loader before loading itself.
  const fromSource = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(fromSource ? './analysisWorker.ts' : './analysisWorker.js', import.meta.url);
  const createWorker = () =>
    fromSource
      ? new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
          { eval: true, workerData: options.kinds },
        )
      : new Worker(workerUrl, { workerData: options.kinds });
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = createWorker();
      let start = 0;
      const dispatch = () => {
        if (next >= tasks.length) {
          void worker.terminate().then(() => resolve(), reject);
          return;
        }
        start = next;
        next = Math.min(tasks.length, next + batchSize);
        worker.postMessage(tasks.slice(start, next));
      };
      worker.on('message', (batch: FileAnalysis[]) => {
        for (let i = 0; i < batch.length; i++) results[start + i] = sharing(batch[i]!, tasks[start + i]!, kindLists);
        done += batch.length;
        options.onProgress?.(done);
        dispatch();
      });
      worker.once('error', reject);
      dispatch();
    });
  await Promise.all(Array.from({ length: threads }, runWorker));
  return results;
}

const emptyList = Object.freeze([]) as unknown as never[];

/**
 * An analysis as it arrives, made to share what it can with the others: the task's strings, its spec's id, one frozen
 * empty list for every empty list, one list per set of reference kinds. The copies that crossed the thread die young;
 * what every analysis keeps is what the collector copies when it promotes them (at 100k files, most of the main
 * thread's scavenging while the results arrive: docs/performance.md).
 */
function sharing(analysis: FileAnalysis, task: AnalysisTask, kindLists: Map<string, readonly string[]>): FileAnalysis {
  analysis.file = task.file;
  analysis.path = task.path;
  analysis.kind = task.kind;
  if (analysis.spec && analysis.id === analysis.spec.id) analysis.id = analysis.spec.id;
  if (analysis.diagnostics.length === 0) analysis.diagnostics = emptyList;
  if (analysis.schemas.length === 0) analysis.schemas = emptyList;
  if (analysis.references.length === 0) analysis.references = emptyList;
  for (const reference of analysis.references) {
    const key = reference.kinds.join('\u0000');
    let shared = kindLists.get(key);
    if (!shared) kindLists.set(key, (shared = Object.freeze([...reference.kinds])));
    reference.kinds = shared;
  }
  return analysis;
}
