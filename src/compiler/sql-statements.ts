// A model is one SQL statement. This tokenizer finds the statements of a text the way the
// engines' lexers see them: a `;` inside a string ('it''s;', E'\';'), a quoted identifier
// ("a;b", `a;b`), a dollar-quoted body ($$;$$, $fn$;$fn$) or a comment (-- ;, /* ; */, nested
// as PostgreSQL allows) separates nothing. With `template`, Nunjucks tags ({{ }}, {% %},
// {# #}) are skipped too, to find the line of a `;` in a model's source.

export interface StatementScan {
  /** Statements holding something besides whitespace and comments. */
  readonly count: number;
  /** Offset where the second such statement starts. */
  readonly secondAt?: number | undefined;
  /** The text without a final `;` (and the comments and blanks after it). */
  readonly body: string;
}

export function scanStatements(text: string, { template = false } = {}): StatementScan {
  let count = 0;
  let secondAt: number | undefined;
  let hasContent = false;
  let lastSemicolon = -1;
  let contentAfterLastSemicolon = false;
  const content = (at: number) => {
    if (!hasContent) {
      hasContent = true;
      count++;
      if (count === 2) secondAt = at;
    }
    contentAfterLastSemicolon = true;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (template && c === '{' && (next === '{' || next === '%' || next === '#')) {
      const close = next === '{' ? '}}' : next === '%' ? '%}' : '#}';
      const end = text.indexOf(close, i + 2);
      if (next !== '#') content(i);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text.startsWith('/*', i)) (depth++, (i += 2));
        else if (text.startsWith('*/', i)) (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'" || c === '"' || c === '`') {
      content(i);
      const escapes = c === "'" && i > 0 && /[eE]/.test(text[i - 1]!) && !/[A-Za-z0-9_]/.test(text[i - 2] ?? ' ');
      i = quotedEnd(text, i, c, escapes);
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[A-Za-z0-9_]/.test(text[i - 1] ?? ' ')) {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (tag) {
        content(i);
        const end = text.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? text.length : end + tag[0].length;
      } else (content(i), i++);
    } else if (c === ';') {
      hasContent = false;
      lastSemicolon = i;
      contentAfterLastSemicolon = false;
      i++;
    } else {
      if (!/\s/.test(c)) content(i);
      i++;
    }
  }
  const body = lastSemicolon >= 0 && !contentAfterLastSemicolon ? text.slice(0, lastSemicolon) : text;
  return { count, secondAt, body: body.trim() };
}

/** Index just past a quoted run starting at `start` (doubled quotes escape; E'' strings take backslashes). */
function quotedEnd(text: string, start: number, quote: string, backslashes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    if (backslashes && text[i] === '\\') i += 2;
    else if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
