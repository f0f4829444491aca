/**
 * Real network cuts for end-to-end tests: every UDP packet in this
 * process's network namespace is dropped with nftables, so WebRTC's path dies
 * while Firestore (TCP) keeps working. Two kinds, because browsers react to
 * them differently:
 *
 * - `packets-lost`: dropped on the input hook. Sends succeed and nothing
 *   arrives, as when a path dies somewhere between the two (a router, a
 *   mobile cell).
 * - `sends-fail`: dropped on the output hook, where the kernel answers the
 *   sender's `sendto` with EPERM, as when the interface goes away (Wi-Fi
 *   off, switching networks).
 *
 * Needs root in a network namespace of its own (npm test runs the emulator
 * layers that way and sets PARLEY_NETNS) and nftables (scripts/parley.mjs
 * installs it). Never on a shared host network.
 */
import { execFileSync } from 'node:child_process';

export type CutKind = 'packets-lost' | 'sends-fail';

const TABLE = 'parley_cut';

/** Drops UDP in this namespace until `restoreUdp`. */
export function cutUdp(kind: CutKind): void {
  const hook = kind === 'sends-fail' ? 'output' : 'input';
  execFileSync('nft', ['add', 'table', 'inet', TABLE]);
  execFileSync('nft', ['add', 'chain', 'inet', TABLE, 'cut', `{ type filter hook ${hook} priority 0; }`]);
  execFileSync('nft', ['add', 'rule', 'inet', TABLE, 'cut', 'meta', 'l4proto', 'udp', 'drop']);
}

/** Ends the cut; harmless when there is none. */
export function restoreUdp(): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
  } catch {
    // no cut in place
  }
}

/** Whether this process may cut its network: root, nft present, and a namespace of its own. */
export function canCut(): boolean {
  try {
    if (process.getuid?.() !== 0) return false;
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return process.env['PARLEY_NETNS'] === '1';
  } catch {
    return false;
  }
}
