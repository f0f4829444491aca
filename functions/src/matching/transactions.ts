/**
 * Runs a Firestore transaction, and runs it again when it loses a contention
 * race that the Admin SDK did not retry itself. Many people pressing Start
 * in one room at once contend for the same waiting entries; production
 * Firestore and the emulator both answer some of them with ABORTED (the
 * emulator as "Transaction lock timeout" on a read, which the SDK treats as
 * final).
 */
import type { Firestore, Transaction } from 'firebase-admin/firestore';
import { backoffMs, isContention } from '../domain/backoff.js';

/** Whole-transaction attempts before the error reaches the caller. */
const ATTEMPTS = 6;

export async function runContended<T>(db: Firestore, body: (tx: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.runTransaction(body);
    } catch (err) {
      if (!isContention(err) || attempt >= ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}
