/**
 * What the functions logged, as the benchmark reads it from the emulator's
 * firebase-debug.log: each function log line carries the structured entry as
 * a JSON object (the emulator repeats it inside metadata after it; only the
 * first object of a line counts). Pure, so a unit test can feed it lines.
 */

/** A structured log entry of a function: `message` and the fields it logged. */
export type LogEntry = Readonly<Record<string, unknown>> & { readonly message: string };

/** Operations as the functions count them (domain/usage.ts). */
export interface Ops {
  readonly reads: number;
  readonly writes: number;
  readonly deletes: number;
}

/** The first complete JSON object in `line` from `start`, or null. Strings may hold braces. */
function firstObject(line: string, start: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return line.slice(start, i + 1);
  }
  return null;
}

/** Every function log entry in `text` (one per line that has one), in order. */
export function logEntries(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of text.split('\n')) {
    const start = line.indexOf('{');
    if (start < 0) continue;
    const json = firstObject(line, start);
    if (json === null) continue;
    try {
      const entry = JSON.parse(json) as unknown;
      if (typeof entry === 'object' && entry !== null && typeof (entry as { message?: unknown }).message === 'string') {
        entries.push(entry as LogEntry);
      }
    } catch {
      // Not a structured entry (the emulator's own messages).
    }
  }
  return entries;
}

function isOps(value: unknown): value is Ops {
  const v = value as Partial<Ops> | null;
  return typeof v === 'object' && v !== null && [v.reads, v.writes, v.deletes].every((n) => typeof n === 'number');
}

/** The entry's total usage, or null when it logged none. */
export function usageOf(entry: LogEntry): Ops | null {
  return isOps(entry['usage']) ? entry['usage'] : null;
}

/**
 * The operations of several entries by `message` and by what each touched:
 * `{ "join": { "queue (scan)": {reads: 2, …}, … }, "leave": … }`, summed over
 * the entries of each message. Entries that logged no `ops` count under
 * `(unnamed)` with their usage; one that cost nothing (a random call's
 * end trigger, once its call's end was written) leaves its message with
 * nothing under it, rather than an `(unnamed)` of zeros.
 */
export function opsBreakdown(entries: readonly LogEntry[]): Record<string, Record<string, Ops>> {
  const out: Record<string, Record<string, Ops>> = {};
  for (const entry of entries) {
    const usage = usageOf(entry);
    if (usage === null) continue;
    const named = entry['ops'];
    const parts: Array<[string, Ops]> =
      typeof named === 'object' && named !== null
        ? Object.entries(named).filter((e): e is [string, Ops] => isOps(e[1]))
        : usage.reads + usage.writes + usage.deletes > 0
          ? [['(unnamed)', usage]]
          : [];
    const byWhat = (out[entry.message] ??= {});
    for (const [what, ops] of parts) {
      const had = byWhat[what] ?? { reads: 0, writes: 0, deletes: 0 };
      byWhat[what] = { reads: had.reads + ops.reads, writes: had.writes + ops.writes, deletes: had.deletes + ops.deletes };
    }
  }
  return out;
}

/** The sum of the entries' usage. */
export function totalOps(entries: readonly LogEntry[]): Ops {
  return entries.reduce<Ops>(
    (sum, e) => {
      const u = usageOf(e);
      return u === null ? sum : { reads: sum.reads + u.reads, writes: sum.writes + u.writes, deletes: sum.deletes + u.deletes };
    },
    { reads: 0, writes: 0, deletes: 0 },
  );
}
