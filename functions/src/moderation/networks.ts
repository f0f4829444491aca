/**
 * Turns a reporter's network (domain/network.ts) into a short keyed hash:
 * equal networks give equal hashes, and nobody without the key can tell
 * which network a hash stands for. The key is 32 random bytes the functions
 * make on first use and keep in `secrets/networkHash` (no client can read
 * it); deleting that document rotates it.
 */
import { randomBytes, createHmac } from 'node:crypto';
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { UsageMeter } from '../domain/usage.js';
import { SECRETS } from '../matching/collections.js';
import { isLostRace, readDoc } from '../matching/optimistic.js';

/**
 * Hex digits kept of the HMAC: 64 bits tell a few dozen networks apart with
 * no realistic collision, and say less about the network than the full hash.
 */
const HASH_HEX_DIGITS = 16;

/** How long an instance uses the key it read before reading it again (a rotation reaches it within this time). */
const KEY_CACHE_MS = 3600_000;

export class NetworkHasher {
  private key: { readonly bytes: Promise<Buffer>; readonly readAtMs: number } | undefined;

  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The keyed hash of `network` (e.g. "v4:203.0.113"). */
  async hash(network: string, meter: UsageMeter): Promise<string> {
    if (this.key === undefined || this.now() - this.key.readAtMs > KEY_CACHE_MS) {
      const bytes = this.loadKey(meter);
      this.key = { bytes, readAtMs: this.now() };
      // A failed read is retried by the next request, not cached.
      bytes.catch(() => (this.key = undefined));
    }
    return createHmac('sha256', await this.key.bytes)
      .update(network)
      .digest('hex')
      .slice(0, HASH_HEX_DIGITS);
  }

  private async loadKey(meter: UsageMeter): Promise<Buffer> {
    const ref = this.db.collection(SECRETS).doc('networkHash');
    const snap = await readDoc(ref, meter);
    if (snap.exists) return Buffer.from(snap.get('key') as string, 'base64');
    const key = randomBytes(32);
    try {
      await ref.create({ key: key.toString('base64'), createdAt: Timestamp.fromMillis(this.now()) });
      meter.write();
      return key;
    } catch (err) {
      // Another instance made it first: use theirs.
      if (!isLostRace(err)) throw err;
      return Buffer.from((await readDoc(ref, meter)).get('key') as string, 'base64');
    }
  }
}
