/**
 * A tiny assertion helper for the in-browser tests (no chai in this project).
 * Every failure throws an AssertionError with a message that says what differed.
 */

export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Longest rendering of a value in a failure message (SDP would drown the message). */
const MAX_SHOWN = 300;

function serialize(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}

function show(value: unknown): string {
  const text = serialize(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} characters)` : text;
}

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Fails unless `actual === expected` (Object.is). */
export function assertEqual<T>(actual: T, expected: T, message = ''): void {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Fails unless both values serialize to the same JSON (plain data only). */
export function assertDeepEqual(actual: unknown, expected: unknown, message = ''): void {
  if (serialize(actual) !== serialize(expected)) {
    throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Fails unless `text` contains `part`. */
export function assertIncludes(text: string | null | undefined, part: string, message = ''): void {
  if (text == null || !text.includes(part)) {
    throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(text)} to include ${show(part)}`);
  }
}

/**
 * Fails unless the promise (or the function's promise) rejects; returns the
 * rejection so the caller can check it. `matches`, when given, must hold for it.
 */
export async function assertRejects(
  work: Promise<unknown> | (() => Promise<unknown>),
  message: string,
  matches?: (err: unknown) => boolean,
): Promise<unknown> {
  let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    settled = { ok: true, value: await (typeof work === 'function' ? work() : work) };
  } catch (error) {
    settled = { ok: false, error };
  }
  if (settled.ok) throw new AssertionError(`${message}: expected a rejection, got ${show(settled.value)}`);
  if (matches && !matches(settled.error)) {
    throw new AssertionError(`${message}: unexpected rejection ${String(settled.error)}`);
  }
  return settled.error;
}
