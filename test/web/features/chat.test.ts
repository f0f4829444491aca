/**
 * Text chat on real calls in one page (fake cameras, real peer connections,
 * the in-memory backend): random chat and a three-person call by link,
 * messages both ways in order, acknowledgements, what the receiver refuses,
 * and when a conversation is cleared.
 */
import type { CallChat, ChatEntry } from '../../../web/src/features/chat.js';
import { LinkCallFlow } from '../../../web/src/flows/link-call.js';
import type { RandomChatFlow } from '../../../web/src/flows/random-chat.js';
import { assert, assertDeepEqual, assertEqual } from '../assert.js';
import { Rig } from '../support/rig.js';
import { waitForStatus, waitUntil } from '../support/wait.js';

const CONNECT_MS = 15_000;

/** What a chat shows, as "author: text" lines (authors as codes). */
function lines(chat: CallChat | null | undefined): string[] {
  return (chat?.entries ?? []).map((e: ChatEntry) => {
    const who = e.author.kind === 'guest' ? `guest${e.author.number}${e.author.name ? `(${e.author.name})` : ''}` : e.author.kind;
    return `${who}: ${e.text}`;
  });
}

async function waitLines(chat: () => CallChat | null | undefined, expected: string[], what: string): Promise<void> {
  await waitUntil(
    () => JSON.stringify(lines(chat())) === JSON.stringify(expected),
    CONNECT_MS,
    what,
    () => JSON.stringify(lines(chat())),
  );
}

function deliveries(chat: CallChat | null | undefined): (string | null)[] {
  return (chat?.entries ?? []).filter((e) => e.author.kind === 'you').map((e) => e.delivery?.status ?? null);
}

