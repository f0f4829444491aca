import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  banUntil,
  bothConnectedMs,
  DEFAULT_BAN_POLICY,
  localAllowance,
  MAX_BLOCKED,
  parseBlockRequest,
  parseReportRequest,
  partnerOf,
  strikeCounts,
  takeLocal,
  takeRate,
  withBlocked,
  type BanPolicy,
  type LocalWindow,
  type RatePolicy,
  type RateWindow,
  type Strike,
} from '../../../../functions/src/domain/moderation.js';
import { MAX_CALL_ID_LENGTH, WHOLE_REQUEST } from '../../../../functions/src/domain/requests.js';
import { REPORT_REASONS } from '../../../../functions/src/protocol/moderation.js';
import { assertInvalid } from '../../support/assert-invalid.js';

const NOW = 1_700_000_000_000;
const HOUR = 3600_000;
const CALL = 'AbCdEfGhIjKlMnOpQrSt';

/** Call ids that must be refused: wrong type, empty, bad characters, too long. */
/** Ids report and block refuse; the limit their refusal states (only when the id was too long). */
const BAD_CALL_IDS: ReadonlyArray<readonly [string, unknown, number?]> = [
  ['a number', 12345],
  ['null', null],
  ['an object', { id: CALL }],
  ['an empty string', ''],
  ['a path separator', 'calls/abc'],
  ['a dash', 'abc-def'],
  ['an underscore', 'abc_def'],
  ['a space', 'abc def'],
  ['a trailing newline', 'abc\n'],
  ['a non-ASCII letter', 'abcé'],
  ['65 characters', 'a'.repeat(65), MAX_CALL_ID_LENGTH],
];

describe('REPORT_REASONS', () => {
  it('is the fixed list moderators sort by', () => {
    assert.deepEqual([...REPORT_REASONS], ['nudity', 'harassment', 'hate', 'underage', 'spam', 'other']);
  });
});

describe('parseReportRequest', () => {
  for (const reason of REPORT_REASONS) {
    it(`accepts the reason "${reason}"`, () => {
      assert.deepEqual(parseReportRequest({ callId: CALL, reason }), { callId: CALL, reason });
    });
  }

  it('accepts a one-character call id', () => {
    assert.deepEqual(parseReportRequest({ callId: 'x', reason: 'spam' }), { callId: 'x', reason: 'spam' });
  });

  it('accepts a call id of exactly 64 characters', () => {
    const callId = 'Z9'.repeat(32);
    assert.equal(callId.length, 64);
    assert.deepEqual(parseReportRequest({ callId, reason: 'other' }), { callId, reason: 'other' });
  });

  it('returns only callId and reason', () => {
    assert.deepEqual(Object.keys(parseReportRequest({ reason: 'hate', callId: CALL })).sort(), ['callId', 'reason']);
  });

  for (const [label, data] of [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'spam'],
    ['a number', 7],
    ['a boolean', true],
    ['an array', [CALL, 'spam']],
    ['an empty array', []],
  ] as const) {
    it(`rejects ${label} and says what shape it expects`, () => {
      assertInvalid(() => parseReportRequest(data), /report expects an object: \{ callId, reason \}/, WHOLE_REQUEST);
    });
  }

  it('rejects an unknown field, saying what it takes (not what it got)', () => {
    assertInvalid(
      () => parseReportRequest({ callId: CALL, reason: 'spam', uid: 'victim' }),
      /^The report has a field it does not take \(it takes only callId, reason\)\.$/,
      WHOLE_REQUEST,
    );
  });

  it('rejects several unknown fields alike', () => {
    assertInvalid(() => parseReportRequest({ callId: CALL, reason: 'spam', a: 1, b: 2 }), /does not take/, WHOLE_REQUEST);
  });

  it('rejects a missing callId and says what it should be', () => {
    assertInvalid(
      () => parseReportRequest({ reason: 'spam' }),
      /A report needs "callId": the id of your current or last call/,
      'callId',
    );
  });

  for (const [label, callId, limit] of BAD_CALL_IDS) {
    it(`rejects a callId that is ${label}`, () => {
      assertInvalid(() => parseReportRequest({ callId, reason: 'spam' }), /A report needs "callId"/, 'callId', limit);
    });
  }

  it('checks the callId before the reason', () => {
    assertInvalid(() => parseReportRequest({ callId: 'bad/id', reason: 'nope' }), /needs "callId"/, 'callId');
  });

  it('rejects a missing reason and lists the choices', () => {
    assertInvalid(
      () => parseReportRequest({ callId: CALL }),
      /^"reason" must be one of nudity, harassment, hate, underage, spam, other\.$/,
      'reason',
    );
  });

  for (const reason of ['rude', 'Spam', ' spam', 'spam ', '', 'toString', 'constructor']) {
    it(`rejects the reason ${JSON.stringify(reason)} that is not in the list`, () => {
      assertInvalid(() => parseReportRequest({ callId: CALL, reason }), /"reason" must be one of nudity, /, 'reason');
    });
  }

  for (const [label, reason] of [
    ['a number', 1],
    ['null', null],
    ['a boolean', true],
    ['an array holding a valid reason', ['spam']],
    ['an object', { reason: 'spam' }],
  ] as const) {
    it(`rejects a reason that is ${label}`, () => {
      assertInvalid(() => parseReportRequest({ callId: CALL, reason }), /"reason" must be one of/, 'reason');
    });
  }
});

