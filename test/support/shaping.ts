/**
 * Shapes what one page sends, with nftables, inside the test's own network
 * namespace (see network-cut.ts for why only there): packets from one UDP
 * source port (the page's end of its selected candidate pair) are policed
 * to a rate or dropped at random on the input hook, so the page's sends
 * succeed and the loss happens on the way, as on a weak uplink. `tc netem`
 * does not exist on these kernels (docs/ENVIRONMENT.md); nftables does.
 * Everything else in the namespace (Firestore over TCP, the other page's
 * UDP) goes untouched.
 */
import { execFileSync } from 'node:child_process';

const TABLE = 'parley_shape';

/** A rate cap (a policer: what exceeds it is dropped, nothing is queued) or random loss. */
export type Shape = { readonly capBitsPerSecond: number } | { readonly lossPercent: number };

/** Shapes UDP sent from `port` until `unshape` (one shape at a time: a new one replaces the old). */
export function shapeUdpFrom(port: number, shape: Shape): void {
  unshape();
  execFileSync('nft', ['add', 'table', 'inet', TABLE]);
  execFileSync('nft', ['add', 'chain', 'inet', TABLE, 'shape', '{ type filter hook input priority 0; }']);
  const match = ['udp', 'sport', String(port)];
  const action =
    'capBitsPerSecond' in shape
      ? ['limit', 'rate', 'over', String(Math.round(shape.capBitsPerSecond / 8)), 'bytes/second', 'drop']
      : ['numgen', 'random', 'mod', '100', '<', String(Math.round(shape.lossPercent)), 'drop'];
  execFileSync('nft', ['add', 'rule', 'inet', TABLE, 'shape', ...match, ...action]);
}

/** Lifts the shape; harmless when there is none. */
export function unshape(): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
  } catch {
    // nothing shaped
  }
}
