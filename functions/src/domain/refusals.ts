/**
 * Why the backend refuses a legitimate-looking request, as typed errors with
 * messages a person can act on. Handlers map them to HttpsError codes.
 */

export class Refusal extends Error {}

export class RateLimited extends Refusal {
  constructor(
    readonly action: string,
    readonly retryAfterMs: number,
  ) {
    super(`Too many ${action} requests in a short time. Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`);
  }
}

export class Banned extends Refusal {
  constructor(readonly untilMs: number) {
    super(
      `You can't meet people on Parley for now: several people reported you. You can try again after ${new Date(untilMs).toISOString()}.`,
    );
  }
}

export class NotInCall extends Refusal {
  constructor() {
    super('No recent call with that id involves you. Report and Block work during a call and for an hour after it.');
  }
}

/** Pairing lost every race it ran (a stampede in one room); nothing was written. */
export class Contended extends Refusal {
  constructor(message = 'Many people pressed Start at the same moment and we could not place you. Try again in a second.') {
    super(message);
  }
}