describe('parseBlockRequest', () => {
  it('accepts a call id', () => {
    assert.deepEqual(parseBlockRequest({ callId: CALL }), { callId: CALL });
  });

  it('accepts call ids of 1 and 64 characters', () => {
    assert.deepEqual(parseBlockRequest({ callId: '0' }), { callId: '0' });
    const long = 'q'.repeat(64);
    assert.deepEqual(parseBlockRequest({ callId: long }), { callId: long });
  });

  for (const [label, data] of [
    ['undefined', undefined],
    ['null', null],
    ['a string', CALL],
    ['a number', 0],
    ['an array', [CALL]],
  ] as const) {
    it(`rejects ${label} and says what shape it expects`, () => {
      assertInvalid(() => parseBlockRequest(data), /block expects an object: \{ callId \}/, WHOLE_REQUEST);
    });
  }

  it('rejects an unknown field, saying what it takes', () => {
    assertInvalid(
      () => parseBlockRequest({ callId: CALL, uid: 'x' }),
      /^The block request has a field it does not take \(it takes only callId\)\.$/,
      WHOLE_REQUEST,
    );
  });

  it('rejects a reason, which only reports take', () => {
    assertInvalid(() => parseBlockRequest({ callId: CALL, reason: 'spam' }), /does not take/, WHOLE_REQUEST);
  });

  it('rejects a missing callId and says what it should be', () => {
    assertInvalid(() => parseBlockRequest({}), /Blocking needs "callId": the id of your current or last call/, 'callId');
  });

  for (const [label, callId, limit] of BAD_CALL_IDS) {
    it(`rejects a callId that is ${label}`, () => {
      assertInvalid(() => parseBlockRequest({ callId }), /Blocking needs "callId"/, 'callId', limit);
    });
  }
});

describe('partnerOf', () => {
  it('returns the other member for the first one', () => {
    assert.equal(partnerOf(['alice', 'bob'], 'alice'), 'bob');
  });

  it('returns the other member for the second one', () => {
    assert.equal(partnerOf(['alice', 'bob'], 'bob'), 'alice');
  });

  it('returns null for someone not in the call', () => {
    assert.equal(partnerOf(['alice', 'bob'], 'mallory'), null);
  });

  it('returns null for an empty list', () => {
    assert.equal(partnerOf([], 'alice'), null);
  });

  it('returns null for a one-person list, even when it is the caller', () => {
    assert.equal(partnerOf(['alice'], 'alice'), null);
  });

  it('returns null for a three-person list the caller is in', () => {
    assert.equal(partnerOf(['alice', 'bob', 'carol'], 'alice'), null);
    assert.equal(partnerOf(['alice', 'bob', 'carol'], 'carol'), null);
  });

  it('never names the caller as their own partner in a self-call', () => {
    const partner = partnerOf(['alice', 'alice'], 'alice');
    assert.notEqual(partner, 'alice');
    assert.equal(partner, null);
  });

  it('returns null for a self-call of somebody else', () => {
    assert.equal(partnerOf(['bob', 'bob'], 'alice'), null);
  });
});

