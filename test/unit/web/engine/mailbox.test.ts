import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  decodeCandidate,
  encodeCandidate,
  LINK_ID,
  MailboxInbox,
  MailboxOutbox,
  newLinkId,
  type MailboxState,
} from '../../../../web/src/engine/mailbox.js';
import type { IceCandidate, LinkSignal, SessionDescription } from '../../../../web/src/engine/types.js';

const OFFER: SessionDescription = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
const RESTART_OFFER: SessionDescription = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
const ANSWER: SessionDescription = { type: 'answer', sdp: 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };

/** Realistic Chromium candidates (documentation addresses), as onicecandidate gives them. */
const HOST: IceCandidate = {
  candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host generation 0 ufrag abcd network-id 1',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};
const SRFLX: IceCandidate = {
  candidate:
    'candidate:842163049 1 udp 1686052607 203.0.113.7 61234 typ srflx raddr 192.0.2.1 rport 54321 generation 0 ufrag abcd network-id 1 network-cost 10',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};
const RELAY: IceCandidate = {
  candidate:
    'candidate:3745745033 1 udp 41885439 198.51.100.20 3478 typ relay raddr 203.0.113.7 rport 61234 generation 0 ufrag abcd network-id 1 network-cost 10',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};
const TCP: IceCandidate = {
  candidate: 'candidate:2 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag abcd network-id 1',
  sdpMid: '1',
  sdpMLineIndex: 1,
  usernameFragment: 'abcd',
};
const MDNS: IceCandidate = {
  candidate:
    'candidate:3 1 udp 2122260223 4f1c1b9e-2b1a-4d1e-9f3a-0c1d2e3f4a5b.local 50000 typ host generation 0 ufrag abcd network-id 2',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};

/** A candidate of a given ICE generation; equal lengths for equal-length `n` and `ufrag`. */
function cand(n: number, ufrag: string | null): IceCandidate {
  const port = String(50000 + n);
  return {
    candidate: `candidate:${n} 1 udp 2122260223 192.0.2.1 ${port} typ host generation 0 ufrag ${ufrag ?? 'none'} network-id 1`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: ufrag,
  };
}

function lines(state: MailboxState): string[] {
  return state.candidates === '' ? [] : state.candidates.split('\n');
}

function decodedLines(state: MailboxState): (IceCandidate | null)[] {
  return lines(state).map(decodeCandidate);
}

/** The length of the text `n` lines of `line`'s length make. */
function textLength(lineLength: number, n: number): number {
  return n * lineLength + Math.max(0, n - 1);
}

describe('MailboxOutbox: descriptions', () => {
  it('starts empty at epoch 0', () => {
    const box = new MailboxOutbox(1000);
    assert.deepEqual(box.state, { link: '', peer: '', epoch: 0, description: null, previous: null, candidates: '' });
  });

  it('a description bumps the epoch and replaces the previous one', () => {
    const box = new MailboxOutbox(1000);
    assert.equal(box.add({ description: OFFER }), true);
    assert.deepEqual(box.state, { link: '', peer: '', epoch: 1, description: OFFER, previous: null, candidates: '' });
    assert.equal(box.add({ description: RESTART_OFFER }), true);
    assert.deepEqual(box.state, {
      link: '',
      peer: '',
      epoch: 2,
      description: RESTART_OFFER,
      previous: { epoch: 1, ...OFFER },
      candidates: '',
    });
  });

  it('keeps only type and sdp of a description', () => {
    const box = new MailboxOutbox(1000);
    const extra = { type: 'answer', sdp: ANSWER.sdp, toJSON: 'x' } as unknown as SessionDescription;
    box.add({ description: extra });
    assert.deepEqual(box.state.description, ANSWER);
  });

  it('a description never counts against the candidate limit', () => {
    const box = new MailboxOutbox(0);
    assert.equal(box.add({ description: OFFER }), true);
    assert.equal(box.state.description?.sdp, OFFER.sdp);
  });

  it('a description leaves the candidates in place', () => {
    const box = new MailboxOutbox(1000);
    box.add({ candidate: HOST });
    box.add({ description: OFFER });
    assert.equal(box.state.candidates, encodeCandidate(HOST));
  });
});

describe('MailboxOutbox: candidates', () => {
  it('accumulates one JSON object per line, in order', () => {
    const box = new MailboxOutbox(10_000);
    for (const c of [HOST, SRFLX, RELAY]) assert.equal(box.add({ candidate: c }), true);
    assert.deepEqual(lines(box.state), [encodeCandidate(HOST), encodeCandidate(SRFLX), encodeCandidate(RELAY)]);
    for (const line of lines(box.state)) assert.doesNotThrow(() => JSON.parse(line));
    assert.deepEqual(decodedLines(box.state), [HOST, SRFLX, RELAY]);
  });

  it('does not add a duplicate candidate twice (and says it is kept)', () => {
    const box = new MailboxOutbox(10_000);
    box.add({ candidate: HOST });
    box.add({ candidate: SRFLX });
    assert.equal(box.add({ candidate: { ...HOST } }), true);
    assert.deepEqual(lines(box.state), [encodeCandidate(HOST), encodeCandidate(SRFLX)]);
  });

  it('treats a missing usernameFragment like null when comparing', () => {
    const box = new MailboxOutbox(10_000);
    const { usernameFragment: _, ...withoutUfrag } = HOST;
    box.add({ candidate: withoutUfrag });
    box.add({ candidate: { ...withoutUfrag, usernameFragment: null } });
    assert.equal(lines(box.state).length, 1);
  });

  it('a candidate with a newline in it stays on one line', () => {
    const box = new MailboxOutbox(10_000);
    const odd: IceCandidate = {
      candidate: 'candidate:1 1 udp 1 192.0.2.1 1 typ host\nextra',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    };
    box.add({ candidate: odd });
    box.add({ candidate: HOST });
    assert.deepEqual(decodedLines(box.state), [odd, HOST]);
  });
});

describe('MailboxOutbox: the size limit', () => {
  const LINE = encodeCandidate(cand(1, 'gen1')).length;

  it('the test candidates with a usernameFragment all encode to the same length', () => {
    for (const c of [cand(1, 'gen1'), cand(9, 'gen1'), cand(5, 'gen2')]) assert.equal(encodeCandidate(c).length, LINE);
    assert.ok(encodeCandidate(cand(7, null)).length < LINE);
  });

  it('keeps candidates while the text fits exactly', () => {
    const box = new MailboxOutbox(textLength(LINE, 3));
    for (const n of [1, 2, 3]) assert.equal(box.add({ candidate: cand(n, 'gen1') }), true);
    assert.equal(box.state.candidates.length, textLength(LINE, 3));
  });

  it('over the limit, drops the oldest candidates of other generations first', () => {
    const box = new MailboxOutbox(textLength(LINE, 3));
    for (const n of [1, 2, 3]) box.add({ candidate: cand(n, 'gen1') });
    box.add({ description: RESTART_OFFER });
    assert.equal(box.add({ candidate: cand(4, 'gen2') }), true);
    assert.deepEqual(decodedLines(box.state), [cand(2, 'gen1'), cand(3, 'gen1'), cand(4, 'gen2')]);
    assert.equal(box.add({ candidate: cand(5, 'gen2') }), true);
    assert.deepEqual(decodedLines(box.state), [cand(3, 'gen1'), cand(4, 'gen2'), cand(5, 'gen2')]);
    assert.equal(box.add({ candidate: cand(6, 'gen2') }), true);
    assert.deepEqual(decodedLines(box.state), [cand(4, 'gen2'), cand(5, 'gen2'), cand(6, 'gen2')]);
    assert.ok(box.state.candidates.length <= textLength(LINE, 3));
  });

  it('drops a stale candidate even when it is not the oldest line', () => {
    const box = new MailboxOutbox(textLength(LINE, 3));
    box.add({ candidate: cand(1, 'gen2') });
    box.add({ candidate: cand(2, 'gen1') });
    box.add({ candidate: cand(3, 'gen2') });
    assert.equal(box.add({ candidate: cand(4, 'gen2') }), true);
    assert.deepEqual(decodedLines(box.state), [cand(1, 'gen2'), cand(3, 'gen2'), cand(4, 'gen2')]);
  });

  it('drops as many stale candidates as it takes for a longer one', () => {
    const box = new MailboxOutbox(textLength(LINE, 3));
    for (const n of [1, 2, 3]) box.add({ candidate: cand(n, 'gen1') });
    const long: IceCandidate = { ...cand(4, 'gen2'), candidate: cand(4, 'gen2').candidate + ' network-cost 10' };
    assert.equal(box.add({ candidate: long }), true);
    assert.deepEqual(decodedLines(box.state), [cand(3, 'gen1'), long]);
    assert.ok(box.state.candidates.length <= textLength(LINE, 3));
  });

  it('counts candidates without a usernameFragment as one generation', () => {
    const box = new MailboxOutbox(textLength(LINE, 2));
    box.add({ candidate: cand(1, 'gen1') });
    box.add({ candidate: cand(2, null) });
    assert.equal(box.add({ candidate: cand(3, null) }), true);
    assert.deepEqual(decodedLines(box.state), [cand(2, null), cand(3, null)]);
  });

  it('when only current candidates remain, refuses the newest and leaves the text as it was', () => {
    const box = new MailboxOutbox(textLength(LINE, 3));
    for (const n of [1, 2, 3]) box.add({ candidate: cand(n, 'gen1') });
    const before = box.state.candidates;
    assert.equal(box.add({ candidate: cand(4, 'gen1') }), false);
    assert.equal(box.state.candidates, before);
    assert.ok(box.state.candidates.length <= textLength(LINE, 3));
    // Still refused when tried again; still fits.
    assert.equal(box.add({ candidate: cand(4, 'gen1') }), false);
    assert.equal(box.state.candidates, before);
  });

  it('drops stale candidates, then refuses the newest when that is still not enough', () => {
    const box = new MailboxOutbox(textLength(LINE, 2));
    box.add({ candidate: cand(1, 'gen1') });
    box.add({ candidate: cand(2, 'gen2') });
    const huge: IceCandidate = { ...cand(3, 'gen2'), candidate: 'candidate:3 ' + 'x'.repeat(2 * LINE) };
    assert.equal(box.add({ candidate: huge }), false);
    assert.deepEqual(decodedLines(box.state), [cand(2, 'gen2')]);
    assert.ok(box.state.candidates.length <= textLength(LINE, 2));
  });

  it('refuses a single candidate longer than the limit', () => {
    const box = new MailboxOutbox(LINE - 1);
    assert.equal(box.add({ candidate: cand(1, 'gen1') }), false);
    assert.equal(box.state.candidates, '');
  });

  it('a refused candidate does not touch the epoch or the description', () => {
    const box = new MailboxOutbox(0);
    box.add({ description: OFFER });
    assert.equal(box.add({ candidate: HOST }), false);
    assert.deepEqual(box.state, { link: '', peer: '', epoch: 1, description: OFFER, previous: null, candidates: '' });
  });
});

describe('MailboxInbox: descriptions', () => {
  it('delivers a new description once; re-reading the same state delivers nothing', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    box.add({ description: OFFER });
    assert.deepEqual(inbox.read(box.state), [{ description: OFFER }]);
    assert.deepEqual(inbox.read(box.state), []);
    assert.deepEqual(inbox.read({ ...box.state }), []);
  });

  it('delivers a later description with a higher epoch', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    box.add({ description: OFFER });
    inbox.read(box.state);
    box.add({ description: RESTART_OFFER });
    assert.deepEqual(inbox.read(box.state), [{ description: RESTART_OFFER }]);
  });

  it('delivers an answer and the offer written right after it, in order, when a read saw only the second write', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    box.add({ description: ANSWER });
    box.add({ description: RESTART_OFFER });
    assert.deepEqual(inbox.read(box.state), [{ description: ANSWER }, { description: RESTART_OFFER }]);
    assert.deepEqual(inbox.read(box.state), [], 'each once');
    const later = new MailboxInbox();
    box.add({ description: OFFER });
    assert.deepEqual(later.read(box.state), [{ description: OFFER }], 'a previous offer is never delivered');
  });

  it('delivers only the latest when several descriptions came between two reads', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    box.add({ description: OFFER });
    box.add({ description: RESTART_OFFER });
    assert.deepEqual(inbox.read(box.state), [{ description: RESTART_OFFER }]);
  });

  it('does not deliver an older or equal epoch', () => {
    const inbox = new MailboxInbox();
    assert.deepEqual(inbox.read({ epoch: 3, description: RESTART_OFFER, candidates: '' }), [{ description: RESTART_OFFER }]);
    assert.deepEqual(inbox.read({ epoch: 2, description: OFFER, candidates: '' }), []);
    assert.deepEqual(inbox.read({ epoch: 3, description: OFFER, candidates: '' }), [], 'equal epoch, even with another sdp');
    assert.deepEqual(inbox.read({ epoch: 4, description: OFFER, candidates: '' }), [{ description: OFFER }]);
  });

  it('does not deliver epoch 0 (nothing written yet)', () => {
    const inbox = new MailboxInbox();
    assert.deepEqual(inbox.read({ epoch: 0, description: OFFER, candidates: '' }), []);
    assert.deepEqual(inbox.read(new MailboxOutbox(100).state), []);
  });

  it('a higher epoch without a description does not use the epoch up', () => {
    const inbox = new MailboxInbox();
    assert.deepEqual(inbox.read({ epoch: 1, description: null, candidates: '' }), []);
    assert.deepEqual(inbox.read({ epoch: 1, description: ANSWER, candidates: '' }), [{ description: ANSWER }]);
  });

  it('delivers only type and sdp', () => {
    const inbox = new MailboxInbox();
    const out = inbox.read({ epoch: 1, description: { type: 'answer', sdp: ANSWER.sdp, extra: true }, candidates: '' });
    assert.deepEqual(out, [{ description: ANSWER }]);
  });
});

