// Terminal colours, only when writing to a terminal and NO_COLOR is unset.

export interface Style {
  red: (text: string) => string;
  yellow: (text: string) => string;
  green: (text: string) => string;
  bold: (text: string) => string;
  dim: (text: string) => string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const identity = (text: string) => text;

export function createStyle(enabled: boolean): Style {
  if (!enabled) return { red: identity, yellow: identity, green: identity, bold: identity, dim: identity };
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}