describe('DEFAULT_BAN_POLICY', () => {
  it('bans for a day after three different people within a day: accounts 10 minutes old, calls of 5 s', () => {
    assert.deepEqual(DEFAULT_BAN_POLICY, {
      people: 3,
      windowMs: 24 * HOUR,
      banMs: 24 * HOUR,
      minReporterAgeMs: 10 * 60_000,
      minCallMs: 5_000,
    });
  });
});

/** A report that counts: an hour-old account on a network of its own (named after it), a one-minute call. */
function strike(reporter: string, agoMs: number, facts: Partial<Strike> = {}): Strike {
  return { reporter, network: `net-${reporter}`, atMs: NOW - agoMs, reporterAgeMs: HOUR, callMs: 60_000, ...facts };
}

describe('banUntil', () => {
  const at = (reporter: string, agoMs: number) => strike(reporter, agoMs);

  it('does not ban without reports', () => {
    assert.equal(banUntil([], NOW), null);
  });

  it('does not ban after two distinct reporters', () => {
    assert.equal(banUntil([at('a', HOUR), at('b', 1)], NOW), null);
  });

  it('bans until now + banMs after three distinct reporters', () => {
    assert.equal(banUntil([at('a', 3 * HOUR), at('b', HOUR), at('c', 0)], NOW), NOW + DEFAULT_BAN_POLICY.banMs);
  });

  it('bans after more than three distinct reporters too', () => {
    const reports = ['a', 'b', 'c', 'd', 'e'].map((r, i) => at(r, i * 1000));
    assert.equal(banUntil(reports, NOW), NOW + 24 * HOUR);
  });

  it('never bans on one person reporting ten times', () => {
    const reports = Array.from({ length: 10 }, (_, i) => at('angry', i * 60_000));
    assert.equal(banUntil(reports, NOW), null);
  });

  it('does not ban on two people reporting many times each', () => {
    const reports = Array.from({ length: 10 }, (_, i) => at(i % 2 === 0 ? 'a' : 'b', i * 60_000));
    assert.equal(banUntil(reports, NOW), null);
  });

  it('does not count reports older than the window', () => {
    const reports = [at('a', 25 * HOUR), at('b', 48 * HOUR), at('c', HOUR)];
    assert.equal(banUntil(reports, NOW), null);
  });

  it('does not count a reporter whose only report lies outside the window', () => {
    const reports = [at('a', HOUR), at('a', 30 * HOUR), at('b', HOUR), at('c', 30 * HOUR)];
    assert.equal(banUntil(reports, NOW), null);
  });

  it('counts a reporter once one of their reports lies inside the window', () => {
    const reports = [at('a', 30 * HOUR), at('a', HOUR), at('b', HOUR), at('c', 2 * HOUR)];
    assert.equal(banUntil(reports, NOW), NOW + 24 * HOUR);
  });

  it('treats a report exactly windowMs old as outside the window', () => {
    const reports = [at('a', 24 * HOUR), at('b', HOUR), at('c', HOUR)];
    assert.equal(banUntil(reports, NOW), null);
  });

  it('treats a report one millisecond younger than windowMs as inside the window', () => {
    const reports = [at('a', 24 * HOUR - 1), at('b', HOUR), at('c', HOUR)];
    assert.equal(banUntil(reports, NOW), NOW + 24 * HOUR);
  });

  it('follows a custom policy: reporters, window and ban length', () => {
    const policy: BanPolicy = { ...DEFAULT_BAN_POLICY, people: 2, windowMs: 10_000, banMs: 5_000 };
    assert.equal(banUntil([at('a', 1_000)], NOW, policy), null);
    assert.equal(banUntil([at('a', 1_000), at('b', 9_999)], NOW, policy), NOW + 5_000);
    assert.equal(banUntil([at('a', 1_000), at('b', 10_000)], NOW, policy), null);
    assert.equal(banUntil([at('a', 1_000), at('b', 2_000), at('c', 3_000)], NOW, policy), NOW + 5_000);
  });

  it('does not fall back to the default policy when a custom one is given', () => {
    const strict: BanPolicy = { ...DEFAULT_BAN_POLICY, people: 4, banMs: HOUR };
    const three = [at('a', 1), at('b', 2), at('c', 3)];
    assert.equal(banUntil(three, NOW, strict), null);
    assert.equal(banUntil([...three, at('d', 4)], NOW, strict), NOW + HOUR);
  });

  it('does not modify the reports it is given', () => {
    const reports = [at('a', 1), at('b', 2), at('c', 3)];
    const before = structuredClone(reports);
    banUntil(reports, NOW);
    assert.deepEqual(reports, before);
  });
});

