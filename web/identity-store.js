// The device's identity seed (32 bytes from which the worker derives the Ed25519 key pair), kept in
// IndexedDB so the same identity returns on the next visit. It never leaves this origin's storage
// except to the worker.

const DATABASE = "stoa";
const STORE = "identity";
const KEY = "seed";

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("IndexedDB is not available"));
      return;
    }
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB open failed"));
    request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
}

function withStore(mode, operation) {
  return open().then((database) => new Promise((resolve, reject) => {
    const transaction = database.transaction(STORE, mode);
    const request = operation(transaction.objectStore(STORE));
    transaction.oncomplete = () => { database.close(); resolve(request.result); };
    transaction.onerror = transaction.onabort = () => {
      database.close();
      reject(transaction.error ?? new Error("IndexedDB transaction failed"));
    };
  }));
}

// The stored seed as a Uint8Array(32), or null when there is none (or storage is unavailable,
// in which case the worker makes a fresh identity for this visit).
export async function loadSeed() {
  try {
    const value = await withStore("readonly", (store) => store.get(KEY));
    if (value instanceof Uint8Array && value.length === 32) return value;
    if (value instanceof ArrayBuffer && value.byteLength === 32) return new Uint8Array(value);
    return null;
  } catch {
    return null;
  }
}

// Resolves true when stored, false when this browser would not keep it.
export async function saveSeed(seed) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) return false;
  try {
    await withStore("readwrite", (store) => store.put(new Uint8Array(seed), KEY));
    return true;
  } catch {
    return false;
  }
}
