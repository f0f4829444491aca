/**
 * The message table is complete: every code the flows, the engine and the
 * server produce has words, at every place it is shown. Each list of codes
 * is iterated from where the codes are declared, so a new code without
 * words fails here (and, through the tables' Record types, in tsc).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import { REPORT_REASONS, ROOMS, type RoomId } from '@parley/functions/protocol';
import { LinkState } from '../../../../web/src/engine/peer-link.js';
import { FindingId, FindingValueCode, type FindingValue } from '../../../../web/src/flows/check-findings.js';
import type { LinkCallState, LinkCallStatus } from '../../../../web/src/flows/link-call-state.js';
import { PROBLEM_CODES, type Problem, type ProblemCode } from '../../../../web/src/flows/problems.js';
import { RandomChatStatus, type RandomChatState } from '../../../../web/src/flows/random-chat-state.js';
import type { ModerationNotice } from '../../../../web/src/flows/random-chat.js';
import { VerdictCode, type Verdict } from '../../../../web/src/flows/verdict.js';
import {
  cameraLossText,
  formatUntil,
  formatWait,
  LABELS,
  MODERATION_BUTTON,
  moderationNoticeText,
  problemWords,
  randomChatStatusText,
  REFUSAL_CODES,
  ROOM_NAMES,
  roomCountText,
  roomOptionLabel,
  type ProblemPlace,
} from '../../../../web/src/elements/messages.js';
import {
  guestName,
  linkCallStatusText,
  memberJoinedText,
  memberLeftText,
  memberName,
  TILE_STATE,
  tileCaption,
} from '../../../../web/src/elements/call-messages.js';
import { FINDING_LABELS, findingValueText, verdictWords } from '../../../../web/src/elements/check-messages.js';
import {
  chatAuthorName,
  chatEmptyText,
  CONFIRM_WORDS,
  deliveryText,
  IN_CALL_LABELS,
  REASON_LABELS,
  SEND_REFUSAL,
  unreadText,
} from '../../../../web/src/elements/in-call-messages.js';
import { FRONT_DOOR, PAGE_LINKS } from '../../../../web/src/elements/front-door-messages.js';

const PLACES: readonly ProblemPlace[] = ['random', 'call', 'check'];

function assertWords(text: string, what: string): void {
  assert.equal(typeof text, 'string', what);
  assert.ok(text.trim().length > 0, `${what} has words`);
  assert.doesNotMatch(text, /undefined|null|NaN|\[object/, `${what} is whole: ${text}`);
}

/** One problem of each code, with parameters; the type makes a new code without an example fail to compile. */
const PROBLEMS: { readonly [C in ProblemCode]: readonly (Problem & { readonly code: C })[] } = {
  'camera-denied': [{ code: 'camera-denied' }],
  'no-camera': [{ code: 'no-camera' }],
  'camera-busy': [{ code: 'camera-busy' }],
  'insecure-context': [{ code: 'insecure-context' }],
  'media-unknown': [
    { code: 'media-unknown', error: 'NotReadableError' },
    { code: 'media-unknown', error: '' },
  ],
  'backend-unreachable': [{ code: 'backend-unreachable' }],
  'rate-limited': [
    { code: 'rate-limited', retryAfterMs: 12_000 },
    { code: 'rate-limited', retryAfterMs: null },
  ],
  banned: [
    { code: 'banned', until: Date.now() + 3_600_000 },
    { code: 'banned', until: null },
  ],
  rejected: [...REFUSAL_CODES, 'invalid-request', 'constructor', null].map((reason) => ({ code: 'rejected', reason }) as const),
  'connection-failed': [{ code: 'connection-failed' }],
  'relay-unreachable': [{ code: 'relay-unreachable' }],
  'connection-lost': [
    { code: 'connection-lost', side: 'theirs' },
    { code: 'connection-lost', side: 'ours' },
  ],
};

