// Bytes to text: strict UTF-8 only, a UTF-8 BOM dropped, every line break made `\n` so values and positions do not
// depend on how the file was saved.
import type { LineColumn } from './lineIndex.js';

export type DecodedSpecText =
  { text: string; problem?: undefined } | { text?: undefined; problem: { message: string; position: LineColumn } };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** YAML 1.2 line breaks are CRLF, CR and LF; yaml reads CRLF but not a lone CR (it silently drops the rest). */
function normalizeLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

export function decodeSpecText(bytes: Uint8Array): DecodedSpecText {
  const wideBom = wideBomName(bytes);
  if (wideBom !== undefined) {
    return problem(`file is ${wideBom} (it starts with a ${wideBom} byte order mark); save it as UTF-8`, bytes, 0);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return problem(
      'file contains NUL bytes: it is probably UTF-16 or UTF-32 without a byte order mark; save it as UTF-8',
      bytes,
      nul,
    );
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = (bytes[at] ?? 0).toString(16).padStart(2, '0');
    return problem(`invalid UTF-8 (byte 0x${byte}); save the file as UTF-8`, bytes, at);
  }
  return { text: normalizeLineBreaks(text) };
}

/** Lenient decoding for showing text around a problem, never for values. */
export function decodeForDisplay(bytes: Uint8Array): string {
  return normalizeLineBreaks(lenientUtf8.decode(bytes));
}

function wideBomName(bytes: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe) return b2 === 0 && b3 === 0 ? 'UTF-32' : 'UTF-16';
  if (b0 === 0xfe && b1 === 0xff) return 'UTF-16';
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return 'UTF-32';
  return undefined;
}

function problem(message: string, bytes: Uint8Array, byteOffset: number): DecodedSpecText {
  const before = decodeForDisplay(bytes.subarray(0, byteOffset));
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { problem: { message, position: { line, column: before.length - lineStart + 1 } } };
}

/** Byte offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return i;
}
