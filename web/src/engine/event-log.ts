/** Lines carry the clock modulo this, so that they stay short. */
const CLOCK_MODULUS_MS = 1_000_000;

/** How long before `nowMs` the line was noted (right while under CLOCK_MODULUS_MS, about 16 minutes). */
export function eventAgeMs(line: string, nowMs: number): number {
  const notedAt = Number(line.split(' ', 1)[0]);
  return ((nowMs % CLOCK_MODULUS_MS) - notedAt + CLOCK_MODULUS_MS) % CLOCK_MODULUS_MS;
}

/**
 * The last events of a call or a link, oldest first, each `<clock ms mod
 * 10^6> <what>` (comparable across the pages of one machine): for a test or
 * a bench that failed to say why. Never logged or sent; callers write no
 * addresses into it.
 */
export class EventLog {
  private readonly lines: string[] = [];

  constructor(private readonly capacity: number) {}

  note(what: string): void {
    this.lines.push(`${Date.now() % CLOCK_MODULUS_MS} ${what}`);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  get entries(): readonly string[] {
    return this.lines;
  }
}
