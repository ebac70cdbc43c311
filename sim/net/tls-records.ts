/**
 * TLS records for the message-level TLS model: just enough wire format that a capture decodes
 * as a TLS session in Wireshark (RFC 5246 / RFC 8446 framing), nothing cryptographic.
 *
 * Flights, numbered across the handshake (each is one TCP segment):
 *
 *   TLS 1.2 (2 round trips)                           TLS 1.3 (1 round trip)
 *   1 → ClientHello                                   1 → ClientHello (supported_versions 1.3, key_share)
 *   2 ← ServerHello, Certificate, ServerHelloDone     2 ← ServerHello, ChangeCipherSpec, {encrypted flight}
 *   3 → ClientKeyExchange, ChangeCipherSpec, {Fin}    3 → ChangeCipherSpec, {Finished}
 *   4 ← ChangeCipherSpec, {Finished}
 *
 * The client is connected when it has the server's last flight (2 for 1.3 — it sends flight 3 at
 * once —, 4 for 1.2); the server when it has flight 3. Application data are type-23 records.
 * Keys, randoms and ciphertext are filler bytes from a tiny xorshift keyed by the connection
 * number: deterministic, and not model randomness (no decision depends on them). The
 * Certificate message carries an empty list: no certificate is modelled.
 */

export type TlsRoundTrips = 1 | 2;

const CT_CHANGE_CIPHER_SPEC = 20;
const CT_HANDSHAKE = 22;
const CT_APPLICATION_DATA = 23;

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_SERVER_HELLO_DONE = 14;
const HS_CLIENT_KEY_EXCHANGE = 16;

const TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c;
const TLS_AES_128_GCM_SHA256 = 0x1301;
const X25519 = 0x001d;

/** GCM: 8-byte explicit nonce (1.2 only) and 16-byte tag per record. */
const GCM_NONCE = 8;
const GCM_TAG = 16;

export function tlsVersionName(rt: TlsRoundTrips): string {
  return rt === 1 ? 'TLS 1.3' : 'TLS 1.2';
}

/** Number of flights in the handshake: 3 for TLS 1.3, 4 for TLS 1.2. */
export function tlsFlightCount(rt: TlsRoundTrips): number {
  return rt === 1 ? 3 : 4;
}

/**
 * What a handshake flight's receiver does next: the flight it answers with, if any, and whether
 * its handshake is then done. Server: flight 1 ⇒ 2; flight 3 ⇒ 4 (TLS 1.2 only), done. Client:
 * flight 2 ⇒ 3, done under TLS 1.3; flight 4 ⇒ done (TLS 1.2).
 */
export function tlsHandshakeStep(role: 'client' | 'server', rt: TlsRoundTrips, flight: number): { send?: number; done: boolean } {
  if (role === 'server') {
    if (flight === 1) return { send: 2, done: false };
    if (flight === 3) return tlsFlightCount(rt) === 4 ? { send: 4, done: true } : { done: true };
    return { done: false };
  }
  if (flight === 2) return { send: 3, done: rt === 1 };
  return { done: flight === 4 };
}

/** The bytes and the ladder label of one handshake flight (1-based, see the table above). */
export function tlsFlight(rt: TlsRoundTrips, flight: number, seed: number): { wire: Buffer; label: string } {
  const f = new Filler(seed);
  const sessionId = new Filler(seed ^ 0x5e551011).bytes(32);
  if (rt === 2) {
    switch (flight) {
      case 1:
        return { wire: record(CT_HANDSHAKE, clientHello12(f), 0x0301), label: 'TLS ClientHello' };
      case 2:
        return {
          wire: record(CT_HANDSHAKE, Buffer.concat([serverHello12(f, sessionId), handshake(HS_CERTIFICATE, u24(0)), handshake(HS_SERVER_HELLO_DONE, Buffer.alloc(0))])),
          label: 'TLS ServerHello, Certificate, ServerHelloDone',
        };
      case 3:
        return {
          // RSA key exchange: a length-prefixed 256-byte "encrypted pre-master secret" (RFC 5246 §7.4.7.1).
          wire: Buffer.concat([record(CT_HANDSHAKE, handshake(HS_CLIENT_KEY_EXCHANGE, vec16(f.bytes(256)))), changeCipherSpec(), encryptedFinished12(f)]),
          label: 'TLS ClientKeyExchange, ChangeCipherSpec, Finished',
        };
      case 4:
        return { wire: Buffer.concat([changeCipherSpec(), encryptedFinished12(f)]), label: 'TLS ChangeCipherSpec, Finished' };
    }
  } else {
    switch (flight) {
      case 1:
        return { wire: record(CT_HANDSHAKE, clientHello13(f, sessionId), 0x0301), label: 'TLS ClientHello' };
      case 2:
        return {
          // EncryptedExtensions, Certificate, CertificateVerify, Finished: one opaque record.
          wire: Buffer.concat([record(CT_HANDSHAKE, serverHello13(f, sessionId)), changeCipherSpec(), record(CT_APPLICATION_DATA, f.bytes(96))]),
          label: 'TLS ServerHello, ChangeCipherSpec, encrypted handshake',
        };
      case 3:
        // Finished: 4-byte header + 32-byte verify_data + inner content type + tag.
        return { wire: Buffer.concat([changeCipherSpec(), record(CT_APPLICATION_DATA, f.bytes(4 + 32 + 1 + GCM_TAG))]), label: 'TLS ChangeCipherSpec, Finished' };
    }
  }
  throw new Error(`Cannot build TLS flight ${flight}: ${tlsVersionName(rt)} has ${tlsFlightCount(rt)} flights`);
}

