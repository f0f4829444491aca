/**
 * A minimal TURN client (RFC 5389 / RFC 5766 over UDP): one Allocate with the
 * long-term credential mechanism, then a Refresh with lifetime 0 to free the
 * allocation. Enough to ask a real coturn whether it accepts a credential,
 * and what it answers when it does not.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const ALLOCATE_REQUEST = 0x0003;
const ALLOCATE_SUCCESS = 0x0103;
const ALLOCATE_ERROR = 0x0113;
const REFRESH_REQUEST = 0x0004;
const ATTR = {
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  LIFETIME: 0x000d,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
} as const;

type Attribute = readonly [type: number, value: Buffer];

function encode(type: number, tid: Buffer, attrs: readonly Attribute[], integrityKey?: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [t, v] of attrs) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(t, 0);
    head.writeUInt16BE(v.length, 2);
    parts.push(head, v, Buffer.alloc((4 - (v.length % 4)) % 4));
  }
  let body = Buffer.concat(parts);
  const header = (length: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(MAGIC_COOKIE, 4);
    tid.copy(h, 8);
    return h;
  };
  if (integrityKey) {
    // HMAC over the message up to the attribute, its length counting the attribute (RFC 5389 §15.4).
    const hmac = createHmac('sha1', integrityKey)
      .update(Buffer.concat([header(body.length + 24), body]))
      .digest();
    const head = Buffer.alloc(4);
    head.writeUInt16BE(ATTR.MESSAGE_INTEGRITY, 0);
    head.writeUInt16BE(20, 2);
    body = Buffer.concat([body, head, hmac]);
  }
  return Buffer.concat([header(body.length), body]);
}

interface Message {
  readonly type: number;
  readonly attrs: ReadonlyMap<number, Buffer>;
}

function decode(buf: Buffer): Message {
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= 20 + length;) {
    const t = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    if (!attrs.has(t)) attrs.set(t, buf.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type, attrs };
}

function request(socket: Socket, host: string, port: number, message: Buffer, tid: Buffer, timeoutMs: number): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (msg: Buffer) => {
      if (msg.length < 20 || !msg.subarray(8, 20).equals(tid)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(decode(msg));
    };
    socket.on('message', onMessage);
    socket.send(message, port, host);
  });
}

export type AllocateOutcome =
  | { readonly ok: true; readonly relayed: { readonly address: string; readonly port: number }; readonly ms: number }
  | { readonly ok: false; readonly code: number; readonly reason: string; readonly ms: number };

function errorOf(m: Message): { code: number; reason: string } {
  const v = m.attrs.get(ATTR.ERROR_CODE);
  if (!v) return { code: 0, reason: 'no ERROR-CODE' };
  return { code: (v[2]! & 0x7) * 100 + v[3]!, reason: v.subarray(4).toString('utf8') };
}

/**
 * Asks the TURN server at host:port for a UDP relay with `username` and
 * `password` (long-term credentials, as a browser does). Frees the
 * allocation again when it is granted.
 *
 * From a new local port each time it meets 437 (Allocation Mismatch), as
 * RFC 5766 §6.4 tells a client: the kernel can hand out a port that a
 * browser killed a moment ago had an allocation on, which the server keeps
 * for its lifetime (seen after the ghost tests' SIGKILLs).
 */
export async function allocate(
  host: string,
  port: number,
  username: string,
  password: string,
  timeoutMs = 3_000,
): Promise<AllocateOutcome> {
  const { outcome, release } = await holdAllocation(host, port, username, password, timeoutMs);
  await release();
  return outcome;
}

/**
 * The same, but a granted allocation is kept (as a browser's link keeps
 * its own) until `release` frees it: what counts against the server's
 * quotas while it lives.
 */
export async function holdAllocation(
  host: string,
  port: number,
  username: string,
  password: string,
  timeoutMs = 3_000,
): Promise<{ outcome: AllocateOutcome; release: () => Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await allocateFromNewPort(host, port, username, password, timeoutMs);
    } catch (err) {
      if (!(err instanceof AllocationMismatch) || attempt === 3) throw err;
    }
  }
}

class AllocationMismatch extends Error {}

async function allocateFromNewPort(
  host: string,
  port: number,
  username: string,
  password: string,
  timeoutMs: number,
): Promise<{ outcome: AllocateOutcome; release: () => Promise<void> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const t0 = performance.now();
  let kept = false;
  try {
    const transport: Attribute = [ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])];
    // First without credentials: the server answers 401 with its realm and a nonce.
    let tid = randomBytes(12);
    const challenge = await request(socket, host, port, encode(ALLOCATE_REQUEST, tid, [transport]), tid, timeoutMs);
    if (challenge.type !== ALLOCATE_ERROR) throw new Error(`expected a 401 challenge, got message type ${challenge.type}`);
    if (errorOf(challenge).code === 437) throw new AllocationMismatch(`437 from ${socket.address().port}`);
    const realm = challenge.attrs.get(ATTR.REALM);
    const nonce = challenge.attrs.get(ATTR.NONCE);
    if (!realm || !nonce) throw new Error(`challenge without realm or nonce (${JSON.stringify(errorOf(challenge))})`);
    const key = createHash('md5')
      .update(`${username}:${realm.toString('utf8')}:${password}`)
      .digest();
    const auth: Attribute[] = [
      [ATTR.USERNAME, Buffer.from(username, 'utf8')],
      [ATTR.REALM, realm],
      [ATTR.NONCE, nonce],
    ];
    tid = randomBytes(12);
    const answer = await request(socket, host, port, encode(ALLOCATE_REQUEST, tid, [transport, ...auth], key), tid, timeoutMs);
    const ms = performance.now() - t0;
    if (answer.type !== ALLOCATE_SUCCESS)
      return { outcome: { ok: false, ...errorOf(answer), ms }, release: async () => undefined };
    const xor = answer.attrs.get(ATTR.XOR_RELAYED_ADDRESS)!;
    const relayedPort = xor.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
    const a = xor.readUInt32BE(4) ^ MAGIC_COOKIE;
    const address = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
    // Freed by release: the server would otherwise keep the port for its lifetime (10 min).
    const release = async () => {
      const refresh = randomBytes(12);
      const lifetime = Buffer.alloc(4);
      await request(
        socket,
        host,
        port,
        encode(REFRESH_REQUEST, refresh, [[ATTR.LIFETIME, lifetime], ...auth], key),
        refresh,
        timeoutMs,
      ).catch(() => undefined);
      socket.close();
    };
    kept = true;
    return { outcome: { ok: true, relayed: { address, port: relayedPort }, ms }, release };
  } finally {
    if (!kept) socket.close();
  }
}
