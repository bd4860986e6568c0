package guid_test

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/guid"
)

// checkV4 asserts 32 hex digits with version nibble 4 and variant bits 10.
func checkV4(t *testing.T, s string) {
	t.Helper()
	require.Len(t, s, 32)
	b, err := hex.DecodeString(s)
	require.NoError(t, err, s)
	assert.Equal(t, s, hex.EncodeToString(b), "lower-case hex")
	assert.Equal(t, byte(0x40), b[6]&0xf0, "version nibble 4: %s", s)
	assert.Equal(t, byte(0x80), b[8]&0xc0, "variant bits 10: %s", s)
}

func TestHexIsVersion4AndUnique(t *testing.T) {
	const workers, per = 8, 5000
	var mu sync.Mutex
	seen := make(map[string]bool, workers*per)
	var dup atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]string, per)
			for i := range local {
				local[i] = guid.Hex()
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range local {
				if seen[s] {
					dup.Add(1)
				}
				seen[s] = true
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, dup.Load(), "duplicates among %d GUIDs", workers*per)
	n := 0
	for s := range seen {
		if n++; n > 200 {
			break
		}
		checkV4(t, s)
	}
}

// The 122 random bits really vary: every one of them is seen both set and
// clear over a few hundred GUIDs (a stuck bit would be a broken reader).
func TestHexBitsVary(t *testing.T) {
	var or, and [16]byte
	for i := range and {
		and[i] = 0xff
	}
	for range 512 {
		b := guid.New()
		for i := range b {
			or[i] |= b[i]
			and[i] &= b[i]
		}
	}
	fixed := func(i int) byte {
		switch i {
		case 6:
			return 0xf0
		case 8:
			return 0xc0
		}
		return 0
	}
	for i := range or {
		free := ^fixed(i)
		assert.Equal(t, free, or[i]&free, "byte %d: some random bit never set", i)
		assert.Zero(t, and[i]&free, "byte %d: some random bit always set", i)
	}
}

var sink string

// BenchmarkHex is the locked buffered reader; BenchmarkHexDirect reads
// crypto/rand per GUID, as flexiti did before its counter.
func BenchmarkHex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = guid.Hex()
	}
}

func BenchmarkHexParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sink = guid.Hex()
		}
	})
}

func BenchmarkHexDirect(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var x [16]byte
		_, _ = rand.Read(x[:])
		x[6] = x[6]&0x0f | 0x40
		x[8] = x[8]&0x3f | 0x80
		sink = hex.EncodeToString(x[:])
	}
}

// BenchmarkCounter is the counter scheme flexiti used for back-office ids.
func BenchmarkCounter(b *testing.B) {
	var n atomic.Uint64
	prefix := guid.Hex()[:16]
	b.ReportAllocs()
	for b.Loop() {
		var x [16]byte
		hex.Encode(x[:], binary.BigEndian.AppendUint64(nil, n.Add(1)))
		sink = prefix + string(x[:])
	}
}
