/**
 * The connection check and the help guide in the address: `#/check`, and
 * `#/help` or `#/help/<topic>` for one section (each error links to its own).
 * Pure.
 */
import { isHelpTopic, type HelpTopic } from './flows/help-topic.js';

export const CHECK_HASH = '#/check';

/** Whether a location hash names the connection check. */
export function isCheckHash(hash: string): boolean {
  return /^#\/check\/?$/.test(hash);
}

/**
 * The guide a location hash names: null when it names none, '' for the whole
 * guide (`#/help`, or a topic it does not know), else the topic.
 */
export function helpFromHash(hash: string): HelpTopic | '' | null {
  const m = /^#\/help(?:\/([a-z-]*))?\/?$/.exec(hash);
  if (!m) return null;
  return isHelpTopic(m[1]) ? m[1] : '';
}

/** The address of the guide, or of one of its sections. */
export function hashForHelp(topic?: HelpTopic): string {
  return topic ? `#/help/${topic}` : '#/help';
}
