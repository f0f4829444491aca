/**
 * The words of the front door: the introduction a first visit sees on the
 * random chat page, the 18+ confirmation before the first random chat, and
 * the links to the rules, privacy and terms pages. A table beside
 * messages.ts, in its pattern: one function per sentence, called at render
 * time, each wrapped by @lit/localize's `msg` where it stands (translated in
 * web/xliff), so a language change re-renders it. Pure.
 */
import { msg } from '@lit/localize';

export const FRONT_DOOR = {
  introTitle: () => msg('Talk face to face with a stranger'),
  introWhat: () =>
    msg(
      'Parley is anonymous video chat: pick a room by language and meet someone new, or start a private call and send its link to people you choose.',
    ),
  introDirect: () => msg('Peer to peer: your video and sound go straight to the other person, encrypted (DTLS-SRTP).'),
  introNothingStored: () => msg('Nothing is recorded: no video, sound or chat reaches our servers. No account, no name.'),
  introHideIp: () => msg('Hide my IP sends your call through our relay, so the other person never sees your address.'),
  introRules: () => msg('For adults (18+). Be kind: no nudity, no harassment. Reports lead to bans.'),
  startChatting: () => msg('Start chatting'),
  privateCall: () => msg('Private call'),
  aboutPages: () => msg('About Parley'),
  rules: () => msg('Rules'),
  privacy: () => msg('Privacy'),
  terms: () => msg('Terms'),
  /** The 18+ confirmation, asked once per device before the first random chat. */
  ageTitle: () => msg('Before you start'),
  ageText: () =>
    msg(
      'Parley connects you with strangers on camera. It is only for people 18 or older, and everyone must follow the rules: no nudity, no harassment, no hate.',
    ),
  ageConfirm: () => msg('I am 18 or older and accept the rules'),
  ageCancel: () => msg('Cancel'),
  readTheRules: () => msg('Read the rules'),
} as const satisfies Readonly<Record<string, () => string>>;

/** The static pages in the site (web/public), by what a link to them says. */
export const PAGE_LINKS = [
  { href: '/rules.html', text: FRONT_DOOR.rules },
  { href: '/privacy.html', text: FRONT_DOOR.privacy },
  { href: '/terms.html', text: FRONT_DOOR.terms },
] as const;