describe('banUntil: one person with many accounts (the attack of the issue)', () => {
  it('never bans on any number of accounts from one network', () => {
    const reports = Array.from({ length: 20 }, (_, i) => strike(`sybil${i}`, i * 1000, { network: 'one-home' }));
    assert.equal(banUntil(reports, NOW), null);
  });

  it('never bans on fresh accounts, however many networks they use', () => {
    const fresh = ['a', 'b', 'c', 'd'].map((r) => strike(r, 1000, { reporterAgeMs: 60_000 }));
    assert.equal(banUntil(fresh, NOW), null);
  });

  it('counts an account exactly minReporterAgeMs old, not one a millisecond younger', () => {
    const age = DEFAULT_BAN_POLICY.minReporterAgeMs;
    const two = [strike('a', 1), strike('b', 2)];
    assert.equal(banUntil([...two, strike('c', 3, { reporterAgeMs: age - 1 })], NOW), null);
    assert.equal(banUntil([...two, strike('c', 3, { reporterAgeMs: age })], NOW), NOW + DEFAULT_BAN_POLICY.banMs);
  });

  it('never bans on reports of calls that were not connected for minCallMs', () => {
    const min = DEFAULT_BAN_POLICY.minCallMs;
    const two = [strike('a', 1), strike('b', 2)];
    assert.equal(banUntil([...two, strike('c', 3, { callMs: 0 })], NOW), null, 'never answered');
    assert.equal(banUntil([...two, strike('c', 3, { callMs: min - 1 })], NOW), null);
    assert.equal(banUntil([...two, strike('c', 3, { callMs: min })], NOW), NOW + DEFAULT_BAN_POLICY.banMs);
  });

  it('does not count a report whose network or account age is unknown', () => {
    const two = [strike('a', 1), strike('b', 2)];
    assert.equal(banUntil([...two, strike('c', 3, { network: null })], NOW), null);
    assert.equal(banUntil([...two, strike('c', 3, { reporterAgeMs: null })], NOW), null);
  });

  it('needs as many networks as accounts: two homes, five accounts, no ban', () => {
    const reports = ['a', 'b', 'c', 'd', 'e'].map((r, i) => strike(r, i, { network: i % 2 === 0 ? 'home' : 'office' }));
    assert.equal(banUntil(reports, NOW), null);
  });

  it('needs as many accounts as networks: one account reporting from three networks does not ban', () => {
    const reports = ['n1', 'n2', 'n3'].map((network, i) => strike('roamer', i, { network }));
    assert.equal(banUntil(reports, NOW), null);
  });

  it('bans once a third genuine person reports, whatever the fresh accounts did before', () => {
    const sybils = Array.from({ length: 5 }, (_, i) => strike(`s${i}`, 10, { network: 'a', reporterAgeMs: 1000, callMs: 100 }));
    assert.equal(banUntil([...sybils, strike('x', 1), strike('y', 2)], NOW), null);
    assert.equal(banUntil([...sybils, strike('x', 1), strike('y', 2), strike('z', 3)], NOW), NOW + DEFAULT_BAN_POLICY.banMs);
  });

  it('follows a custom policy for account age and call length', () => {
    const lax: BanPolicy = { ...DEFAULT_BAN_POLICY, minReporterAgeMs: 0, minCallMs: 0 };
    const reports = ['a', 'b', 'c'].map((r) => strike(r, 1, { reporterAgeMs: 0, callMs: 0 }));
    assert.equal(banUntil(reports, NOW), null);
    assert.equal(banUntil(reports, NOW, lax), NOW + DEFAULT_BAN_POLICY.banMs);
  });
});