describe('text chat on a random call', () => {
  let rig: Rig;
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    await rig.cleanup();
  });

  async function connectedPair(): Promise<{ a: RandomChatFlow; b: RandomChatFlow }> {
    const a = rig.session().session;
    const b = rig.session().session;
    await a.start('en');
    await waitForStatus(a, 'searching', 5_000);
    await b.start('en');
    await Promise.all([waitForStatus(a, 'connected', CONNECT_MS), waitForStatus(b, 'connected', CONNECT_MS)]);
    return { a, b };
  }

  it('carries messages both ways, in order, from "Stranger", each acknowledged', async function () {
    this.timeout(40_000);
    const { a, b } = await connectedPair();
    assert(a.inCall && b.inCall, 'each side has a chat once in a call');
    assertEqual(a.inCall?.chat.send('hi'), null, 'sent');
    assertEqual(a.inCall?.chat.send('where are you from?'), null, 'sent');
    await waitLines(() => b.inCall?.chat, ['stranger: hi', 'stranger: where are you from?'], "b shows a's two messages in order");
    assertEqual(b.inCall?.chat.send('Chennai'), null, 'b replies');
    await waitLines(() => a.inCall?.chat, ['you: hi', 'you: where are you from?', 'stranger: Chennai'], 'the reply at a');
    assertEqual(a.inCall?.chat.send('nice'), null, 'a again');
    await waitLines(
      () => a.inCall?.chat,
      ['you: hi', 'you: where are you from?', 'stranger: Chennai', 'you: nice'],
      "a's conversation",
    );
    await waitLines(
      () => b.inCall?.chat,
      ['stranger: hi', 'stranger: where are you from?', 'you: Chennai', 'stranger: nice'],
      "b's",
    );
    await waitUntil(
      () =>
        deliveries(a.inCall?.chat).every((d) => d === 'delivered') && deliveries(b.inCall?.chat).every((d) => d === 'delivered'),
      CONNECT_MS,
      'every message acknowledged',
      () => JSON.stringify([deliveries(a.inCall?.chat), deliveries(b.inCall?.chat)]),
    );
    assertEqual(b.inCall?.chat.unread, 1, "what came before b's own reply counts as read; a's last message does not");
    b.inCall?.chat.markRead();
    assertEqual(b.inCall?.chat.unread, 0, 'read');
  });

  it('refuses what breaks the limits: too long, too fast, and the receiver holds a sender to the rate too', async function () {
    this.timeout(40_000);
    const { a, b } = await connectedPair();
    assertEqual(a.inCall?.chat!.send('x'.repeat(1001)), 'too-long', 'past 1,000 characters');
    assertEqual(a.inCall?.chat!.send('   '), 'empty', 'nothing to send');
    for (let i = 1; i <= 5; i++) assertEqual(a.inCall?.chat!.send(`m${i}`), null, `message ${i} of a burst`);
    assertEqual(a.inCall?.chat!.send('m6'), 'too-fast', 'the 6th within 3 s');
    await waitUntil(() => b.inCall?.chat!.entries.length === 5, CONNECT_MS, 'the burst of 5 at b');
    // A page that ignores its own limit (sending on the call directly) is cut off by the receiver.
    const call = b.call!;
    const to = call.peers[0]!.id;
    for (let i = 1; i <= 8; i++) call.sendMessage(to, { type: 'chat', id: `flood-${i}`, text: `flood ${i}`, sentAt: Date.now() });
    await waitUntil(
      () => a.inCall!.chat.entries.filter((e) => e.author.kind === 'stranger').length >= 5,
      CONNECT_MS,
      'floods at a',
    );
    // And the same id twice is shown once. Both checks end with an ordered marker message.
    call.sendMessage(to, { type: 'chat', id: 'flood-1', text: 'flood 1 again', sentAt: Date.now() });
    await new Promise((r) => setTimeout(r, 3_100));
    call.sendMessage(to, { type: 'chat', id: 'marker', text: 'marker', sentAt: Date.now() });
    await waitUntil(() => lines(a.inCall?.chat).includes('stranger: marker'), CONNECT_MS, 'the marker');
    const shown = lines(a.inCall?.chat).filter((l) => l.startsWith('stranger: flood'));
    assertDeepEqual(
      shown,
      ['stranger: flood 1', 'stranger: flood 2', 'stranger: flood 3', 'stranger: flood 4', 'stranger: flood 5'],
      'five of the eight, none twice',
    );
  });

  it('keeps the conversation readable after the stranger left, takes no more messages, and clears it on Next', async function () {
    this.timeout(40_000);
    const { a, b } = await connectedPair();
    a.inCall?.chat!.send('bye then');
    await waitLines(() => b.inCall?.chat, ['stranger: bye then'], 'the message');
    await a.stop();
    await waitForStatus(b, 'partner-left', 10_000);
    assertDeepEqual(lines(b.inCall?.chat), ['stranger: bye then'], 'still readable');
    assertEqual(b.inCall?.chat!.canSend, false, 'nobody to send to');
    assertEqual(b.inCall?.chat!.send('hello?'), 'nobody', 'refused, not lost in silence');
    assertEqual(a.inCall, null, 'Stop clears the chat');
    const c = rig.session().session;
    await c.start('en');
    await waitForStatus(c, 'searching', 5_000);
    await b.next();
    await waitForStatus(b, 'connected', CONNECT_MS);
    assertDeepEqual(lines(b.inCall?.chat), [], 'a new conversation starts empty');
  });

  it('a message typed before the link is up waits for it, then goes', async function () {
    this.timeout(40_000);
    const a = rig.session().session;
    const b = rig.session().session;
    await a.start('en');
    await waitForStatus(a, 'searching', 5_000);
    await b.start('en');
    // As soon as b has a chat with a member, before the link connects.
    await waitUntil(() => (b.call?.peers.length ?? 0) > 0 && b.inCall !== null, CONNECT_MS, "b's call has its member");
    const early = b.call!.peers[0]!.state;
    assertEqual(b.inCall?.chat!.send('early'), null, `queued while ${early}`);
    await waitLines(() => a.inCall?.chat, ['stranger: early'], 'the early message arrives once connected');
    await waitUntil(() => deliveries(b.inCall?.chat)[0] === 'delivered', CONNECT_MS, 'and is acknowledged');
  });
});

