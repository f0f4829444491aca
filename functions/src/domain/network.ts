/**
 * Which network a request came from, for moderation's "different people"
 * signal. Pure. The address itself is never stored or logged: the moderator
 * keeps only a keyed, truncated hash of the network (moderation/networks.ts).
 */
import { isIP } from 'node:net';

/**
 * The address a request came from, as our platform's front end saw it.
 * X-Forwarded-For lists what the client itself claimed first, then what each
 * proxy saw: only the entries our platform appended can be trusted, so the
 * client's address is the one `hopsAfterClient` from the end (Cloud Run and
 * Cloud Functions append the client's address last: 0). Without the header,
 * the socket's peer. Null when neither is an IP address.
 */
export function clientAddress(
  forwardedFor: string | readonly string[] | undefined,
  peer: string | undefined,
  hopsAfterClient = 0,
): string | null {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor as string | undefined);
  const entries = (header ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const candidate = entries.length > 0 ? entries[entries.length - 1 - hopsAfterClient] : peer;
  const address = candidate?.replace(/^\[|\](?::\d+)?$/g, '').replace(/%.*$/, '');
  return address !== undefined && isIP(address) !== 0 ? address : null;
}

/**
 * The network of an address: its IPv4 /24 or its IPv6 /48 (an IPv4-mapped
 * IPv6 address counts as IPv4). One household, office or phone usually
 * holds a single /24 address or a /48-/64 IPv6 prefix, so two reports from
 * one such network are one person's as far as the ban rule is concerned.
 * Null when `address` is not an IP address.
 */
export function networkOf(address: string): string | null {
  const kind = isIP(address);
  if (kind === 4) return `v4:${address.split('.').slice(0, 3).join('.')}`;
  if (kind !== 6) return null;
  const groups = ipv6Groups(address);
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return `v4:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}`;
  return `v6:${groups
    .slice(0, 3)
    .map((g) => g.toString(16))
    .join(':')}`;
}

/** The eight 16-bit groups of an IPv6 address (with "::" and a trailing dotted IPv4 expanded). */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const front = part(head);
  const back = part(tail);
  const groups = tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}
