// Where a value sits in a JSON text, as a parser reporting an error knows it: the line and
// column of the value's first character. Salesforce's JSON_PARSER_ERROR ends with
// "at [line:L, column:C]"; the sandbox reports the same for the value it could not read. The text
// was parsed already, so this walks it without checking it. Pure: no I/O.

export interface TextPosition {
  line: number;
  column: number;
}

/** The position of the value at `path` (keys and array indices from the root), if it is there. */
export function positionOf(text: string, path: ReadonlyArray<string | number>): TextPosition | undefined {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const skipString = () => {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  const readKey = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  /** Skips the value at i; returns the offset of the value at `path[depth..]` inside it. */
  const walk = (depth: number): number | undefined => {
    skipSpace();
    if (depth === path.length) {
      const at = i;
      skip();
      return at;
    }
    const want = path[depth];
    let found: number | undefined;
    if (text[i] === '{') {
      i++;
      for (;;) {
        skipSpace();
        if (text[i] === '}') break;
        const key = readKey();
        skipSpace();
        i++; // ':'
        const hit = key === want ? walk(depth + 1) : (skip(), undefined);
        found ??= hit;
        skipSpace();
        if (text[i] === ',') i++;
      }
      i++;
      return found;
    }
    if (text[i] === '[') {
      i++;
      for (let n = 0; ; n++) {
        skipSpace();
        if (text[i] === ']') break;
        const hit = n === want ? walk(depth + 1) : (skip(), undefined);
        found ??= hit;
        skipSpace();
        if (text[i] === ',') i++;
      }
      i++;
      return found;
    }
    skip();
    return undefined;
  };
  const skip = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      for (;;) {
        skipSpace();
        if (text[i] === close || i >= text.length) break;
        if (c === '{') {
          readKey();
          skipSpace();
          i++;
        }
        skip();
        skipSpace();
        if (text[i] === ',') i++;
      }
      i++;
      return;
    }
    while (i < text.length && !/[\s,}\]]/.test(text[i])) i++;
  };
  const offset = walk(0);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