describe('problem words', () => {
  it('every ProblemCode has a message and a hint at every place', () => {
    for (const code of PROBLEM_CODES) {
      const examples = PROBLEMS[code];
      assert.ok(examples.length > 0, `an example of ${code}`);
      for (const problem of examples) {
        for (const place of PLACES) {
          const words = problemWords(problem, place);
          assertWords(words.message, `${JSON.stringify(problem)} at ${place}: message`);
          assertWords(words.hint, `${JSON.stringify(problem)} at ${place}: hint`);
          assert.match(words.message, /^[A-Z"'].*[.!]$/s, `a sentence: ${words.message}`);
        }
      }
    }
  });

  it("names each page's own button: Start on random chat, Check on the connection check", () => {
    const denied = { code: 'camera-denied' } as const;
    assert.equal(
      problemWords(denied, 'random').hint,
      'Allow them for this site (the camera icon in the address bar), then press Start again.',
    );
    assert.equal(
      problemWords(denied, 'check').hint,
      'Allow them for this site (the camera icon in the address bar), then press Check again.',
    );
    // The check shows what getUserMedia and the backend say; calls never run there.
    const onTheCheck = PROBLEM_CODES.filter((c) => !c.startsWith('connection-') && c !== 'relay-unreachable');
    for (const code of onTheCheck) {
      for (const problem of PROBLEMS[code]) assert.doesNotMatch(problemWords(problem, 'check').hint, /press (Start|Next|Join)/);
    }
  });

  it('says when to try again, and until when a suspension lasts', () => {
    assert.equal(
      problemWords({ code: 'rate-limited', retryAfterMs: 12_000 }).hint,
      `Wait ${formatWait(12_000)}, then press Start again.`,
    );
    assert.match(formatWait(12_000), /12/);
    assert.match(formatWait(11_001), /12/, 'rounded up');
    assert.match(formatWait(5 * 60_000), /5/);
    assert.equal(problemWords({ code: 'rate-limited', retryAfterMs: null }).hint, 'Wait a little, then press Start again.');
    const until = Date.UTC(2030, 4, 3, 14, 5);
    assert.equal(problemWords({ code: 'banned', until }).message, `You can't meet people on Parley until ${formatUntil(until)}.`);
    assert.match(formatUntil(until, until - 60_000), /\d{1,2}:05/, 'today: the time');
    assert.match(formatUntil(until, until - 7 * 86_400_000), /2030/, 'another day: the date too');
    assert.equal(problemWords({ code: 'banned', until: null }).message, "You can't meet people on Parley for now.");
  });

  it("words the server's refusals itself, and an unknown one as a plain refusal", () => {
    assert.equal(problemWords({ code: 'rejected', reason: 'made-up' }).message, 'Parley refused the request.');
    assert.equal(problemWords({ code: 'rejected', reason: 'constructor' }).message, 'Parley refused the request.');
    assert.match(problemWords({ code: 'rejected', reason: 'not-in-call' }).hint, /an hour after/);
    assert.match(problemWords({ code: 'rejected', reason: 'contended' }, 'call').message, /this call/);
  });

  it('keeps the media error name, and the side of a lost connection', () => {
    assert.equal(
      problemWords({ code: 'media-unknown', error: 'WeirdNewError' }).message,
      'The camera could not be started (WeirdNewError).',
    );
    assert.equal(problemWords({ code: 'media-unknown', error: '' }).message, 'The camera could not be started (unknown error).');
    assert.match(problemWords({ code: 'connection-lost', side: 'theirs' }).message, /their side/);
    assert.match(problemWords({ code: 'connection-lost', side: 'ours' }).message, /Your device went offline/);
    assert.match(problemWords({ code: 'relay-unreachable' }).message, /Hide my IP is on/);
    assert.match(problemWords({ code: 'connection-failed' }, 'call').message, /this person/);
  });
});

describe('random chat', () => {
  const failed: Problem = { code: 'connection-lost', side: 'theirs' };
  const STATES: { readonly [S in RandomChatStatus]: readonly (RandomChatState & { readonly status: S })[] } = {
    idle: [{ status: 'idle' }],
    'requesting-media': [{ status: 'requesting-media' }],
    'media-error': [{ status: 'media-error', problem: { code: 'camera-denied' } }],
    searching: [
      { status: 'searching', again: false, widened: false },
      { status: 'searching', again: true, widened: false },
      { status: 'searching', again: false, widened: true },
    ],
    connecting: [{ status: 'connecting' }],
    connected: [{ status: 'connected' }],
    reconnecting: [{ status: 'reconnecting' }],
    'partner-left': [{ status: 'partner-left' }],
    failed: [{ status: 'failed', problem: failed }],
    'ended-by-you': [
      { status: 'ended-by-you', action: 'report' },
      { status: 'ended-by-you', action: 'block' },
    ],
  };

  it('every status has a line', () => {
    for (const status of Object.values(RandomChatStatus)) {
      for (const state of STATES[status]) assertWords(randomChatStatusText(state, 'ta'), `status ${JSON.stringify(state)}`);
    }
  });

  it('says each as the page always has', () => {
    const cases: Array<[RandomChatState, string]> = [
      [{ status: 'idle' }, 'Pick a room and press Start.'],
      [{ status: 'requesting-media' }, 'Allow the camera and microphone to continue…'],
      [{ status: 'media-error', problem: { code: 'camera-denied' } }, 'Camera and microphone access was denied.'],
      [{ status: 'searching', again: false, widened: false }, 'Looking for someone…'],
      [{ status: 'searching', again: true, widened: false }, 'Looking for someone else…'],
      [{ status: 'searching', again: false, widened: true }, 'No one in தமிழ் yet — also looking in Anyone…'],
      [{ status: 'searching', again: true, widened: true }, 'No one in தமிழ் yet — also looking in Anyone…'],
      [{ status: 'connecting' }, 'Found someone. Connecting…'],
      [{ status: 'connected' }, 'Connected. Say hi!'],
      [{ status: 'reconnecting' }, 'Reconnecting… the connection dropped; trying to get it back.'],
      [{ status: 'partner-left' }, 'Stranger left. Press Next to meet someone else, or Stop.'],
      [
        { status: 'failed', problem: failed },
        'The connection to the stranger was lost, most likely on their side: your device is still online.',
      ],
      [
        { status: 'ended-by-you', action: 'report' },
        'Reported. The call is over and you will not be paired with this person again. Press Next to go on.',
      ],
      [
        { status: 'ended-by-you', action: 'block' },
        'Blocked. The call is over and you will not be paired with this person again. Press Next to go on.',
      ],
    ];
    for (const [state, text] of cases) assert.equal(randomChatStatusText(state, 'ta'), text, JSON.stringify(state));
  });

  it('every moderation notice, report reason and confirmation has words', () => {
    for (const action of ['report', 'block'] as const) {
      const notices: ModerationNotice[] = [
        { action, outcome: 'sending' },
        { action, outcome: 'done' },
        { action, outcome: 'failed', problem: { code: 'rejected', reason: 'not-in-call' } },
      ];
      for (const n of notices) assertWords(moderationNoticeText(n), `notice ${JSON.stringify(n)}`);
      for (const target of ['current', 'last'] as const) {
        const w = CONFIRM_WORDS[action][target];
        for (const text of [w.title(), w.consequence(), w.submit()]) assertWords(text, `${action} ${target} confirmation`);
        assertWords(MODERATION_BUTTON[action][target](), `${action} button for ${target}`);
      }
    }
    assert.equal(moderationNoticeText({ action: 'report', outcome: 'sending' }), 'Reporting the last stranger…');
    for (const reason of REPORT_REASONS) assertWords(REASON_LABELS[reason](), `reason ${reason}`);
    assert.equal(new Set(REPORT_REASONS.map((r) => REASON_LABELS[r]())).size, REPORT_REASONS.length, 'each reason its own label');
  });

  it('names every room, and words its counts', () => {
    for (const room of ROOMS) assertWords(ROOM_NAMES[room.id as RoomId](), `room ${room.id}`);
    assert.equal(roomCountText({ waiting: 1, chatting: 2 }, 'ta'), '1 waiting · 2 chatting in Tamil');
    assert.equal(roomCountText({ waiting: 1, chatting: 0 }, 'ta'), '1 waiting in Tamil');
    assert.equal(roomCountText({ waiting: 0, chatting: 0 }, 'any'), 'Nobody here right now');
    // Someone waiting in the room is never told nobody is there, before or after the count includes them.
    assert.equal(roomCountText({ waiting: 0, chatting: 0 }, 'ta', true), 'You are the only one waiting in Tamil');
    assert.equal(roomCountText({ waiting: 1, chatting: 0 }, 'ta', true), 'You are the only one waiting in Tamil');
    assert.equal(roomCountText({ waiting: 1, chatting: 2 }, 'ta', true), 'You are the only one waiting in Tamil · 2 chatting');
    assert.equal(roomCountText({ waiting: 2, chatting: 0 }, 'ta', true), 'You and 1 other are waiting in Tamil');
    assert.equal(roomCountText({ waiting: 4, chatting: 6 }, 'any', true), 'You and 3 others are waiting in Anyone · 6 chatting');
    assert.equal(roomOptionLabel('தமிழ்', { waiting: 1, chatting: 2 }), 'தமிழ் — 1 waiting · 2 chatting');
    assert.equal(roomOptionLabel('தமிழ்', { waiting: 0, chatting: 0 }), 'தமிழ்');
    assert.equal(roomOptionLabel('தமிழ்', null), 'தமிழ்');
  });
});

describe('calls by link', () => {
  const problem: Problem = { code: 'backend-unreachable' };
  const STATES: { readonly [S in LinkCallStatus]: LinkCallState & { readonly status: S } } = {
    idle: { status: 'idle' },
    creating: { status: 'creating' },
    checking: { status: 'checking', callId: 'x' },
    lobby: { status: 'lobby', callId: 'x', members: 2, capacity: 5 },
    joining: { status: 'joining', callId: 'x' },
    'in-call': { status: 'in-call', callId: 'x' },
    full: { status: 'full', callId: 'x', members: 5, capacity: 5 },
    ended: { status: 'ended', callId: 'x' },
    left: { status: 'left', callId: 'x' },
    'media-error': { status: 'media-error', callId: null, problem: { code: 'camera-busy' } },
    failed: { status: 'failed', callId: 'x', problem },
  };

  it('every status has a line but idle (the page has just opened: nothing to say yet)', () => {
    for (const [status, state] of Object.entries(STATES)) {
      const text = linkCallStatusText(state, 1);
      if (status === 'idle') assert.equal(text, '');
      else assertWords(text, `status ${status}`);
    }
  });

  it('says each as the page always has', () => {
    assert.equal(
      linkCallStatusText({ status: 'lobby', callId: 'x', members: 0, capacity: 5 }, 0),
      'Nobody is in this call right now. Join, and share the link.',
    );
    assert.equal(
      linkCallStatusText({ status: 'lobby', callId: 'x', members: 1, capacity: 5 }, 0),
      '1 of 5 in this call. Press Join when you are ready.',
    );
    assert.equal(linkCallStatusText({ status: 'left', callId: 'x' }, 0), 'You left the call.');
    assert.equal(
      linkCallStatusText({ status: 'joining', callId: 'x', again: true }, 0),
      'You were away for a while — joining the call again…',
    );
    assert.equal(linkCallStatusText({ status: 'in-call', callId: 'x' }, 0), 'Waiting for others — share this link.');
    assert.equal(linkCallStatusText({ status: 'in-call', callId: 'x' }, 1), 'In the call with 1 person (2 of 5).');
    assert.equal(linkCallStatusText({ status: 'in-call', callId: 'x' }, 3), 'In the call with 3 people (4 of 5).');
  });

  it('every link state has a tile caption', () => {
    for (const state of Object.values(LinkState)) {
      assertWords(TILE_STATE[state](), `tile ${state}`);
      const caption = tileCaption('Guest 2', state);
      assert.equal(caption, state === 'connected' ? 'Guest 2' : `Guest 2 · ${TILE_STATE[state]()}`);
    }
  });

  it('names a member by number, with a chosen name beside it, and says who joined and who left', () => {
    assert.equal(memberName(2, null), 'Guest 2');
    assert.equal(memberName(3, 'Asha'), 'Asha (Guest 3)');
    assert.equal(memberJoinedText('Guest 4'), 'Guest 4 joined the call.');
    assert.equal(memberLeftText('Asha (Guest 3)'), 'Asha (Guest 3) left the call.');
  });
});

describe('in the call: text chat', () => {
  it('names every author, keeping a chosen name beside the number', () => {
    assert.equal(chatAuthorName({ kind: 'you' }), 'You');
    assert.equal(chatAuthorName({ kind: 'stranger' }), 'Stranger');
    assert.equal(chatAuthorName({ kind: 'guest', number: 2, name: null }), 'Guest 2');
    assert.equal(chatAuthorName({ kind: 'guest', number: 3, name: 'Asha' }), 'Asha (Guest 3)');
    assert.equal(guestName(4), 'Guest 4');
  });

  it('words what became of a message, and says nothing once it is delivered', () => {
    assert.equal(deliveryText({ status: 'sending' }), 'Sending…');
    assert.equal(deliveryText({ status: 'delivered' }), '');
    assert.equal(deliveryText({ status: 'not-delivered', reached: 0, of: 1 }), 'Not delivered');
    assert.equal(deliveryText({ status: 'not-delivered', reached: 2, of: 3 }), 'Not delivered to everyone (2 of 3 got it)');
  });

  it('every refusal to send, the unread badge and the empty chat have words', () => {
    for (const [reason, words] of Object.entries(SEND_REFUSAL)) assertWords(words(1200), `refusal ${reason}`);
    assert.match(SEND_REFUSAL['too-long'](1200), /1,200 characters, at most 1,000/);
    assert.equal(unreadText(1), '1 unread message');
    assert.equal(unreadText(3), '3 unread messages');
    for (const kind of ['random', 'link'] as const) assertWords(chatEmptyText(kind), `empty ${kind} chat`);
  });
});

describe('the connection check', () => {
  const VERDICTS: { readonly [C in VerdictCode]: readonly (Verdict & { readonly code: C })[] } = {
    ready: [{ code: 'ready', level: 'good', help: null }],
    'relay-only': [{ code: 'relay-only', level: 'good', help: 'strict-firewall' }],
    'udp-blocked': [{ code: 'udp-blocked', level: 'warning', help: 'strict-firewall' }],
    'no-stun': [{ code: 'no-stun', level: 'good', help: null }],
    'no-relay': [
      { code: 'no-relay', level: 'warning', relaySetUp: true, help: 'strict-firewall' },
      { code: 'no-relay', level: 'warning', relaySetUp: false, help: 'strict-firewall' },
    ],
    'host-only': [
      { code: 'host-only', level: 'bad', serversSetUp: true, help: 'strict-firewall' },
      { code: 'host-only', level: 'warning', serversSetUp: false, help: null },
    ],
    'no-network': [{ code: 'no-network', level: 'bad', help: 'vpn' }],
    'no-camera': [
      { code: 'no-camera', level: 'bad', busy: true, help: 'camera-busy' },
      { code: 'no-camera', level: 'bad', busy: false, help: 'no-camera' },
    ],
    'no-microphone': [
      { code: 'no-microphone', level: 'bad', busy: true, help: 'camera-busy' },
      { code: 'no-microphone', level: 'bad', busy: false, help: 'no-camera' },
    ],
    'no-media': [
      { code: 'no-media', level: 'bad', problem: { code: 'camera-denied' }, help: 'camera-denied' },
      { code: 'no-media', level: 'bad', problem: null, help: 'no-camera' },
    ],
    'check-failed': [
      { code: 'check-failed', level: 'bad', problem: { code: 'backend-unreachable' }, help: 'backend-unreachable' },
    ],
    'old-browser': [{ code: 'old-browser', level: 'bad', help: 'old-browser' }],
  };

  it('every verdict has plain words: whole sentences, no jargon a person would not know', () => {
    for (const code of Object.values(VerdictCode)) {
      for (const v of VERDICTS[code]) {
        const words = verdictWords(v);
        for (const text of [words.message, words.hint]) {
          assertWords(text, `verdict ${JSON.stringify(v)}`);
          assert.match(text, /^[A-Z"'].*[.!]$/s, `a sentence: ${text}`);
          assert.doesNotMatch(text, /\b(srflx|ICE|candidate|NAT)\b/, `no jargon: ${text}`);
        }
      }
    }
  });

  it('words the verdicts as the page always has', () => {
    const [unreachable, none] = VERDICTS['no-relay'];
    assert.match(verdictWords(unreachable!).message, /relay could not be reached, so calls may fail on strict networks/);
    assert.match(verdictWords(none!).message, /no relay is set up here/);
    const [serversDown, local] = VERDICTS['host-only'];
    assert.match(verdictWords(serversDown!).hint, /offline/);
    assert.match(verdictWords(local!).message, /no connection servers \(STUN or TURN\) are set up here/);
    assert.match(verdictWords(local!).hint, /Expected when running Parley locally\./);
    assert.equal(
      verdictWords(VERDICTS['check-failed'][0]!).message,
      "The check could not finish. Parley's servers could not be reached.",
    );
    assert.equal(verdictWords(VERDICTS['check-failed'][0]!).hint, 'Check your internet connection, then press Check again.');
    assert.equal(verdictWords(VERDICTS['no-media'][0]!).message, 'Camera and microphone access was denied.');
    assert.match(verdictWords(VERDICTS['no-microphone'][0]!).hint, /Close other apps/);
    assert.match(verdictWords(VERDICTS['no-microphone'][1]!).hint, /Connect a microphone/);
  });

  it('every finding has a label and every value words', () => {
    for (const id of Object.values(FindingId)) assertWords(FINDING_LABELS[id](), `finding ${id}`);
    const example = (code: FindingValueCode): FindingValue =>
      code === 'reached' ? { code, over: ['udp', 'tls'] } : code === 'rtt' ? { code, ms: 23.4 } : { code };
    for (const code of Object.values(FindingValueCode)) assertWords(findingValueText(example(code)), `value ${code}`);
    assert.equal(findingValueText({ code: 'reached', over: ['udp', 'tls'] }), 'Reached over UDP, TLS');
    assert.equal(findingValueText({ code: 'reached', over: [] }), 'Reached over the network');
    assert.equal(findingValueText({ code: 'rtt', ms: 23.4 }), '23 ms');
  });
});

describe('the camera lost during a call', () => {
  it('says paused or stopped, and for a stopped one what to press on each page', () => {
    for (const place of ['random', 'call'] as const) {
      assertWords(cameraLossText('paused', place), `paused on ${place}`);
      assertWords(cameraLossText('ended', place), `ended on ${place}`);
      assert.match(cameraLossText('paused', place), /another tab or app/);
    }
    assert.match(cameraLossText('ended', 'random'), /press Stop, then Start again/);
    assert.match(cameraLossText('ended', 'call'), /press Leave, then Join again/);
  });
});

describe('labels', () => {
  it('every button, label and heading has words', () => {
    for (const [name, label] of Object.entries(LABELS)) assertWords(label(), `label ${name}`);
    for (const [name, label] of Object.entries(IN_CALL_LABELS)) assertWords(label(), `in-call label ${name}`);
    for (const [name, label] of Object.entries(FRONT_DOOR)) assertWords(label(), `front door ${name}`);
  });

  it('links each static page of the site, and each is there (web/public)', () => {
    assert.deepEqual(
      PAGE_LINKS.map((l) => l.href),
      ['/rules.html', '/privacy.html', '/terms.html'],
    );
    for (const l of PAGE_LINKS) {
      assertWords(l.text(), l.href);
      // From build/test/unit/web/elements/ to the repository's root.
      assert.ok(existsSync(new URL(`../../../../../web/public${l.href}`, import.meta.url)), `web/public${l.href}`);
    }
  });
});
