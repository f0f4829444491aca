/**
 * Choices remembered between visits (localStorage). Storage may be blocked
 * (private mode, policies): then nothing is remembered and nothing breaks.
 */

/** A remembered value; null when none is, or storage is blocked. */
export function recall(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not remembered; harmless
  }
}

/** Where "Hide my IP" is remembered ('true' or 'false'; absent: not chosen, the deployment decides). */
export const HIDE_MY_IP_STORAGE_KEY = 'parley.hideMyIp';

/** The person's "Hide my IP" choice, or null if they never made one. */
export function hideMyIpChoice(): boolean | null {
  const v = recall(HIDE_MY_IP_STORAGE_KEY);
  return v === 'true' ? true : v === 'false' ? false : null;
}

export function rememberHideMyIp(on: boolean): void {
  remember(HIDE_MY_IP_STORAGE_KEY, String(on));
}

/** Where the 18+ confirmation is remembered ('1': confirmed on this device; asked once, before the first random chat). */
export const ADULT_STORAGE_KEY = 'parley.adult';

/** Whether the person confirmed on this device that they are 18 or older and accept the rules. */
export function confirmedAdult(): boolean {
  return recall(ADULT_STORAGE_KEY) === '1';
}

export function rememberAdult(): void {
  remember(ADULT_STORAGE_KEY, '1');
}
