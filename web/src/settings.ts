/**
 * Choices remembered between visits (localStorage). Storage may be blocked
 * (private mode, policies): then nothing is remembered and nothing breaks.
 */
import { parseSkipMemory, storedSkipMemory, type SkipMemoryStore } from './flows/skip-memory.js';

/** What storage holds for `key` (null: nothing), or undefined when storage is blocked. */
function stored(key: string): string | null | undefined {
  try {
    return localStorage.getItem(key);
  } catch {
    return undefined;
  }
}

/** A remembered value; null when none is, or storage is blocked. */
export function recall(key: string): string | null {
  return stored(key) ?? null;
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

/** Where the skip memory is kept (flows/skip-memory.ts: `{uid, met}`, whom the person met in the last two minutes). */
export const SKIP_MEMORY_STORAGE_KEY = 'parley.met';

/** The skip memory in localStorage; `load` says null when storage is blocked (the page then cannot tell whom it met). */
export const STORED_SKIP_MEMORY: SkipMemoryStore = {
  load(uid) {
    const raw = stored(SKIP_MEMORY_STORAGE_KEY);
    return raw === undefined ? null : parseSkipMemory(raw, uid, Date.now());
  },
  save(uid, met) {
    remember(SKIP_MEMORY_STORAGE_KEY, storedSkipMemory(uid, met, Date.now()));
  },
};
