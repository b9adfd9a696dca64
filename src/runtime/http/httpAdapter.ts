// The `http` adapter: POSTs `{inputs, context}` as JSON to the tool's entry_point URL and reads one result back.
import { SpecError } from '../../errors.js';
import type { ResolvedSpec } from '../../snapshot/snapshotView.js';
import { failedResult, wireContext, type Adapter, type ExpandedContext, type ProcessorResult } from '../adapter.js';
import { isStepFailure, readProcessorReply } from '../processorReply.js';

export interface HttpAdapterOptions {
  /** Passed in (default the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** Bytes of response body read before the answer is refused (default 16 MiB). */
  maxResponseBytes?: number;
  defaultTimeoutS?: number;
  now?: () => number;
}

/** Statuses worth another attempt: the server is busy or failed, not the request. */
const retryableStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);

export function createHttpAdapter(options: HttpAdapterOptions = {}): Adapter {
  const fetcher = options.fetch ?? globalThis.fetch;
  const maxBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  const now = options.now ?? (() => performance.now());
  return {
    name: 'http',
    version: '1',
    prepare(tool) {
      entryUrl(tool);
      return Promise.resolve();
    },
    async invoke(tool: ResolvedSpec, context: ExpandedContext, signal: AbortSignal): Promise<ProcessorResult> {
      const started = now();
      const elapsed = () => Math.round(now() - started);
      const url = entryUrl(tool).href;
      const timeoutS = typeof tool.spec['timeout_s'] === 'number' ? tool.spec['timeout_s'] : options.defaultTimeoutS;
      const timeout = AbortSignal.timeout((timeoutS ?? 3600) * 1000);
      const both = AbortSignal.any([signal, timeout]);
      const fail = (
        code: 'STEP_FAILED' | 'STEP_TIMEOUT' | 'STEP_HTTP_STATUS' | 'STEP_OUTPUT_TOO_LARGE',
        message: string,
        retryable: boolean,
        body?: string,
      ) => failedResult({ code, message, retryable }, elapsed(), body);
      let response: Response;
      try {
        response = await fetcher(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ inputs: context.inputs, context: wireContext(context) }),
          signal: both,
          redirect: 'error',
        });
      } catch (error) {
        if (timeout.aborted)
          return fail('STEP_TIMEOUT', `${tool.id}: no answer from ${url} within ${timeoutS ?? 3600} s`, true);
        if (signal.aborted) return fail('STEP_FAILED', `${tool.id} was stopped: the run was aborted`, false);
        return fail('STEP_FAILED', `${tool.id}: ${url} cannot be reached: ${(error as Error).message}`, true);
      }
      let body: string;
      try {
        const read = await readBounded(response, maxBytes);
        if (read === undefined)
          return fail('STEP_OUTPUT_TOO_LARGE', `${tool.id}: ${url} answered with more than ${maxBytes} bytes`, false);
        body = read;
      } catch (error) {
        if (timeout.aborted)
          return fail('STEP_TIMEOUT', `${tool.id}: ${url} did not finish answering within ${timeoutS ?? 3600} s`, true);
        return fail(
          'STEP_FAILED',
          `${tool.id}: reading the answer of ${url} failed: ${(error as Error).message}`,
          true,
        );
      }
      if (response.status < 200 || response.status > 299)
        return fail(
          'STEP_HTTP_STATUS',
          `${tool.id}: ${url} answered ${response.status} ${response.statusText}`,
          retryableStatuses.has(response.status),
          body.slice(0, 4096),
        );
      const reply = await readProcessorReply(body, context.scratch_dir, elapsed());
      return isStepFailure(reply) ? failedResult(reply, elapsed()) : reply;
    },
  };
}

function entryUrl(tool: ResolvedSpec): URL {
  const text = typeof tool.spec['entry_point'] === 'string' ? tool.spec['entry_point'] : '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new SpecError(
      'ENTRY_POINT_INVALID',
      `${tool.id}: entry_point ${JSON.stringify(text)} is not an http(s) URL`,
      {
        data: { ref: tool.id, entryPoint: text },
      },
    );
  return url;
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is not read). */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