describe('MailboxInbox: candidates', () => {
  it('delivers the description before the candidates of the same state', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    box.add({ candidate: HOST });
    box.add({ description: OFFER });
    box.add({ candidate: SRFLX });
    assert.deepEqual(inbox.read(box.state), [{ description: OFFER }, { candidate: HOST }, { candidate: SRFLX }]);
  });

  it('delivers only the lines it has not seen, in order', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    box.add({ description: OFFER });
    box.add({ candidate: HOST });
    assert.deepEqual(inbox.read(box.state), [{ description: OFFER }, { candidate: HOST }]);
    box.add({ candidate: SRFLX });
    box.add({ candidate: RELAY });
    assert.deepEqual(inbox.read(box.state), [{ candidate: SRFLX }, { candidate: RELAY }]);
    assert.deepEqual(inbox.read(box.state), []);
  });

  it('a reader that missed writes loses nothing', () => {
    const box = new MailboxOutbox(10_000);
    const inbox = new MailboxInbox();
    const states: MailboxState[] = [];
    for (const signal of [
      { description: OFFER },
      { candidate: HOST },
      { candidate: SRFLX },
      { candidate: RELAY },
    ] as LinkSignal[]) {
      box.add(signal);
      states.push(box.state);
    }
    // Only the first and last writes reach the reader.
    const got = [...inbox.read(states[0]!), ...inbox.read(states[3]!)];
    assert.deepEqual(got, [{ description: OFFER }, { candidate: HOST }, { candidate: SRFLX }, { candidate: RELAY }]);
  });

  it('candidates that the sender dropped are not delivered again, and new ones are', () => {
    const inbox = new MailboxInbox();
    const a = encodeCandidate(cand(1, 'gen1'));
    const b = encodeCandidate(cand(2, 'gen1'));
    const c = encodeCandidate(cand(3, 'gen2'));
    assert.equal(inbox.read({ epoch: 0, description: null, candidates: `${a}\n${b}` }).length, 2);
    assert.deepEqual(inbox.read({ epoch: 0, description: null, candidates: `${b}\n${c}` }), [{ candidate: cand(3, 'gen2') }]);
  });

  it('ignores empty lines', () => {
    const inbox = new MailboxInbox();
    const text = `\n${encodeCandidate(HOST)}\n\n${encodeCandidate(SRFLX)}\n`;
    assert.deepEqual(inbox.read({ epoch: 0, description: null, candidates: text }), [{ candidate: HOST }, { candidate: SRFLX }]);
  });

  it('skips lines it cannot decode and delivers the rest', () => {
    const inbox = new MailboxInbox();
    const text = ['not json', encodeCandidate(HOST), '{"candidate":""}', '42', encodeCandidate(SRFLX)].join('\n');
    assert.deepEqual(inbox.read({ epoch: 0, description: null, candidates: text }), [{ candidate: HOST }, { candidate: SRFLX }]);
  });

  it('each inbox keeps its own memory', () => {
    const box = new MailboxOutbox(10_000);
    box.add({ description: OFFER });
    box.add({ candidate: HOST });
    const first = new MailboxInbox();
    first.read(box.state);
    assert.deepEqual(new MailboxInbox().read(box.state), [{ description: OFFER }, { candidate: HOST }]);
  });
});

