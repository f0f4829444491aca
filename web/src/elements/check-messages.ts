/**
 * The words of the connection check (its verdicts and what each row found):
 * a table beside messages.ts, typed the same way and checked by the same
 * test, kept apart only so that it loads with the check's page instead of
 * with random chat before Start (docs/PERFORMANCE.md). Pure, like messages.ts.
 */
import { msg, str } from '@lit/localize';
import type { RelayProtocol } from '../engine/ice-candidate.js';
import type { FindingId, FindingValue, FindingValueCode } from '../flows/check-findings.js';
import type { Verdict, VerdictCode } from '../flows/verdict.js';
import { formatNumber, problemWords, type Words } from './messages.js';

type VerdictOf<C extends VerdictCode> = Verdict & { readonly code: C };

const VERDICT_WORDS: { readonly [C in VerdictCode]: (verdict: VerdictOf<C>) => Words } = {
  ready: () => ({
    message: msg('Your connection is ready for calls.'),
    hint: msg('Direct connections work, and our relay is there for people on strict networks.'),
  }),
  'relay-only': () => ({
    message: msg('Your network blocks direct connections; calls will go through our relay.'),
    hint: msg('That works: the video takes a detour through our server, which may add a little delay.'),
  }),
  'no-stun': () => ({
    message: msg('Calls will connect: directly on this network, and through our relay beyond it.'),
    hint: msg('No STUN server is set up here, so the check cannot tell whether direct connections reach beyond this network.'),
  }),
  'udp-blocked': () => ({
    message: msg('Your network blocks UDP, the quick way video travels; calls will go through our relay over TCP.'),
    hint: msg(
      'Calls will work, but may lag or stutter. Another network (mobile data, home Wi-Fi) or turning off a VPN may help.',
    ),
  }),
  'no-relay': (v) => ({
    message: v.relaySetUp
      ? msg('Direct connections work, but our relay could not be reached, so calls may fail on strict networks.')
      : msg('Direct connections work, but no relay is set up here, so calls may fail on strict networks.'),
    hint: msg(
      'Most calls will connect. One with someone behind a strict firewall (some offices, schools, mobile networks) may not.',
    ),
  }),
  'host-only': (v) =>
    v.serversSetUp
      ? {
          message: msg('Your device could not reach our connection servers, so calls to other networks will fail.'),
          hint: msg('You may be offline, or a firewall or VPN blocks them. Check your connection, or try another network.'),
        }
      : {
          message: msg("Only this device's own addresses were found: no connection servers (STUN or TURN) are set up here."),
          hint: msg(
            'Calls will connect between tabs and devices on this network, not beyond it. Expected when running Parley locally.',
          ),
        },
  'no-network': () => ({
    message: msg('Your browser found no network address to call from.'),
    hint: msg(
      'You may be offline, or a browser setting or extension blocks WebRTC. Check your connection, or try another browser.',
    ),
  }),
  'no-camera': (v) => ({
    message: msg('Your microphone works, but the camera could not be used, and Parley needs both for a call.'),
    hint: v.busy
      ? msg('Close other apps or tabs that use the camera, then press Check again.')
      : msg('Connect a camera (or check it is switched on and allowed for this site), then press Check again.'),
  }),
  'no-microphone': (v) => ({
    message: msg('Your camera works, but the microphone could not be used, and Parley needs both for a call.'),
    hint: v.busy
      ? msg('Close other apps or tabs that use the microphone, then press Check again.')
      : msg('Connect a microphone or headset (or check it is switched on and allowed for this site), then press Check again.'),
  }),
  'no-media': (v) =>
    v.problem
      ? problemWords(v.problem, 'check')
      : { message: msg('The camera and microphone could not be used.'), hint: msg('Parley needs both for a call.') },
  'check-failed': (v) => {
    const why = problemWords(v.problem, 'check');
    return { message: msg(str`The check could not finish. ${why.message}`), hint: why.hint };
  },
  'old-browser': () => ({
    message: msg('This browser cannot make video calls (it has no WebRTC).'),
    hint: msg('Open Parley in a current Chrome, Edge, Firefox or Safari.'),
  }),
};

export function verdictWords(verdict: Verdict): Words {
  const words = VERDICT_WORDS[verdict.code] as (v: Verdict) => Words;
  return words(verdict);
}

/** What each row of the check's list is about. */
export const FINDING_LABELS: Readonly<Record<FindingId, () => string>> = {
  camera: () => msg('Camera'),
  microphone: () => msg('Microphone'),
  host: () => msg("This device's own addresses"),
  srflx: () => msg('Public address, for direct connections'),
  relay: () => msg('Our relay (TURN), for strict networks'),
  udp: () => msg('UDP, the quick way video travels'),
  rtt: () => msg('Round trip to the relay'),
};

const RELAY_PROTOCOL_NAMES: Readonly<Record<RelayProtocol, string>> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

type FindingValueOf<C extends FindingValueCode> = FindingValue & { readonly code: C };

/** What the check found for a row. */
const FINDING_VALUES: { readonly [C in FindingValueCode]: (value: FindingValueOf<C>) => string } = {
  checking: () => msg('Checking…'),
  works: () => msg('Works'),
  'not-available': () => msg('Not available'),
  looking: () => msg('Looking…'),
  found: () => msg('Found'),
  none: () => msg('None'),
  'not-found': () => msg('Not found'),
  'no-stun': () => msg('No STUN server set up'),
  'own-address': () => msg("This device's own (no NAT)"),
  reached: (v) => msg(str`Reached over ${v.over.map((p) => RELAY_PROTOCOL_NAMES[p]).join(', ') || msg('the network')}`),
  'not-reached': () => msg('Not reached'),
  'no-relay': () => msg('No relay set up'),
  'udp-open': () => msg('Gets through'),
  'udp-blocked': () => msg('Blocked'),
  'udp-unknown': () => msg('Could not tell'),
  measuring: () => msg('Measuring…'),
  rtt: (v) => `${formatNumber(Math.round(v.ms))} ms`,
  'not-measured': () => msg('Could not measure'),
};

export function findingValueText(value: FindingValue): string {
  const text = FINDING_VALUES[value.code] as (v: FindingValue) => string;
  return text(value);
}

/** The check page's labels and sentences (the shared ones are messages.ts's LABELS). */
export const CHECK_LABELS = {
  whatDoesThisMean: () => msg('What does this mean?'),
  checkAgain: () => msg('Check again'),
  checking: () => msg('Checking your camera, microphone and network… this takes up to 10 seconds.'),
  startingCamera: () => msg('Starting the camera…'),
  noCameraPicture: () => msg('No camera picture'),
  microphone: () => msg('Microphone'),
  saySomething: () => msg('Say something: the bar should move.'),
  itDoesNot: () => msg("It doesn't?"),
  whatTheCheckFound: () => msg('What the check found'),
} as const satisfies Readonly<Record<string, () => string>>;
