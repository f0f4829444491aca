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
    this.lines.push(`${Date.now() % 1_000_000} ${what}`);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  get entries(): readonly string[] {
    return this.lines;
  }
}