describe('MailboxInbox: malformed states', () => {
  const GOOD_LINE = encodeCandidate(HOST);

  for (const epoch of [1.5, '2', Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, { n: 1 }]) {
    it(`an epoch of ${String(epoch)} delivers no description (but still the candidates)`, () => {
      const inbox = new MailboxInbox();
      assert.deepEqual(inbox.read({ epoch, description: OFFER, candidates: GOOD_LINE }), [{ candidate: HOST }]);
      // The inbox is still usable afterwards.
      assert.deepEqual(inbox.read({ epoch: 1, description: OFFER, candidates: GOOD_LINE }), [{ description: OFFER }]);
    });
  }

  const badDescriptions: ReadonlyArray<readonly [string, unknown]> = [
    ['null', null],
    ['a string', 'v=0'],
    ['a number', 1],
    ['an array', [OFFER.type, OFFER.sdp]],
    ['type pranswer', { type: 'pranswer', sdp: OFFER.sdp }],
    ['type rollback', { type: 'rollback', sdp: OFFER.sdp }],
    ['no type', { sdp: OFFER.sdp }],
    ['an empty sdp', { type: 'offer', sdp: '' }],
    ['a non-string sdp', { type: 'offer', sdp: 42 }],
    ['no sdp', { type: 'answer' }],
  ];
  for (const [what, description] of badDescriptions) {
    it(`a description with ${what} is not delivered, and does not use the epoch up`, () => {
      const inbox = new MailboxInbox();
      assert.deepEqual(inbox.read({ epoch: 1, description, candidates: '' }), []);
      assert.deepEqual(inbox.read({ epoch: 1, description: OFFER, candidates: '' }), [{ description: OFFER }]);
    });
  }

  for (const candidates of [null, 42, [GOOD_LINE], { GOOD_LINE }, undefined]) {
    it(`candidates of ${Array.isArray(candidates) ? 'an array' : typeof candidates} deliver nothing`, () => {
      const inbox = new MailboxInbox();
      assert.deepEqual(inbox.read({ epoch: 1, description: OFFER, candidates }), [{ description: OFFER }]);
      assert.deepEqual(inbox.read({ epoch: 1, description: OFFER, candidates: GOOD_LINE }), [{ candidate: HOST }]);
    });
  }

  it('an empty state delivers nothing', () => {
    assert.deepEqual(new MailboxInbox().read({}), []);
  });

  it('never throws on garbage', () => {
    const inbox = new MailboxInbox();
    for (const state of [
      {},
      { epoch: -1 },
      { epoch: 1, description: { type: 'offer', sdp: OFFER.sdp, toString: null } },
      { candidates: '\n\n\n' },
      { candidates: '{"candidate":' },
      { candidates: '[1,2,3]' },
      { candidates: 'null\ntrue\n"x"' },
    ]) {
      assert.doesNotThrow(() => inbox.read(state), JSON.stringify(state));
    }
  });
});

