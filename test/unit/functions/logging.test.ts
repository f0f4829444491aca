/**
 * Guards the rule "logs never contain SDP, candidates or IP addresses": every
 * logging call in functions/src is read, and its arguments may not mention
 * anything that carries them. A source check, so it holds for code paths the
 * other tests never run.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../../functions/src/', import.meta.url));

/** Words that name SDP, ICE candidates, addresses or whole request payloads. */
const FORBIDDEN = /\b(offer|answer|sdp|candidates?|ip|ips|address|addresses|rawRequest|headers|data)\b/i;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The argument text of each logger.* / console.* call in `code`. */
export function loggingCalls(code: string): string[] {
  const calls: string[] = [];
  const start = /\b(logger|console)\.(debug|info|log|warn|error|write)\(/g;
  for (let m = start.exec(code); m !== null; m = start.exec(code)) {
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
    }
    calls.push(code.slice(m.index, i));
  }
  return calls;
}

/** Logging calls that mention a forbidden word (string messages included). */
export function offendingCalls(code: string): string[] {
  return loggingCalls(code).filter((call) => FORBIDDEN.test(call.replace(/^(logger|console)\.\w+\(/, '')));
}

describe('function logs', () => {
  it('the check finds logging calls and flags what would leak', () => {
    const sample = [
      "logger.info('join', { room, callId });",
      "logger.warn('bad', { offer: request.data.offer });",
      'console.log(`candidate ${c.candidate}`);',
      "logger.error('failed', { ip: req.ip, nested: f(a, (b)) });",
    ].join('\n');
    assert.equal(loggingCalls(sample).length, 4);
    assert.equal(offendingCalls(sample).length, 3);
  });

  it('no logging call in functions/src mentions SDP, candidates, addresses or request payloads', () => {
    const files = sources(SRC);
    assert.ok(files.length > 5, `read ${files.length} source files`);
    let calls = 0;
    const offending: string[] = [];
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      calls += loggingCalls(code).length;
      for (const call of offendingCalls(code)) offending.push(`${file.slice(SRC.length)}: ${call}`);
    }
    assert.ok(calls >= 5, `found ${calls} logging calls (the check must be looking at real code)`);
    assert.deepEqual(offending, []);
  });

  it('functions never use console (only the structured logger)', () => {
    const uses = sources(SRC).filter((f) => /\bconsole\.\w+\(/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(uses, []);
  });
});
