// Package guid makes random (version 4) GUIDs from crypto/rand, read
// through one locked 4 KiB buffer so that a GUID per request costs a copy,
// not a crypto/rand call: the buffer is refilled from crypto/rand when
// spent, every byte is handed out once and wiped as it is.
package guid

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
)

var src struct {
	mu  sync.Mutex
	buf [4096]byte
	off int // bytes of buf already handed out
}

func init() { src.off = len(src.buf) }

// Read fills b with bytes from crypto/rand (buffered). Like crypto/rand.Read
// it never fails: crypto/rand aborts the program if the system cannot give
// randomness.
func Read(b []byte) {
	src.mu.Lock()
	defer src.mu.Unlock()
	for len(b) > 0 {
		if src.off == len(src.buf) {
			_, _ = rand.Read(src.buf[:])
			src.off = 0
		}
		n := copy(b, src.buf[src.off:])
		clear(src.buf[src.off : src.off+n])
		src.off += n
		b = b[n:]
	}
}

// New returns a random version-4 GUID (RFC 9562) as 16 bytes.
func New() [16]byte {
	var b [16]byte
	Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // variant 10xx
	return b
}

// Hex returns a random version-4 GUID as 32 lower-case hex digits, without
// hyphens.
func Hex() string {
	b := New()
	var out [32]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}