describe('link tags: a link rebuilt in the same mailbox', () => {
  it('new link ids are well formed and distinct', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newLinkId()));
    assert.equal(ids.size, 200);
    for (const id of ids) assert.match(id, LINK_ID);
  });

  it('the state carries the tag of its link', () => {
    const box = new MailboxOutbox(1000);
    box.retag({ link: 'aaaa', peer: '' });
    box.add({ description: OFFER });
    assert.equal(box.state.link, 'aaaa');
    assert.equal(box.state.peer, '');
    box.retag({ link: 'aaaa', peer: 'bbbb' });
    assert.equal(box.state.peer, 'bbbb');
  });

  it('a new link starts the mailbox over: epoch 0, nothing said', () => {
    const box = new MailboxOutbox(1000);
    box.retag({ link: 'aaaa', peer: 'bbbb' });
    box.add({ description: OFFER });
    box.add({ candidate: HOST });
    box.add({ description: RESTART_OFFER });
    box.retag({ link: 'cccc', peer: '' });
    assert.deepEqual(box.state, { link: 'cccc', peer: '', epoch: 0, description: null, previous: null, candidates: '' });
    box.add({ description: OFFER });
    assert.equal(box.state.epoch, 1);
  });

  it('the same link meeting a new other end keeps its epoch and drops what it said to the old one', () => {
    const box = new MailboxOutbox(1000);
    box.retag({ link: 'aaaa', peer: 'bbbb' });
    box.add({ description: OFFER });
    box.add({ candidate: HOST });
    box.retag({ link: 'aaaa', peer: 'dddd' });
    assert.deepEqual(box.state, { link: 'aaaa', peer: 'dddd', epoch: 1, description: null, previous: null, candidates: '' });
    box.add({ description: RESTART_OFFER });
    assert.equal(box.state.epoch, 2);
  });

  it('the link learning the other end for the first time keeps what it said: the answer to an untagged offer stays', () => {
    // A random chat's joiner answers the offer of the join result (no tag),
    // then hears the waiter's probe (its link) and tags the next candidates.
    const answer = { type: 'answer' as const, sdp: 'v=0\r\nanswer' };
    const box = new MailboxOutbox(1000);
    box.retag({ link: 'aaaa', peer: '' });
    box.add({ description: answer });
    box.add({ candidate: HOST });
    box.retag({ link: 'aaaa', peer: 'bbbb' });
    box.add({ candidate: RELAY });
    assert.deepEqual(box.state, {
      link: 'aaaa',
      peer: 'bbbb',
      epoch: 1,
      description: answer,
      previous: null,
      candidates: [encodeCandidate(HOST), encodeCandidate(RELAY)].join('\n'),
    });
    // A reader that saw only this state still gets the answer, then the candidates.
    assert.deepEqual(new MailboxInbox().read(box.state), [{ description: answer }, { candidate: HOST }, { candidate: RELAY }]);
  });

  it('the same tag again changes nothing', () => {
    const box = new MailboxOutbox(1000);
    box.retag({ link: 'aaaa', peer: 'bbbb' });
    box.add({ description: OFFER });
    box.add({ candidate: HOST });
    const before = box.state;
    box.retag({ link: 'aaaa', peer: 'bbbb' });
    assert.deepEqual(box.state, before);
  });

  it('a reader starts over with a new link of the sender: its offer at epoch 1 is delivered again, and old candidates too', () => {
    const inbox = new MailboxInbox();
    const first = {
      link: 'aaaa',
      peer: '',
      epoch: 2,
      description: RESTART_OFFER,
      previous: null,
      candidates: encodeCandidate(HOST),
    };
    assert.deepEqual(inbox.read(first), [{ description: RESTART_OFFER }, { candidate: HOST }]);
    assert.deepEqual(inbox.tag, { link: 'aaaa', peer: '' });
    const next = { link: 'cccc', peer: '', epoch: 1, description: OFFER, previous: null, candidates: encodeCandidate(HOST) };
    assert.deepEqual(inbox.read(next), [{ description: OFFER }, { candidate: HOST }]);
    assert.deepEqual(inbox.tag, { link: 'cccc', peer: '' });
  });

  it('a mailbox made anew between two links of the sender (left and entered again) starts the reader over too', () => {
    // The first read may come from the page's cache: the mailbox as the
    // sender's previous session left it (epoch 3), then the server's copy,
    // made anew by enterCall (untagged, empty), then the new session's answer.
    const inbox = new MailboxInbox();
    const stale = { link: 'aaaa', peer: 'bbbb', epoch: 3, description: RESTART_OFFER, previous: null, candidates: '' };
    assert.deepEqual(inbox.read(stale), [{ description: RESTART_OFFER }]);
    assert.deepEqual(inbox.read({ epoch: 0, description: null, previous: null, candidates: '' }), []);
    assert.equal(inbox.tag, null);
    const answer = { type: 'answer' as const, sdp: 'v=0\r\nanswer' };
    const fresh = {
      link: 'cccc',
      peer: 'dddd',
      epoch: 1,
      description: answer,
      previous: null,
      candidates: encodeCandidate(HOST),
    };
    assert.deepEqual(inbox.read(fresh), [{ description: answer }, { candidate: HOST }]);
    assert.deepEqual(inbox.tag, { link: 'cccc', peer: 'dddd' });
  });

  it('an untagged sender is never started over: a lower epoch is ignored', () => {
    const inbox = new MailboxInbox();
    inbox.read({ epoch: 2, description: RESTART_OFFER, candidates: '' });
    assert.deepEqual(inbox.read({ epoch: 1, description: OFFER, candidates: '' }), []);
  });

  it('without a new link, a lower epoch is still ignored (no going back)', () => {
    const inbox = new MailboxInbox();
    inbox.read({ link: 'aaaa', peer: '', epoch: 2, description: RESTART_OFFER, candidates: '' });
    assert.deepEqual(inbox.read({ link: 'aaaa', peer: 'bbbb', epoch: 1, description: OFFER, candidates: '' }), []);
    assert.deepEqual(inbox.tag, { link: 'aaaa', peer: 'bbbb' });
  });

  it('an untagged or malformed tag reads as no tag, and a malformed peer as none', () => {
    const inbox = new MailboxInbox();
    inbox.read({ epoch: 1, description: OFFER, candidates: '' });
    assert.equal(inbox.tag, null);
    inbox.read({ link: 'NOT VALID!', epoch: 1, description: OFFER, candidates: '' });
    assert.equal(inbox.tag, null);
    inbox.read({ link: 'aaaa', peer: 42, epoch: 2, description: OFFER, candidates: '' });
    assert.deepEqual(inbox.tag, { link: 'aaaa', peer: '' });
    inbox.read({ link: 'x'.repeat(17), epoch: 3, description: OFFER, candidates: '' });
    assert.equal(inbox.tag, null);
  });
});

