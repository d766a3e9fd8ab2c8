package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color/palette"
	"image/gif"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
)

// pngHeaderOnly is a PNG whose IHDR claims w×h RGB pixels and whose IDAT is garbage, so that
// decoding it would fail with ErrCorrupt, never with ErrTooManyPixels.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := append([]byte{}, pngSignature...)
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte("not zlib at all, only garbage"))...)
	return append(out, pngChunk("IEND", nil)...)
}

// jpegHeaderOnly is a JPEG whose baseline SOF claims w×h and that has nothing after it.
func jpegHeaderOnly(w, h uint16) []byte {
	sof := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 17, 8}
	sof = binary.BigEndian.AppendUint16(sof, h)
	sof = binary.BigEndian.AppendUint16(sof, w)
	sof = append(sof, 3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0)
	return append(sof, 0xFF, 0xDA, 0x00, 0x02, 0xDE, 0xAD)
}

// webpHeaderOnly is an extended WebP whose VP8X canvas is w×h and whose frame is garbage.
func webpHeaderOnly(w, h uint32) []byte {
	vp8x := []byte{0, 0, 0, 0}
	vp8x = binary.LittleEndian.AppendUint32(vp8x, w-1)[:7]
	vp8x = binary.LittleEndian.AppendUint32(vp8x, h-1)[:10]
	body := []byte("WEBPVP8X")
	body = binary.LittleEndian.AppendUint32(body, uint32(len(vp8x)))
	body = append(body, vp8x...)
	body = append(body, "VP8 \x08\x00\x00\x00garbage!"...)
	out := binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body)))
	return append(out, body...)
}

func TestBombRefusedBeforeDecoding(t *testing.T) {
	for _, tc := range []struct {
		name        string
		bomb, small []byte
	}{
		{"png 100000x100000", pngHeaderOnly(100000, 100000), pngHeaderOnly(100, 100)},
		{"jpeg 60000x60000", jpegHeaderOnly(60000, 60000), jpegHeaderOnly(100, 100)},
		{"webp 16000x16000", webpHeaderOnly(16000, 16000), webpHeaderOnly(100, 100)},
	} {
		// The same garbage with a small header is decoded, and decoding fails.
		if _, err := Process(context.Background(), bytes.NewReader(tc.small), DefaultLimits); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: small twin: err = %v, want ErrCorrupt", tc.name, err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Process(context.Background(), bytes.NewReader(tc.bomb), DefaultLimits)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("%s: err = %v, want ErrTooManyPixels", tc.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: %d bytes allocated; a refused bomb must not get a pixel buffer", tc.name, n)
		}
	}
}

func TestTooManyPixelsAtTheLimit(t *testing.T) {
	in := encodePNGBytes(t, image.NewGray(image.Rect(0, 0, 100, 50)))
	if _, err := Process(context.Background(), bytes.NewReader(in), Limits{MaxPixels: 5000}); err != nil {
		t.Fatalf("exactly MaxPixels: %v", err)
	}
	if _, err := Process(context.Background(), bytes.NewReader(in), Limits{MaxPixels: 4999}); !errors.Is(err, ErrTooManyPixels) {
		t.Fatalf("one over MaxPixels: err = %v, want ErrTooManyPixels", err)
	}
}

// countingReader serves endless JPEG-looking bytes and counts what was read.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xFF
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestTooLarge(t *testing.T) {
	in := encodeJPEGBytes(t, photo(200, 200), 90)
	lim := Limits{MaxBytes: int64(len(in)) - 1}
	if _, err := Process(context.Background(), bytes.NewReader(in), lim); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte over: err = %v, want ErrTooLarge", err)
	}
	if _, err := Process(context.Background(), bytes.NewReader(in), Limits{MaxBytes: int64(len(in))}); err != nil {
		t.Fatalf("exactly MaxBytes: %v", err)
	}
	endless := &countingReader{}
	if _, err := Process(context.Background(), endless, Limits{MaxBytes: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("endless stream: err = %v, want ErrTooLarge", err)
	}
	if endless.n > 1000+512 {
		t.Errorf("read %d bytes of an endless stream with MaxBytes 1000", endless.n)
	}
}

func TestTruncatedRefused(t *testing.T) {
	jpg := encodeJPEGBytes(t, photo(400, 300), 90)
	png := encodePNGBytes(t, photo(400, 300))
	for name, in := range map[string][]byte{
		"jpeg half":   jpg[:len(jpg)/2],
		"jpeg header": jpg[:40],
		"png half":    png[:len(png)/2],
		"png header":  png[:20],
		"png no IEND": png[:len(png)-12],
		"webp half":   webpHalf(t),
	} {
		if _, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
}

func webpHalf(t *testing.T) []byte {
	b, err := os.ReadFile("testdata/lossy.webp")
	if err != nil {
		t.Fatal(err)
	}
	return b[:len(b)/2]
}

func TestUnsupportedRefused(t *testing.T) {
	noise := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9), nil); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"random bytes":             noise,
		"gif":                      gifData.Bytes(),
		"text file named shot.png": []byte("This is a screenshot, promise.\n"),
		"svg":                      []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"empty":                    nil,
		"bmp":                      append([]byte("BM"), make([]byte, 60)...),
	} {
		if _, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestReadErrorPassedOn(t *testing.T) {
	_, err := Process(context.Background(), io.MultiReader(bytes.NewReader([]byte("\x89PNG")), failingReader{}), DefaultLimits)
	if !errors.Is(err, io.ErrClosedPipe) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want the reader's error", err)
	}
}
