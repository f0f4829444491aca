// Minifies the stylesheets written as Lit `css` tagged templates. Terser
// leaves template literals as they are, so the page shipped every CSS
// comment and every indentation: 1.9 KB of the 30 KB gzipped budget before
// first paint (docs/PERFORMANCE.md). Node built-ins only; rollup calls it on
// each module (web/rollup.config.mjs) and test/deploy checks it.

/**
 * One stylesheet's static text, smaller: comments go, whitespace runs become
 * one space, and none is kept next to `{`, `}`, `;`, or after `:` and `,`.
 * Quoted strings stay as written. A space before `:` stays: it can be a
 * descendant selector (`a :hover`).
 */
export function minifyCss(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split(/("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\s+/g, ' ')
            .replace(/\s*([{};])\s*/g, '$1')
            .replace(/([:,]) /g, '$1'),
    )
    .join('');
}

/**
 * Index just past the end of the expression that starts at `i` (just after
 * `${`): the matching `}`, skipping strings, nested templates and braces.
 */
function skipExpression(code, i) {
  let depth = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === "'" || c === '"') {
      i = skipString(code, i);
      continue;
    }
    if (c === '`') {
      i = templateParts(code, i + 1).end;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
    i++;
  }
  throw new Error('unterminated ${ in a template literal');
}

function skipString(code, i) {
  const quote = code[i];
  for (i++; i < code.length; i++) {
    if (code[i] === '\\') i++;
    else if (code[i] === quote) return i + 1;
  }
  throw new Error('unterminated string');
}

/**
 * The template literal whose text starts at `i` (just after its opening
 * backtick): its static parts and its `${…}` expressions (each with its
 * `${` and `}`), alternating, and the index just past its closing backtick.
 */
function templateParts(code, i) {
  const statics = [''];
  const expressions = [];
  for (; i < code.length; i++) {
    const c = code[i];
    if (c === '`') return { statics, expressions, end: i + 1 };
    if (c === '\\') {
      statics[statics.length - 1] += code.slice(i, i + 2);
      i++;
    } else if (c === '$' && code[i + 1] === '{') {
      const end = skipExpression(code, i + 2);
      expressions.push(code.slice(i, end));
      statics.push('');
      i = end - 1;
    } else {
      statics[statics.length - 1] += c;
    }
  }
  throw new Error('unterminated template literal');
}

/**
 * `code` with the static text of every `css\`…\`` template minified; the
 * `${…}` expressions inside stay exactly as written. Null when it has none.
 * Each template keeps its number of lines (the newlines it lost go before its
 * closing backtick, where gzip makes them nearly free), so every line after
 * it stays where the module's source map says it is. The tag is matched as
 * tsc writes it after `=`, `(`, `[`, `,` or `:`, so that a comment naming
 * "`css`" is not taken for a template.
 */
export function minifyCssTemplates(code) {
  const tag = /(?<=[=([,:]\s*)\bcss\s*`/g;
  let out = '';
  let last = 0;
  for (let m = tag.exec(code); m; m = tag.exec(code)) {
    const start = m.index + m[0].length;
    const { statics, expressions, end } = templateParts(code, start);
    const newlines = statics.join('').split('\n').length - 1;
    // The template's own first and last spaces go too, not those beside a `${…}`.
    const css = statics.map(minifyCss);
    css[0] = css[0].trimStart();
    css[css.length - 1] = css[css.length - 1].trimEnd();
    out += code.slice(last, start) + css.map((part, k) => part + (expressions[k] ?? '')).join('') + '\n'.repeat(newlines) + '`';
    last = end;
    tag.lastIndex = end;
  }
  return last === 0 ? null : out + code.slice(last);
}
