// A unified diff of two texts (`spec fmt --check`), lines matched by a longest common subsequence.

/** The lines of `before` and `after` as a unified diff with `context` lines around each change; "" when equal. */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const edits = lineEdits(a, b);
  const hunks: string[] = [];
  let index = 0;
  while (index < edits.length) {
    while (index < edits.length && edits[index]!.op === ' ') index++;
    if (index === edits.length) break;
    const start = Math.max(0, index - context);
    let end = index;
    // A hunk runs on while the next change is within twice the context of the last one.
    for (;;) {
      while (end < edits.length && edits[end]!.op !== ' ') end++;
      let next = end;
      while (next < edits.length && edits[next]!.op === ' ') next++;
      if (next < edits.length && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(edits.length, end + context);
    const slice = edits.slice(start, stop);
    const first = edits[start]!;
    const fromCount = slice.filter((edit) => edit.op !== '+').length;
    const toCount = slice.filter((edit) => edit.op !== '-').length;
    const fromStart = fromCount === 0 ? first.aLine : first.aLine + 1;
    const toStart = toCount === 0 ? first.bLine : first.bLine + 1;
    hunks.push(`@@ -${fromStart},${fromCount} +${toStart},${toCount} @@\n`);
    for (const edit of slice)
      hunks.push(`${edit.op}${edit.text}\n${edit.noNewline ? '\\ No newline at end of file\n' : ''}`);
    index = stop;
  }
  return `--- ${labels.from}\n+++ ${labels.to}\n${hunks.join('')}`;
}

interface LineEdit {
  op: ' ' | '-' | '+';
  text: string;
  /** Lines of `before` and `after` before this one. */
  aLine: number;
  bLine: number;
  noNewline: boolean;
}

interface Lines {
  lines: string[];
  /** The text does not end with a line break. */
  open: boolean;
}

function splitLines(text: string): Lines {
  const lines = text.split('\n');
  const open = !text.endsWith('\n');
  if (!open) lines.pop();
  return { lines, open: open && text.length > 0 };
}

function lineEdits(a: Lines, b: Lines): LineEdit[] {
  const x = a.lines;
  const y = b.lines;
  // Common head and tail first: a formatted file differs in a few places, so the table stays small.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head] && head < x.length - 1) head++;
  let tail = 0;
  while (
    !a.open &&
    !b.open &&
    tail < x.length - head - 1 &&
    tail < y.length - head - 1 &&
    x[x.length - 1 - tail] === y[y.length - 1 - tail]
  )
    tail++;
  const xm = x.slice(head, x.length - tail);
  const ym = y.slice(head, y.length - tail);
  const width = ym.length + 1;
  const table = new Uint32Array((xm.length + 1) * width);
  for (let i = xm.length - 1; i >= 0; i--)
    for (let j = ym.length - 1; j >= 0; j--)
      table[i * width + j] =
        xm[i] === ym[j]
          ? table[(i + 1) * width + j + 1]! + 1
          : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
  const edits: LineEdit[] = [];
  let i = 0;
  let j = 0;
  const push = (op: LineEdit['op'], text: string, ai: number, bj: number, last: boolean) =>
    edits.push({ op, text, aLine: ai, bLine: bj, noNewline: last });
  const aLast = (index: number) => a.open && index === x.length - 1;
  const bLast = (index: number) => b.open && index === y.length - 1;
  for (let k = 0; k < head; k++) push(' ', x[k]!, k, k, false);
  while (i < xm.length || j < ym.length) {
    const ai = head + i;
    const bj = head + j;
    if (i < xm.length && j < ym.length && xm[i] === ym[j] && aLast(ai) === bLast(bj)) {
      push(' ', xm[i]!, ai, bj, aLast(ai));
      i++;
      j++;
    } else if (i < xm.length && (j === ym.length || table[(i + 1) * width + j]! >= table[i * width + j + 1]!)) {
      push('-', xm[i]!, ai, bj, aLast(ai));
      i++;
    } else {
      push('+', ym[j]!, ai, bj, bLast(bj));
      j++;
    }
  }
  for (let k = 0; k < tail; k++) {
    const ai = x.length - tail + k;
    const bj = y.length - tail + k;
    push(' ', x[ai]!, ai, bj, aLast(ai));
  }
  return edits;
}
