/**
 * The browser side of the write-latency study: bundled by esbuild with the
 * browser build of the Firebase SDK and loaded into a Chromium page, which
 * then drives LatencyClients through `globalThis.parleyLatency`.
 */
import { LatencyClient } from './write-latency-client.js';

(globalThis as { parleyLatency?: { LatencyClient: typeof LatencyClient; clients: Map<string, LatencyClient> } }).parleyLatency = {
  LatencyClient,
  clients: new Map(),
};
