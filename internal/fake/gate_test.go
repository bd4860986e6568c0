package fake

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// frame is an HTTP/2 frame of kind on stream with a payload of n bytes.
func frame(kind byte, stream uint32, n int) []byte {
	f := make([]byte, 9+n)
	f[0], f[1], f[2] = byte(n>>16), byte(n>>8), byte(n)
	f[3] = kind
	binary.BigEndian.PutUint32(f[5:], stream)
	return f
}

// framesOf lists the (kind, stream) of the frames in b after the preface.
func framesOf(t *testing.T, b []byte) [][2]uint32 {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(http2Preface)) {
		t.Fatal("the preface was not passed on")
	}
	b = b[len(http2Preface):]
	var out [][2]uint32
	for len(b) >= 9 {
		n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
		out = append(out, [2]uint32{uint32(b[3]), binary.BigEndian.Uint32(b[5:]) & 0x7fffffff})
		b = b[9+n:]
	}
	return out
}

// Every stream a GOAWAY leaves above its last-stream-id must never reach
// the server, whenever the client opened it: before the GOAWAY was decided
// it is named by it (after processing), or the GOAWAY is not sent (before
// processing, the stream is refused alone); after, its frames are dropped.
// Otherwise a client that retries it as unprocessed (as HTTP/2 clients do)
// sends a request the fake processed twice.
func TestGateKeepsStreamsAboveGoAwayFromTheServer(t *testing.T) {
	const headers, data, ping = frameHeaders, 0x0, 0x6

	// After processing stream 3, with stream 5 opened meanwhile: the
	// GOAWAY names 5; stream 7, opened after it, is dropped.
	g := &h2Gate{}
	var in bytes.Buffer
	in.WriteString(http2Preface)
	in.Write(frame(headers, 3, 4))
	in.Write(frame(headers, 5, 4))
	var out bytes.Buffer
	_ = copyFrames(&out, bytes.NewReader(in.Bytes()), g)
	if last := g.awayAfter(3); last != 5 {
		t.Fatalf("GOAWAY after stream 3 names %d, want 5 (stream 5 was passed on)", last)
	}
	in.Reset()
	in.WriteString(http2Preface)
	in.Write(frame(headers, 7, 4))
	in.Write(frame(data, 7, 8))
	in.Write(frame(data, 5, 8))
	in.Write(frame(ping, 0, 8))
	out.Reset()
	_ = copyFrames(&out, bytes.NewReader(in.Bytes()), g)
	got := framesOf(t, out.Bytes())
	want := [][2]uint32{{data, 5}, {ping, 0}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("after the GOAWAY the server got %v, want %v (nothing of stream 7)", got, want)
	}

	// Before processing stream 5: refused alone while stream 7 is open;
	// otherwise a GOAWAY naming 3, and stream 7 opened later is dropped.
	g = &h2Gate{}
	g.pass(7, true)
	if _, ok := g.awayBefore(5); ok {
		t.Fatal("a GOAWAY below stream 5 was decided while stream 7 was open")
	}
	if !g.pass(9, true) {
		t.Fatal("a refused stream stopped the connection")
	}
	g = &h2Gate{}
	g.pass(5, true)
	last, ok := g.awayBefore(5)
	if !ok || last != 3 {
		t.Fatalf("GOAWAY before stream 5: last %d, decided %v; want 3, true", last, ok)
	}
	if g.pass(7, true) || g.pass(5, false) || !g.pass(3, false) || !g.pass(0, false) {
		t.Fatal("frames above the GOAWAY's last-stream-id were passed on, or below it were dropped")
	}
}
