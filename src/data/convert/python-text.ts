/**
 * The few Python string behaviours the CFCRS preprocessing depends on, reproduced exactly where the
 * byte-for-byte checks need it.
 */

/** Characters Python's str.split() treats as whitespace (str.isspace), which differ from JS \s. */
const PY_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'g');
const PY_EDGE_WHITESPACE = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'g');

/** Python `' '.join(text.split())`: trims and collapses every whitespace run to one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(PY_WHITESPACE_RUN, ' ').replace(PY_EDGE_WHITESPACE, '');
}

/**
 * Named references Python's html.unescape knows. Those marked legacy are also decoded without the `;`
 * (as in HTML5 and Python). This is the subset seen in dialogue text; rarer names are left as written.
 */
const NAMED: Record<string, { char: string; legacy?: boolean }> = {
  amp: { char: '&', legacy: true },
  lt: { char: '<', legacy: true },
  gt: { char: '>', legacy: true },
  quot: { char: '"', legacy: true },
  nbsp: { char: '\u00a0', legacy: true },
  copy: { char: '\u00a9', legacy: true },
  reg: { char: '\u00ae', legacy: true },
  eacute: { char: '\u00e9', legacy: true },
  egrave: { char: '\u00e8', legacy: true },
  aacute: { char: '\u00e1', legacy: true },
  agrave: { char: '\u00e0', legacy: true },
  ntilde: { char: '\u00f1', legacy: true },
  ouml: { char: '\u00f6', legacy: true },
  uuml: { char: '\u00fc', legacy: true },
  auml: { char: '\u00e4', legacy: true },
  AMP: { char: '&', legacy: true },
  LT: { char: '<', legacy: true },
  GT: { char: '>', legacy: true },
  QUOT: { char: '"', legacy: true },
  COPY: { char: '\u00a9', legacy: true },
  REG: { char: '\u00ae', legacy: true },
  apos: { char: "'" },
  hellip: { char: '\u2026' },
  mdash: { char: '\u2014' },
  ndash: { char: '\u2013' },
  lsquo: { char: '\u2018' },
  rsquo: { char: '\u2019' },
  ldquo: { char: '\u201c' },
  rdquo: { char: '\u201d' },
};

/** Python html's _invalid_charrefs: numeric references in the C1 range read as Windows-1252, plus NUL and CR. */
const C1_REPLACEMENTS: Record<number, string> = {
  0: '\ufffd',
  13: '\r',
  128: '\u20ac',
  130: '\u201a',
  131: '\u0192',
  129: '\x81',
  132: '\u201e',
  133: '\u2026',
  134: '\u2020',
  135: '\u2021',
  136: '\u02c6',
  137: '\u2030',
  138: '\u0160',
  139: '\u2039',
  140: '\u0152',
  141: '\x8d',
  142: '\u017d',
  143: '\x8f',
  144: '\x90',
  145: '\u2018',
  146: '\u2019',
  147: '\u201c',
  148: '\u201d',
  149: '\u2022',
  150: '\u2013',
  151: '\u2014',
  152: '\u02dc',
  153: '\u2122',
  154: '\u0161',
  155: '\u203a',
  156: '\u0153',
  157: '\x9d',
  158: '\u017e',
  159: '\u0178',
};

const CHAR_REF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

/** Python `html.unescape` (numeric references exactly; named references for the NAMED table). */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHAR_REF, (whole, ref: string) => {
    if (ref[0] === '#') return numericReference(ref);
    const name = ref.endsWith(';') ? ref.slice(0, -1) : ref;
    const exact = NAMED[name];
    if (exact && (ref.endsWith(';') || exact.legacy)) return exact.char;
    // Without `;` HTML5 decodes the longest legacy name that prefixes the reference.
    for (let len = Math.min(name.length, 6); len > 1; len--) {
      const entry = NAMED[name.slice(0, len)];
      if (entry?.legacy) return entry.char + ref.slice(len);
    }
    return whole;
  });
}

function numericReference(ref: string): string {
  const digits = ref.replace(/;$/, '');
  const code =
    digits[1] === 'x' || digits[1] === 'X' ? Number.parseInt(digits.slice(2), 16) : Number(digits.slice(1));
  if (code in C1_REPLACEMENTS) return C1_REPLACEMENTS[code]!;
  if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return '\ufffd';
  if (isInvalidCodePoint(code)) return '';
  return String.fromCodePoint(code);
}

/** Python html's _invalid_codepoints: control characters and non-characters decode to nothing. */
function isInvalidCodePoint(code: number): boolean {
  return (
    (code >= 0x1 && code <= 0x8) ||
    code === 0xb ||
    (code >= 0xe && code <= 0x1f) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xfdd0 && code <= 0xfdef) ||
    (code & 0xfffe) === 0xfffe
  );
}

/**
 * Python `json.dumps(value, ensure_ascii=False)`: `", "` and `": "` separators, non-ASCII kept. String
 * escaping is the same as JSON.stringify's for well-formed text; numbers here are integers.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(`${JSON.stringify(key)}: ${pythonJsonDumps(v)}`);
  }
  return `{${parts.join(', ')}}`;
}