/**
 * One application-data record standing for `plain`: the bytes are scrambled (so the capture
 * shows no clear text) and sized as AES-128-GCM would size them.
 */
export function tlsAppData(rt: TlsRoundTrips, plain: Buffer, seed: number): Buffer {
  const f = new Filler(seed);
  const body = rt === 1 ? Buffer.alloc(plain.length + 1 + GCM_TAG) : Buffer.alloc(GCM_NONCE + plain.length + GCM_TAG);
  const offset = rt === 1 ? 0 : GCM_NONCE;
  f.bytes(offset).copy(body, 0);
  for (let i = 0; i < plain.length; i++) body[offset + i] = plain[i]! ^ f.next8();
  f.bytes(body.length - offset - plain.length).copy(body, offset + plain.length);
  return record(CT_APPLICATION_DATA, body);
}

// ---- RFC 5246 §7.4.1.2 / §7.4.1.3 hellos -------------------------------------------------

function clientHello12(f: Filler): Buffer {
  const extensions = Buffer.concat([
    extension(0x000d, vec16(u16s(0x0401, 0x0804))), // signature_algorithms: rsa_pkcs1_sha256, rsa_pss_rsae_sha256
    extension(0x0017, Buffer.alloc(0)), // extended_master_secret
  ]);
  const body = Buffer.concat([u16(0x0303), f.bytes(32), vec8(Buffer.alloc(0)), vec16(u16s(TLS_RSA_WITH_AES_128_GCM_SHA256)), vec8(Buffer.from([0])), vec16(extensions)]);
  return handshake(HS_CLIENT_HELLO, body);
}

function serverHello12(f: Filler, sessionId: Buffer): Buffer {
  const extensions = extension(0x0017, Buffer.alloc(0));
  const body = Buffer.concat([u16(0x0303), f.bytes(32), vec8(sessionId), u16(TLS_RSA_WITH_AES_128_GCM_SHA256), Buffer.from([0]), vec16(extensions)]);
  return handshake(HS_SERVER_HELLO, body);
}

// ---- RFC 8446 §4.1.2 / §4.1.3 hellos ------------------------------------------------------

function clientHello13(f: Filler, sessionId: Buffer): Buffer {
  const extensions = Buffer.concat([
    extension(0x000a, vec16(u16s(X25519))), // supported_groups
    extension(0x000d, vec16(u16s(0x0804, 0x0403))), // signature_algorithms: rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256
    extension(0x002b, vec8(u16s(0x0304))), // supported_versions: TLS 1.3
    extension(0x0033, vec16(Buffer.concat([u16(X25519), vec16(f.bytes(32))]))), // key_share
  ]);
  const body = Buffer.concat([u16(0x0303), f.bytes(32), vec8(sessionId), vec16(u16s(TLS_AES_128_GCM_SHA256)), vec8(Buffer.from([0])), vec16(extensions)]);
  return handshake(HS_CLIENT_HELLO, body);
}

function serverHello13(f: Filler, sessionId: Buffer): Buffer {
  const extensions = Buffer.concat([
    extension(0x002b, u16(0x0304)), // supported_versions: the selected version
    extension(0x0033, Buffer.concat([u16(X25519), vec16(f.bytes(32))])), // key_share: one entry
  ]);
  const body = Buffer.concat([u16(0x0303), f.bytes(32), vec8(sessionId), u16(TLS_AES_128_GCM_SHA256), Buffer.from([0]), vec16(extensions)]);
  return handshake(HS_SERVER_HELLO, body);
}

function encryptedFinished12(f: Filler): Buffer {
  // Finished (4 + 12 bytes) sealed with AES-128-GCM: nonce + 16 + tag.
  return record(CT_HANDSHAKE, f.bytes(GCM_NONCE + 16 + GCM_TAG));
}

function changeCipherSpec(): Buffer {
  return record(CT_CHANGE_CIPHER_SPEC, Buffer.from([1]));
}

// ---- framing -------------------------------------------------------------------------------

function record(type: number, fragment: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(fragment.length), fragment]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}

function vec8(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from([b.length]), b]);
}

function vec16(b: Buffer): Buffer {
  return Buffer.concat([u16(b.length), b]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u16s(...ns: number[]): Buffer {
  return Buffer.concat(ns.map(u16));
}

function u24(n: number): Buffer {
  return Buffer.from([(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** xorshift32 filler bytes: deterministic stand-ins for keys, randoms and ciphertext. */
class Filler {
  private s: number;

  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0 || 1;
  }

  next8(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s & 0xff;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.next8();
    return b;
  }
}
