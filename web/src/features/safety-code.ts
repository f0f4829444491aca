/**
 * The safety code of a link, pure: a short code both people can read to each
 * other to check that nobody sits in the middle of their call
 * (docs/SECURITY.md, "The safety code").
 *
 * Each browser makes a DTLS certificate and puts its fingerprint in its
 * session description (`a=fingerprint:sha-256 AB:CD:…`); the other browser
 * accepts only a DTLS handshake with that certificate. Someone who relays the
 * descriptions (the signaling path) and wants to read the media has to swap
 * both fingerprints for their own, so each side ends up with a different pair.
 * The code hashes the pair (sorted, so both sides hash the same text) with
 * the call id: swapped fingerprints give two different codes.
 */

/** Crockford's base32: no I, L, O or U, so nothing read aloud is mistaken for something else. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 characters of 5 bits: 80 bits, in 4 groups of 4. */
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** What the hash covers before the call id and the fingerprints: a new scheme changes it, so old and new codes never match by accident. */
const DOMAIN = 'parley safety code v1';

/**
 * The DTLS fingerprints an SDP declares (session or media level), each as
 * "<hash function> <hex>" in lower case, sorted and without repeats. Empty
 * when it declares none.
 */
export function fingerprints(sdp: string): string[] {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^a=fingerprint:\s*(\S+)\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)\s*$/.exec(line);
    if (m) found.add(`${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()}`);
  }
  return [...found].sort();
}

/**
 * The code for the link whose two descriptions are `local` and `remote`, in
 * call `callId`: the same on both sides (the order of the two does not
 * matter), e.g. "K7QX 3M9P R2TD 8WZF". Null when either description declares
 * no fingerprint (nothing to check).
 */
export async function safetyCode(local: string, remote: string, callId: string): Promise<string | null> {
  const sides = [fingerprints(local), fingerprints(remote)];
  if (sides.some((s) => s.length === 0)) return null;
  const [first, second] = sides.map((s) => s.join(',')).sort();
  const text = `${DOMAIN}\n${callId}\n${first}\n${second}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return groups(base32(digest, GROUPS * GROUP_LENGTH));
}

/** The first `length` base32 characters of `bytes` (5 bits each, most significant first). */
function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === length) break;
  }
  return out;
}

function groups(code: string): string {
  const parts: string[] = [];
  for (let i = 0; i < code.length; i += GROUP_LENGTH) parts.push(code.slice(i, i + GROUP_LENGTH));
  return parts.join(' ');
}
