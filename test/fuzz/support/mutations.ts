import fc from 'fast-check';

/** One edit of a string: replace, insert or delete one character, or cut it short. */
export type StringEdit =
  | { kind: 'replace'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number };

/** Characters that matter to keys and tokens, plus a few that never belong. */
const EDIT_CHARS = fc.oneof(
  fc.constantFrom('/', '.', '-', '_', ':', '0', '1', '9', 'a', 'f', 'A', 'Z', '%', ' ', '\u0000', '\u00e9', '\u{1F600}', '=', '+'),
  fc.string({ minLength: 1, maxLength: 1 }),
);

export const stringEdit: fc.Arbitrary<StringEdit> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: EDIT_CHARS }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: EDIT_CHARS }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

export function applyEdit(s: string, e: StringEdit): string {
  if (s.length === 0) return e.kind === 'insert' || e.kind === 'replace' ? e.char : s;
  const at = e.at % (s.length + (e.kind === 'insert' ? 1 : 0));
  switch (e.kind) {
    case 'replace':
      return s.slice(0, at) + e.char + s.slice(at + 1);
    case 'insert':
      return s.slice(0, at) + e.char + s.slice(at);
    case 'delete':
      return s.slice(0, at) + s.slice(at + 1);
    case 'truncate':
      return s.slice(0, at);
  }
}

export const applyEdits = (s: string, edits: readonly StringEdit[]): string => edits.reduce(applyEdit, s);

/** False when `s` holds a lone surrogate (an edit may split an emoji), which no URL can carry. */
export const isWellFormedUtf16 = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