describe('strikeCounts', () => {
  it('is true for an old enough account, a long enough call and a known network', () => {
    assert.equal(strikeCounts(strike('a', 0)), true);
  });

  it('is false when any of the three is missing', () => {
    assert.equal(strikeCounts(strike('a', 0, { network: null })), false);
    assert.equal(strikeCounts(strike('a', 0, { reporterAgeMs: 0 })), false);
    assert.equal(strikeCounts(strike('a', 0, { callMs: 0 })), false);
  });
});

describe('bothConnectedMs', () => {
  const members = ['joiner', 'waiter'] as const;

  it('is 0 unless both members recorded that their link connected: mailboxes, answers and candidates are no evidence', () => {
    assert.equal(bothConnectedMs(members, {}, null, NOW), 0, 'neither');
    // The point 6: the reported person never connected; only the reporter says so.
    assert.equal(bothConnectedMs(members, { joiner: NOW - 60_000 }, null, NOW), 0, 'only the joiner');
    assert.equal(bothConnectedMs(members, { waiter: NOW - 60_000 }, NOW - 1000, NOW), 0, 'only the waiter');
    // Someone else's record (a third uid) stands for neither member.
    assert.equal(bothConnectedMs(members, { joiner: NOW - 60_000, mallory: NOW - 60_000 }, null, NOW), 0);
  });

  it('runs from the later of the two records to now while the call goes on', () => {
    assert.equal(bothConnectedMs(members, { joiner: NOW - 9000, waiter: NOW - 7000 }, null, NOW), 7000);
    assert.equal(bothConnectedMs(members, { joiner: NOW - 7000, waiter: NOW - 9000 }, null, NOW), 7000);
  });

  it('runs to the end once the call ended, however late it is weighed', () => {
    assert.equal(bothConnectedMs(members, { joiner: NOW - 70_000, waiter: NOW - 69_000 }, NOW - 10_000, NOW + HOUR), 59_000);
  });

  it('is never negative (a record stored after the end was taken)', () => {
    assert.equal(bothConnectedMs(members, { joiner: NOW, waiter: NOW - 5 }, NOW - 5, NOW), 0);
  });

  it('is 0 for anything but two members, and for records that are not times', () => {
    assert.equal(bothConnectedMs(['joiner'], { joiner: NOW - 9000 }, null, NOW), 0);
    assert.equal(bothConnectedMs(['a', 'b', 'c'], { a: NOW - 9000, b: NOW - 9000, c: NOW - 9000 }, null, NOW), 0);
    assert.equal(bothConnectedMs(members, { joiner: NOW - 9000, waiter: Number.NaN }, null, NOW), 0);
    // An inherited key is no record: only the members' own entries count.
    const inherited = Object.create({ waiter: NOW - 9000 }) as Record<string, number>;
    inherited['joiner'] = NOW - 9000;
    assert.equal(bothConnectedMs(members, inherited, null, NOW), 0);
  });
});