describe('encodeCandidate / decodeCandidate', () => {
  for (const [name, c] of [
    ['host', HOST],
    ['srflx', SRFLX],
    ['relay', RELAY],
    ['tcp', TCP],
    ['mDNS host', MDNS],
  ] as const) {
    it(`round-trips a Chromium ${name} candidate`, () => {
      const line = encodeCandidate(c);
      assert.equal(line.includes('\n'), false);
      assert.deepEqual(decodeCandidate(line), c);
    });
  }

  it('encodes the four fields and nothing else', () => {
    const extra = { ...HOST, foundation: '1', port: 54321 } as IceCandidate;
    assert.deepEqual(JSON.parse(encodeCandidate(extra)), {
      candidate: HOST.candidate,
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    });
  });

  it('encodes a missing usernameFragment as null', () => {
    const { usernameFragment: _, ...rest } = HOST;
    assert.equal(JSON.parse(encodeCandidate(rest)).usernameFragment, null);
    assert.deepEqual(decodeCandidate(encodeCandidate(rest)), { ...rest, usernameFragment: null });
  });

  it('round-trips null sdpMid and sdpMLineIndex', () => {
    const c: IceCandidate = { candidate: HOST.candidate, sdpMid: null, sdpMLineIndex: null, usernameFragment: null };
    assert.deepEqual(decodeCandidate(encodeCandidate(c)), c);
  });

  for (const line of ['', 'not json', '{', '{"candidate":"candidate:1"', 'candidate:1 1 udp 1 192.0.2.1 1 typ host']) {
    it(`rejects malformed JSON ${JSON.stringify(line)}`, () => {
      assert.equal(decodeCandidate(line), null);
    });
  }

  for (const line of ['null', '42', 'true', '"candidate:1 1 udp 1 192.0.2.1 1 typ host"', '[]', '["candidate:1"]']) {
    it(`rejects a non-object ${line}`, () => {
      assert.equal(decodeCandidate(line), null);
    });
  }

  for (const value of [
    {},
    { candidate: '' },
    { candidate: null },
    { candidate: 7 },
    { candidate: ['x'] },
    { sdpMid: '0', sdpMLineIndex: 0 },
  ]) {
    it(`rejects ${JSON.stringify(value)} (no usable candidate)`, () => {
      assert.equal(decodeCandidate(JSON.stringify(value)), null);
    });
  }

  it('normalises wrong-typed sdpMid, sdpMLineIndex and usernameFragment to null', () => {
    for (const [sdpMid, sdpMLineIndex, usernameFragment] of [
      [0, '0', 7],
      [null, 1.5, false],
      [{}, null, {}],
      [true, [0], ['abcd']],
    ] as const) {
      const line = JSON.stringify({ candidate: HOST.candidate, sdpMid, sdpMLineIndex, usernameFragment });
      assert.deepEqual(
        decodeCandidate(line),
        { candidate: HOST.candidate, sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
        line,
      );
    }
  });

  it('fills in missing optional fields with null', () => {
    assert.deepEqual(decodeCandidate(JSON.stringify({ candidate: HOST.candidate })), {
      candidate: HOST.candidate,
      sdpMid: null,
      sdpMLineIndex: null,
      usernameFragment: null,
    });
  });

  it('keeps the fields that are right when others are wrong', () => {
    assert.deepEqual(
      decodeCandidate(JSON.stringify({ candidate: HOST.candidate, sdpMid: '1', sdpMLineIndex: 'x', usernameFragment: 'abcd' })),
      {
        candidate: HOST.candidate,
        sdpMid: '1',
        sdpMLineIndex: null,
        usernameFragment: 'abcd',
      },
    );
  });

  it('ignores unknown fields', () => {
    assert.deepEqual(decodeCandidate(JSON.stringify({ ...HOST, relayProtocol: 'udp' })), HOST);
  });
});

describe('a whole exchange through a mailbox', () => {
  it('offer, candidates, an ICE restart and its candidates arrive in order, each once', () => {
    const box = new MailboxOutbox(16 * 1024);
    const inbox = new MailboxInbox();
    const received: LinkSignal[] = [];
    const write = (...signals: LinkSignal[]): void => {
      for (const s of signals) assert.equal(box.add(s), true);
      received.push(...inbox.read(box.state));
    };
    write({ description: OFFER }, { candidate: HOST });
    write({ candidate: SRFLX }, { candidate: RELAY }, { candidate: HOST });
    const restarted = { ...HOST, candidate: HOST.candidate.replace('ufrag abcd', 'ufrag efgh'), usernameFragment: 'efgh' };
    write({ description: RESTART_OFFER }, { candidate: restarted });
    write(); // a redundant snapshot
    assert.deepEqual(received, [
      { description: OFFER },
      { candidate: HOST },
      { candidate: SRFLX },
      { candidate: RELAY },
      { description: RESTART_OFFER },
      { candidate: restarted },
    ]);
  });
});
