// Turns string offsets into 1-based line and column; built only when a diagnostic needs a position.

export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Line starts of a text whose line breaks are already `\n` (see decodeSpecText). Columns count UTF-16 code units,
 * as yaml's offsets, LSP and VS Code do.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): LineColumn {
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }
}