describe('takeRate', () => {
  const policy: RatePolicy = { max: 3, windowMs: 60_000 };

  it('allows the first call and opens a window now', () => {
    assert.deepEqual(takeRate(null, NOW, policy), { allowed: true, next: { windowStartMs: NOW, count: 1 } });
  });

  it('allows calls up to max within the window, keeping the window start', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 1 }, NOW + 10_000, policy), {
      allowed: true,
      next: { windowStartMs: NOW, count: 2 },
    });
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 2 }, NOW + 59_999, policy), {
      allowed: true,
      next: { windowStartMs: NOW, count: 3 },
    });
  });

  it('allows exactly max calls in a row and denies the next', () => {
    let current: RateWindow | null = null;
    const decisions: boolean[] = [];
    for (let i = 0; i < policy.max + 1; i++) {
      const decision = takeRate(current, NOW + i * 1000, policy);
      decisions.push(decision.allowed);
      if (decision.allowed) current = decision.next;
    }
    assert.deepEqual(decisions, [true, true, true, false]);
  });

  it('denies call max+1 and says exactly when the window ends', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 3 }, NOW + 15_000, policy), {
      allowed: false,
      retryAfterMs: 45_000,
    });
  });

  it('denies at the very start of a full window with the whole window to wait', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 3 }, NOW, policy), { allowed: false, retryAfterMs: 60_000 });
  });

  it('denies one millisecond before the window ends with 1 ms to wait', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 3 }, NOW + 59_999, policy), {
      allowed: false,
      retryAfterMs: 1,
    });
  });

  it('starts a new window when exactly windowMs has elapsed', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 3 }, NOW + 60_000, policy), {
      allowed: true,
      next: { windowStartMs: NOW + 60_000, count: 1 },
    });
  });

  it('starts a new window long after the old one, even below max', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 1 }, NOW + 10 * 60_000, policy), {
      allowed: true,
      next: { windowStartMs: NOW + 10 * 60_000, count: 1 },
    });
  });

  it('does not modify the window it is given', () => {
    const current = { windowStartMs: NOW, count: 1 };
    takeRate(current, NOW + 1, policy);
    assert.deepEqual(current, { windowStartMs: NOW, count: 1 });
  });

  it('with max 1 allows one call per window', () => {
    const one: RatePolicy = { max: 1, windowMs: 1_000 };
    const first = takeRate(null, NOW, one);
    assert.ok(first.allowed);
    assert.deepEqual(takeRate(first.next, NOW + 999, one), { allowed: false, retryAfterMs: 1 });
    assert.equal(takeRate(first.next, NOW + 1_000, one).allowed, true);
  });
});

describe('takeRate with calls carried from an instance', () => {
  const policy: RatePolicy = { max: 10, windowMs: 60_000 };

  it('adds the carried calls to the count, and to a new window', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 3 }, NOW + 1000, policy, 2), {
      allowed: true,
      next: { windowStartMs: NOW, count: 6 },
    });
    assert.deepEqual(takeRate(null, NOW, policy, 2), { allowed: true, next: { windowStartMs: NOW, count: 3 } });
  });

  it('allows the call only if the window has room for it after the carried ones', () => {
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 7 }, NOW, policy, 2), {
      allowed: true,
      next: { windowStartMs: NOW, count: 10 },
    });
    assert.deepEqual(takeRate({ windowStartMs: NOW, count: 8 }, NOW + 20_000, policy, 2), {
      allowed: false,
      retryAfterMs: 40_000,
    });
  });
});

describe('takeLocal', () => {
  const policy: RatePolicy = { max: 10, windowMs: 60_000 };

  it('gives a fifth of the limit, rounded down', () => {
    assert.equal(localAllowance({ max: 30, windowMs: 60_000 }), 6);
    assert.equal(localAllowance({ max: 10, windowMs: 60_000 }), 2);
    assert.equal(localAllowance({ max: 4, windowMs: 60_000 }), 0);
  });

  it('admits on the instance up to the allowance, then asks for a shared count carrying them', () => {
    let window: LocalWindow | null = null;
    const kinds: string[] = [];
    for (let i = 0; i < 7; i++) {
      const d = takeLocal(window, NOW + i, policy, 2);
      kinds.push(d.kind === 'record' ? `record ${d.carried}` : d.kind);
      if (d.kind !== 'refused') window = d.next;
    }
    assert.deepEqual(kinds, ['local', 'local', 'record 2', 'local', 'local', 'record 2', 'local']);
  });

  it('with no allowance counts every call in the shared window', () => {
    const first = takeLocal(null, NOW, policy, 0);
    assert.deepEqual(first, { kind: 'record', carried: 0, next: { startMs: NOW, admitted: 1, unrecorded: 0 } });
  });

  it('refuses once the instance alone admitted max in its window, until the window ends', () => {
    const full: LocalWindow = { startMs: NOW, admitted: 10, unrecorded: 1 };
    assert.deepEqual(takeLocal(full, NOW + 15_000, policy, 2), { kind: 'refused', retryAfterMs: 45_000 });
    assert.deepEqual(takeLocal(full, NOW + 60_000, policy, 2), {
      kind: 'local',
      next: { startMs: NOW + 60_000, admitted: 1, unrecorded: 1 },
    });
  });

  /**
   * n instances taking `requests` calls in turn within one window, against
   * one shared window, as the RequestGate does (an instance that saw the
   * shared window full refuses until it ends): how many were admitted.
   */
  function admitted(instances: number, requests: number, allowance: number): number {
    const locals: Array<LocalWindow | null> = Array.from({ length: instances }, () => null);
    const full = Array.from({ length: instances }, () => false);
    let shared: RateWindow | null = null;
    let count = 0;
    for (let i = 0; i < requests; i++) {
      const at = i % instances;
      if (full[at]) continue;
      const d = takeLocal(locals[at]!, NOW + i, policy, allowance);
      if (d.kind === 'refused') continue;
      locals[at] = d.next;
      if (d.kind === 'local') {
        count++;
        continue;
      }
      const r = takeRate(shared, NOW + i, policy, d.carried);
      if (r.allowed) {
        shared = r.next;
        count++;
      } else full[at] = true;
    }
    return count;
  }

  it('lets one instance admit exactly max in a window, as the shared window alone would', () => {
    assert.equal(admitted(1, 100, 2), 10);
    assert.equal(admitted(1, 100, 0), 10);
  });

  it('lets n instances admit at most max + n × allowance in a window', () => {
    for (const n of [2, 3, 5]) {
      const got = admitted(n, 200, 2);
      assert.ok(got >= policy.max && got <= policy.max + n * 2, `${n} instances admitted ${got}`);
    }
  });
});

