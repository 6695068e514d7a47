// The device's identity seed (32 bytes from which the worker derives the Ed25519 key pair), kept in
// IndexedDB so the same identity returns on the next visit, and kept there wrapped: AES-GCM under a
// non-extractable CryptoKey that lives in the same database (structured clone stores the key
// object without ever exposing its bytes). Copying the database files, or a script that can read
// storage but not run in this origin, yields ciphertext; a script running in this origin can
// still ask the browser to unwrap, but cannot export the key (docs/web-client.md, "The identity
// seed at rest").
//
// Records in the "identity" store: "wrapped" = {version: 1, key: CryptoKey, iv: Uint8Array(12),
// ciphertext: ArrayBuffer}; "seed" = the plain Uint8Array(32) of earlier versions, wrapped and
// deleted on the first load that finds it.

const DATABASE = "stoa";
const STORE = "identity";
const PLAIN_KEY = "seed";
const WRAPPED_KEY = "wrapped";
const WRAP_VERSION = 1;
// Bound to what the ciphertext is for, so it cannot be swapped in for another record's.
const ASSOCIATED_DATA = new TextEncoder().encode("stoa identity seed v1");

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

// Runs `operation(store)` in one transaction; resolves with what it returns once committed.
function withStore(mode, operation) {
  return open().then((database) => new Promise((resolve, reject) => {
    const transaction = database.transaction(STORE, mode);
    let result;
    try {
      result = operation(transaction.objectStore(STORE));
    } catch (error) {
      transaction.abort();
      database.close();
      reject(error);
      return;
    }
    transaction.oncomplete = () => {
      database.close();
      resolve(result instanceof IDBRequest ? result.result : result);
    };
    transaction.onerror = transaction.onabort = () => {
      database.close();
      reject(transaction.error ?? new Error("IndexedDB transaction failed"));
    };
  }));
}

function read(key) {
  return withStore("readonly", (store) => store.get(key));
}

function asSeed(value) {
  if (value instanceof Uint8Array && value.length === 32) return new Uint8Array(value);
  if (value instanceof ArrayBuffer && value.byteLength === 32) return new Uint8Array(value);
  return null;
}

function subtle() {
  return typeof crypto !== "undefined" && crypto.subtle ? crypto.subtle : null;
}

async function wrap(seed) {
  const key = await subtle().generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: ASSOCIATED_DATA }, key, seed);
  return { version: WRAP_VERSION, key, iv, ciphertext };
}

async function unwrap(record) {
  if (!record || record.version !== WRAP_VERSION || !(record.key instanceof CryptoKey)) return null;
  try {
    const plain = await subtle().decrypt({ name: "AES-GCM", iv: record.iv, additionalData: ASSOCIATED_DATA },
      record.key, record.ciphertext);
    return asSeed(plain);
  } catch {
    return null;  // damaged or from another key: a fresh identity is made instead
  }
}

// Writes the wrapped record and removes any plain copy, in one transaction.
function storeWrapped(record) {
  return withStore("readwrite", (store) => {
    store.put(record, WRAPPED_KEY);
    store.delete(PLAIN_KEY);
  });
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i] ^ b[i];
  return difference === 0;
}

// The stored seed as a Uint8Array(32), or null when there is none (or storage is unavailable, in
// which case the worker makes a fresh identity for this visit). A plain seed from an earlier
// version is wrapped and its plain copy deleted before it is returned.
export async function loadSeed() {
  try {
    if (!subtle()) return asSeed(await read(PLAIN_KEY));  // no Web Crypto (an insecure origin)
    const seed = await unwrap(await read(WRAPPED_KEY));
    if (seed) return seed;
    const plain = asSeed(await read(PLAIN_KEY));
    if (plain) {
      try {
        await storeWrapped(await wrap(plain));
      } catch { /* still usable this visit; the next load tries again */ }
    }
    return plain;
  } catch {
    return null;
  }
}

// Resolves true when stored (or already stored), false when this browser would not keep it.
export async function saveSeed(seed) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) return false;
  try {
    if (!subtle()) {
      // Without Web Crypto there is nothing to wrap with: keep the identity as before.
      await withStore("readwrite", (store) => store.put(new Uint8Array(seed), PLAIN_KEY));
      return true;
    }
    const stored = await unwrap(await read(WRAPPED_KEY));
    if (stored && sameBytes(stored, seed)) {
      stored.fill(0);
      return true;
    }
    await storeWrapped(await wrap(new Uint8Array(seed)));
    return true;
  } catch {
    return false;
  }
}
