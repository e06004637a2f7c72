/* cipher.h — per-direction frame ciphers: `xor` (the classic cipher; hides text from casual view only)
 * and `aes-256-gcm` (the default: confidentiality and integrity, replay and reorder detection). */
#ifndef PARLEY_CIPHER_H
#define PARLEY_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "crypto.h"
#include "proto.h"

/* Errors beyond proto_status (which stay negative and distinct). */
#define CIPHER_E_AUTH (-20)   /* authentication failed: tamper, replay, reorder or wrong key */
#define CIPHER_E_FAIL (-21)   /* the crypto backend failed */

/* State of one direction of one connection. cipher_state_free releases what it owns.
 *  id 0 (plain): bodies pass unchanged (only before the handshake has chosen a cipher).
 *  PROTO_CIPHER_XOR: every body byte XORed with the key, the key repeating from its first byte
 *    in each frame. The key is borrowed and must outlive the state.
 *  PROTO_CIPHER_AES256GCM: the body is encrypted with the direction's key; the 16-byte tag,
 *    appended to the body, also covers the 6-byte header; the 96-bit nonce is 4 zero bytes and
 *    the frame's 64-bit sequence number in this direction, never sent, so a replayed,
 *    reordered or dropped frame fails to open. */
typedef struct cipher_state {
    uint8_t id;
    const uint8_t *xor_key;
    size_t xor_len;
    crypto_gcm *gcm;
    uint64_t seq;
} cipher_state;

void cipher_state_plain(cipher_state *c);
int cipher_state_xor(cipher_state *c, const uint8_t *key, size_t key_len);
int cipher_state_gcm(cipher_state *c, const uint8_t key[CRYPTO_GCM_KEY_SIZE]);
void cipher_state_free(cipher_state *c);
/* While a connection is idle: keeps only the key material of an AES-256-GCM state (32 bytes
 * instead of about a kilobyte); the next seal or open rebuilds the rest, and the nonce
 * sequence goes on unchanged. Nothing to do for the other ciphers. */
void cipher_state_rest(cipher_state *c);

/* Bytes a cipher appends to each body (the GCM tag). */
size_t cipher_overhead(uint8_t id);
/* "xor", "aes-256-gcm" or "plain"; cipher_parse returns the id or 0 if unknown. */
const char *cipher_name(uint8_t id);
uint8_t cipher_parse(const char *name);

/* Seals, in place, a frame laid out as header + body (body_len bytes) + room for the overhead;
 * the header's length field must already count the overhead (proto_encode's extra_tail). */
int cipher_seal(cipher_state *c, uint8_t *frame, size_t body_len);
/* Opens a received body in place; on success *plain_len is the plaintext length. */
int cipher_open(cipher_state *c, const uint8_t header[PROTO_HEADER_SIZE], uint8_t *body,
                size_t len, size_t *plain_len);

/* Steps past one received frame without opening it: the next frame then opens under the right
 * nonce. What the skipped frame held is neither known nor authenticated. For a load generator
 * that counts some members' frames instead of opening them; never for a real peer. */
int cipher_skip(cipher_state *c);

/* Encodes msg as one sealed frame appended to out. Returns PROTO_OK or a negative status;
 * nothing is appended on failure. */
int cipher_encode(cipher_state *c, const proto_msg *msg, buf *out);
/* Opens a frame from the reader and decodes it into msg (strings point into the frame). */
int cipher_decode(cipher_state *c, proto_frame *f, proto_msg *msg);

/* Text for a result of the functions above (proto_status or CIPHER_E_*). */
const char *cipher_status_text(int status);

#endif