describe('text chat in a call by link', () => {
  let rig: Rig;
  const flows: LinkCallFlow[] = [];
  beforeEach(() => {
    rig = new Rig();
  });
  afterEach(async () => {
    for (const f of flows.splice(0)) f.reset();
    await rig.cleanup();
  });

  it('three members: every message reaches the two others in order, numbered as the grid numbers them, with a chosen name', async function () {
    this.timeout(60_000);
    const host = new LinkCallFlow(rig.linkDeps());
    flows.push(host);
    await host.create();
    const callId = (host.state as { callId: string }).callId;
    const guests: LinkCallFlow[] = [];
    for (let i = 0; i < 2; i++) {
      const g = new LinkCallFlow(rig.linkDeps());
      flows.push(g);
      await g.open(callId);
      await g.join();
      guests.push(g);
    }
    const everyone = [host, ...guests];
    await waitUntil(
      () => everyone.every((f) => f.peers.length === 2 && f.peers.every((p) => p.state === 'connected')),
      CONNECT_MS,
      'everyone connected to everyone',
    );
    guests[1]!.displayName = 'Asha';
    host.inCall?.chat!.send('welcome');
    await waitUntil(() => guests.every((g) => g.inCall?.chat!.entries.length === 1), CONNECT_MS, 'the welcome at both guests');
    guests[0]!.inCall?.chat!.send('thanks');
    await waitUntil(() => everyone.every((f) => f.inCall?.chat!.entries.length === 2), CONNECT_MS, 'thanks everywhere');
    guests[1]!.inCall?.chat!.send('hello all');
    await waitUntil(() => everyone.every((f) => f.inCall?.chat!.entries.length === 3), CONNECT_MS, 'hello everywhere');
    assertDeepEqual(lines(host.inCall?.chat), ['you: welcome', 'guest2: thanks', 'guest3(Asha): hello all'], "the host's");
    assertDeepEqual(lines(guests[0]!.inCall?.chat), ['guest1: welcome', 'you: thanks', 'guest3(Asha): hello all'], "guest 2's");
    assertDeepEqual(lines(guests[1]!.inCall?.chat), ['guest1: welcome', 'guest2: thanks', 'you: hello all'], "guest 3's");
    for (const f of everyone) {
      assertDeepEqual(
        f.peers.map((p) => f.numberOf(p.id)).sort(),
        [1, 2, 3].filter((n) => n !== everyone.indexOf(f) + 1),
        'the tiles carry the same numbers',
      );
    }
    await waitUntil(
      () => everyone.every((f) => deliveries(f.inCall?.chat).every((d) => d === 'delivered')),
      CONNECT_MS,
      'each message acknowledged by both others',
    );
  });

  it('a message to a member whose link goes before acknowledging shows as not delivered to everyone, never as sent', async function () {
    this.timeout(60_000);
    const host = new LinkCallFlow(rig.linkDeps());
    flows.push(host);
    await host.create();
    const callId = (host.state as { callId: string }).callId;
    const guest = new LinkCallFlow(rig.linkDeps());
    flows.push(guest);
    await guest.open(callId);
    await guest.join();
    await waitUntil(() => host.peers[0]?.state === 'connected' && guest.peers[0]?.state === 'connected', CONNECT_MS, 'connected');
    // The guest's page goes away without a word (its links close at once); the host's message is in flight or queued.
    guest.unload();
    host.inCall?.chat!.send('are you there?');
    await waitUntil(
      () => deliveries(host.inCall?.chat)[0] === 'not-delivered',
      CONNECT_MS,
      'not delivered',
      () => JSON.stringify(host.inCall?.chat!.entries),
    );
  });
});
