/**
 * The sections of the help guide (`#/help/<topic>`): one for every problem
 * the page can show (its ProblemCode), and a few more the connection check
 * or a person's own experience points to.
 */
import { PROBLEM_CODES, type ProblemCode } from './problems.js';

export const ExtraHelpTopic = {
  noAudio: 'no-audio',
  strictFirewall: 'strict-firewall',
  vpn: 'vpn',
  oldBrowser: 'old-browser',
} as const;
export type ExtraHelpTopic = (typeof ExtraHelpTopic)[keyof typeof ExtraHelpTopic];

export type HelpTopic = ProblemCode | ExtraHelpTopic;

/** Every topic, problems first. */
export const HELP_TOPICS: readonly HelpTopic[] = [...PROBLEM_CODES, ...Object.values(ExtraHelpTopic)];

export function isHelpTopic(value: string | null | undefined): value is HelpTopic {
  return (HELP_TOPICS as readonly (string | null | undefined)[]).includes(value);
}
