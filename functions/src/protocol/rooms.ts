/**
 * The rooms people can wait in. One list, read by the functions (to validate
 * `join`) and by the web client (to draw the picker), so the two never disagree.
 *
 * Pure data: no firebase import, so the web bundle can include it.
 */

/** A room a stranger can be met in. */
export interface Room {
  /** Stable id, used in Firestore documents and URLs. Lower-case, short. */
  readonly id: string;
  /** English name, for operators and logs. */
  readonly name: string;
  /** The room's name in its own language, shown in the picker. */
  readonly nativeName: string;
  /** Everyone, a language spoken, or a place people are from. */
  readonly kind: 'anyone' | 'language' | 'region';
}

/** In picker order: everyone, then languages, then regions. */
export const ROOMS = [
  { id: 'any', name: 'Anyone', nativeName: 'Anyone', kind: 'anyone' },
  { id: 'en', name: 'English', nativeName: 'English', kind: 'language' },
  { id: 'hi', name: 'Hindi', nativeName: 'हिन्दी', kind: 'language' },
  { id: 'ta', name: 'Tamil', nativeName: 'தமிழ்', kind: 'language' },
  { id: 'te', name: 'Telugu', nativeName: 'తెలుగు', kind: 'language' },
  { id: 'ml', name: 'Malayalam', nativeName: 'മലയാളം', kind: 'language' },
  { id: 'kn', name: 'Kannada', nativeName: 'ಕನ್ನಡ', kind: 'language' },
  { id: 'bn', name: 'Bengali', nativeName: 'বাংলা', kind: 'language' },
  { id: 'es', name: 'Spanish', nativeName: 'Español', kind: 'language' },
  { id: 'pt', name: 'Portuguese', nativeName: 'Português', kind: 'language' },
  { id: 'us', name: 'USA', nativeName: 'USA', kind: 'region' },
  { id: 'uk', name: 'UK', nativeName: 'UK', kind: 'region' },
  { id: 'in', name: 'India', nativeName: 'भारत · India', kind: 'region' },
] as const satisfies readonly Room[];

export type RoomId = (typeof ROOMS)[number]['id'];

/** The room everyone can be met in; quiet rooms widen into it. */
export const ANYONE_ROOM = 'any' satisfies RoomId;

/** The room a new visitor starts in. */
export const DEFAULT_ROOM: RoomId = ANYONE_ROOM;

const ROOM_IDS: ReadonlySet<string> = new Set(ROOMS.map((r) => r.id));

export function isRoomId(value: unknown): value is RoomId {
  return typeof value === 'string' && ROOM_IDS.has(value);
}
