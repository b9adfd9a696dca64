// Worker thread: reads and analyses batches of spec files (YAML parsing dominates a cold build; this spreads it).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSpecFile, unreadableFileAnalysis, type FileAnalysis } from './analyzeSpecFile.js';
import { kindsFromWorkerData, type AnalysisTask, type WorkerKind } from './analyzeInWorkers.js';

// yaml's parser reads process.env.LOG_TOKENS for every token, and a worker's process.env is an accessor object
// (a slow read, a large share of all parsing time); a plain copy reads several times faster. This thread never
// writes env.
process.env = { ...process.env };

// The kind set the build runs with, as analyzeInWorkers sent it.
const kinds = new Map(kindsFromWorkerData(workerData as WorkerKind[]).map((kind) => [kind.name, kind]));

parentPort!.on('message', (tasks: AnalysisTask[]) => {
  const results: FileAnalysis[] = tasks.map((task) => {
    const kind = kinds.get(task.kind)!;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(task.absolutePath);
    } catch (cause) {
      return unreadableFileAnalysis(task, cause);
    }
    return analyzeSpecFile({ file: task.file, path: task.path, kind: task.kind, bytes }, kind);
  });
  parentPort!.postMessage(results);
});
