/**
 * The words of the front door: the introduction a first visit sees on the
 * random chat page, the 18+ confirmation before the first random chat, and
 * the links to the rules, privacy and terms pages. A table beside
 * messages.ts, in its pattern (one function per sentence, wrapped by
 * @lit/localize's `msg` when the translations come). Pure.
 */

export const FRONT_DOOR = {
  introTitle: () => 'Talk face to face with a stranger',
  introWhat: () =>
    'Parley is anonymous video chat: pick a room by language and meet someone new, or start a private call and send its link to people you choose.',
  introDirect: () => 'Peer to peer: your video and sound go straight to the other person, encrypted (DTLS-SRTP).',
  introNothingStored: () => 'Nothing is recorded: no video, sound or chat reaches our servers. No account, no name.',
  introHideIp: () => 'Hide my IP sends your call through our relay, so the other person never sees your address.',
  introRules: () => 'For adults (18+). Be kind: no nudity, no harassment. Reports lead to bans.',
  startChatting: () => 'Start chatting',
  privateCall: () => 'Private call',
  aboutPages: () => 'About Parley',
  rules: () => 'Rules',
  privacy: () => 'Privacy',
  terms: () => 'Terms',
  /** The 18+ confirmation, asked once per device before the first random chat. */
  ageTitle: () => 'Before you start',
  ageText: () =>
    'Parley connects you with strangers on camera. It is only for people 18 or older, and everyone must follow the rules: no nudity, no harassment, no hate.',
  ageConfirm: () => 'I am 18 or older and accept the rules',
  ageCancel: () => 'Cancel',
  readTheRules: () => 'Read the rules',
} as const satisfies Readonly<Record<string, () => string>>;

/** The static pages in the site (web/public), by what a link to them says. */
export const PAGE_LINKS = [
  { href: '/rules.html', text: FRONT_DOOR.rules },
  { href: '/privacy.html', text: FRONT_DOOR.privacy },
  { href: '/terms.html', text: FRONT_DOOR.terms },
] as const;