describe('withBlocked', () => {
  it('is 1000 by default', () => {
    assert.equal(MAX_BLOCKED, 1000);
  });

  it('blocks into an empty list', () => {
    assert.deepEqual(withBlocked([], 'x'), ['x']);
  });

  it('appends a new uid at the end', () => {
    assert.deepEqual(withBlocked(['a', 'b'], 'c'), ['a', 'b', 'c']);
  });

  it('moves an already blocked uid to the end without duplicating it', () => {
    assert.deepEqual(withBlocked(['a', 'b', 'c'], 'a'), ['b', 'c', 'a']);
  });

  it('keeps a list unchanged when the uid is already last', () => {
    assert.deepEqual(withBlocked(['a', 'b'], 'b'), ['a', 'b']);
  });

  it('collapses duplicates of the uid already in the list', () => {
    assert.deepEqual(withBlocked(['a', 'x', 'b', 'x'], 'x'), ['a', 'b', 'x']);
  });

  it('drops the oldest when the cap is exceeded', () => {
    assert.deepEqual(withBlocked(['a', 'b', 'c'], 'd', 3), ['b', 'c', 'd']);
  });

  it('keeps everything when the result is exactly at the cap', () => {
    assert.deepEqual(withBlocked(['a', 'b'], 'c', 3), ['a', 'b', 'c']);
  });

  it('does not drop anyone when re-blocking in a full list', () => {
    assert.deepEqual(withBlocked(['a', 'b', 'c'], 'a', 3), ['b', 'c', 'a']);
  });

  it('trims an over-long list down to the cap, keeping the newest', () => {
    assert.deepEqual(withBlocked(['a', 'b', 'c', 'd', 'e'], 'f', 2), ['e', 'f']);
  });

  it('caps at MAX_BLOCKED by default', () => {
    const full = Array.from({ length: MAX_BLOCKED }, (_, i) => `u${i}`);
    const next = withBlocked(full, 'new');
    assert.equal(next.length, MAX_BLOCKED);
    assert.equal(next[0], 'u1');
    assert.equal(next[MAX_BLOCKED - 1], 'new');
    assert.ok(!next.includes('u0'));
  });

  it('does not cap below MAX_BLOCKED by default', () => {
    const almost = Array.from({ length: MAX_BLOCKED - 1 }, (_, i) => `u${i}`);
    const next = withBlocked(almost, 'new');
    assert.equal(next.length, MAX_BLOCKED);
    assert.equal(next[0], 'u0');
  });

  it('does not modify its input and returns a new array', () => {
    const input = Object.freeze(['a', 'b', 'c']);
    const next = withBlocked(input, 'a', 2);
    assert.deepEqual(input, ['a', 'b', 'c']);
    assert.notEqual(next, input);
    const unfrozen = ['a', 'b'];
    const appended = withBlocked(unfrozen, 'c');
    assert.deepEqual(unfrozen, ['a', 'b']);
    assert.notEqual(appended, unfrozen);
  });
});
