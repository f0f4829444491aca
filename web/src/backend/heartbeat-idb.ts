/**
 * The part of the `idb` package that Firebase uses in Parley's bundle, on
 * the plain IndexedDB API: @firebase/app keeps its heartbeat (the date of
 * the last request, sent as a header) in a store it opens with `openDB`,
 * then reads and writes it in a transaction (`get`, `put`, `done`). `idb`
 * wraps every IndexedDB object in proxies for that (10.3 KB rendered, in
 * the chunk that must load before Start works); web/rollup.config.mjs
 * resolves `idb` to this module instead. Only what @firebase/app calls is
 * here: a Firebase update that needs more fails the build (a missing
 * export), not a person's page.
 */

/** What `openDB`'s `upgrade` is called with: the database itself, and the version it had (0: new). */
export type Upgrade = (db: IDBDatabase, oldVersion: number) => void;

/** A transaction: its stores' `get` and `put` as promises, and `done`, settled when it completes or fails. */
export interface HeartbeatTransaction {
  readonly done: Promise<void>;
  objectStore(name: string): {
    get(key: IDBValidKey): Promise<unknown>;
    put(value: unknown, key?: IDBValidKey): Promise<IDBValidKey>;
  };
}

/** An open database: transactions over one store. */
export interface HeartbeatDatabase {
  transaction(store: string, mode?: IDBTransactionMode): HeartbeatTransaction;
}

/** Opens (creating or upgrading) database `name` at `version`, as `idb`'s openDB does. */
export function openDB(name: string, version: number, options: { upgrade?: Upgrade } = {}): Promise<HeartbeatDatabase> {
  const request = indexedDB.open(name, version);
  request.onupgradeneeded = (event) => options.upgrade?.(request.result, event.oldVersion);
  return settled(request).then((db) => ({ transaction: (store, mode) => transaction(db, store, mode) }));
}

function transaction(db: IDBDatabase, store: string, mode: IDBTransactionMode = 'readonly'): HeartbeatTransaction {
  const tx = db.transaction(store, mode);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new DOMException('the transaction failed', 'UnknownError'));
    tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
  });
  // Whoever fails a get or put learns it there; `done` failing as well must not be unhandled.
  done.catch(() => undefined);
  return {
    done,
    objectStore(name) {
      const objects = tx.objectStore(name);
      return {
        get: (key) => settled(objects.get(key)),
        put: (value, key) => settled(objects.put(value, key)),
      };
    },
  };
}

/** The request's result, or its error. */
function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new DOMException('the request failed', 'UnknownError'));
  });
}
